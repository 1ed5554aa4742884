package dev.drkit.core.rollback;

import java.time.Instant;
import dev.drkit.testkit.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.health.ProbeResult;
import dev.drkit.api.rollback.GuardState;
import dev.drkit.api.rollback.RollbackEvent;
import dev.drkit.api.rollback.RollbackMode;
import dev.drkit.api.rollback.TriggerKind;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** After a promotion, while the previous stable is warm, probes, conditions and alerts still revert. */
class RevertWindowWatchTest {
    final ManualClock clock = ManualClock.at(Instant.parse("2026-01-05T10:00:00Z"));
    final GuardSchedulingTest.CapturingScheduler scheduler = new GuardSchedulingTest.CapturingScheduler();
    final AtomicBoolean up = new AtomicBoolean(true);
    final AtomicBoolean conditionHolds = new AtomicBoolean();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    GuardedRelease<Greeter> promoted() {
        GuardedRelease<Greeter> g = GuardedRelease.<Greeter>builder("greeter")
                .config(GuardedReleaseTest.CONFIG.withRevertWindow(Duration.ofMinutes(10))
                        .withProbes(new ProbeSettings(Duration.ofSeconds(5), Duration.ofSeconds(5), 2)))
                .clock(clock).scheduler(scheduler)
                .stable("v1", Greeter.saying("hello")).candidate("v2", () -> Greeter.saying("hi"))
                .candidateProbe(HealthProbe.named("db", () -> up.get() ? ProbeResult.up() : ProbeResult.down("lost")))
                .condition(RollbackCondition.when("kill switch", s -> conditionHolds.get()))
                .build();
        scheduler.task.run(); // a promotion needs a recent UP answer from the candidate's probe
        g.promote("alice", "looks good");
        assertThat(g.state()).isEqualTo(GuardState.PROMOTED);
        return g;
    }

    @Test
    void aProbeThatGoesDownAfterThePromotionRevertsToThePreviousStable() {
        GuardedRelease<Greeter> g = promoted();
        scheduler.task.run();
        assertThat(g.state()).isEqualTo(GuardState.PROMOTED);

        up.set(false);
        scheduler.task.run();
        scheduler.task.run();

        assertThat(g.state()).isEqualTo(GuardState.ROLLED_BACK);
        RollbackEvent e = g.lastRollback().orElseThrow();
        assertThat(e.triggerKind()).isEqualTo(TriggerKind.PROBE);
        assertThat(e.fromVersion()).isEqualTo("v2");
        assertThat(e.toVersion()).isEqualTo("v1");
        assertThat(GuardedReleaseTest.greet(g, "anyone")).isEqualTo("hello x");
        g.close();
    }

    @Test
    void aConditionThatHoldsAfterThePromotionReverts() {
        GuardedRelease<Greeter> g = promoted();

        conditionHolds.set(true);
        scheduler.task.run();

        RollbackEvent e = g.lastRollback().orElseThrow();
        assertThat(e.mode()).isEqualTo(RollbackMode.CONDITIONAL);
        assertThat(e.toVersion()).isEqualTo("v1");
        g.close();
    }

    @Test
    void anAlertAfterThePromotionRevertsWithinTheWindowButNotAfter() {
        GuardedRelease<Greeter> g = promoted();
        RollbackEvent e = g.rollbackOnAlert("HighErrorRate", "errors after promotion").orElseThrow();
        assertThat(e.triggerKind()).isEqualTo(TriggerKind.ALERT);
        assertThat(e.toVersion()).isEqualTo("v1");

        GuardedRelease<Greeter> late = promoted();
        clock.advance(Duration.ofMinutes(11));
        assertThat(late.rollbackOnAlert("HighErrorRate", "too late")).isEmpty();
        g.close();
        late.close();
    }

    @Test
    void onceTheWindowHasPassedTheProbesNoLongerRevert() {
        GuardedRelease<Greeter> g = promoted();
        clock.advance(Duration.ofMinutes(11));
        scheduler.task.run();

        up.set(false);
        scheduler.task.run();
        scheduler.task.run();

        assertThat(g.state()).isEqualTo(GuardState.PROMOTED);
        assertThat(g.stableVersion()).isEqualTo("v2");
        g.close();
    }
}
