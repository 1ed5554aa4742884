package dev.drkit.core.rollback;

import java.time.Instant;
import dev.drkit.testkit.ManualClock;
import static dev.drkit.core.rollback.GuardedReleaseTest.CONFIG;
import static dev.drkit.core.rollback.GuardedReleaseTest.drive;
import static dev.drkit.core.rollback.GuardedReleaseTest.greet;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.health.ProbeResult;
import dev.drkit.api.rollback.GuardState;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A release marked irreversible freezes instead of rolling back automatically. */
class IrreversibleReleaseTest {
    final ManualClock clock = ManualClock.at(Instant.parse("2026-01-05T10:00:00Z"));
    final List<GuardEvent> events = new CopyOnWriteArrayList<>();
    final List<AuditEvent> audit = new CopyOnWriteArrayList<>();

    GuardedReleaseBuilder<Greeter> guard(GuardConfig config, Greeter candidate) {
        return GuardedRelease.<Greeter>builder("greeter").config(config).clock(clock)
                .stable("v1", Greeter.saying("hello")).candidate("v2", () -> candidate)
                .listener(events::add).auditSink(audit::add);
    }

    long count(Class<? extends GuardEvent> type) {
        return events.stream().filter(type::isInstance).count();
    }

    @Test
    void aFailingIrreversibleCandidateFreezesAtItsWeightOnceAndIsNeverRolledBackAutomatically() {
        GuardedRelease<Greeter> g = guard(CONFIG.withPlan(RolloutPlan.of(50, Duration.ZERO, 0.5, 1.0)),
                Greeter.failing("boom")).build();
        g.markIrreversible("alice", "ran the orders schema migration");

        drive(g, 500);
        g.runChecks();

        assertThat(g.state()).isEqualTo(GuardState.FROZEN);
        assertThat(g.candidateWeight()).isEqualTo(0.5);
        assertThat(g.lastRollback()).isEmpty();
        assertThat(count(GuardEvent.RolledBack.class)).isZero();
        assertThat(count(GuardEvent.Frozen.class)).isEqualTo(1);
        assertThat(audit).filteredOn(a -> a.action().equals("rollout.freeze")).singleElement()
                .satisfies(a -> assertThat(a.outcome()).isEqualTo(AuditOutcome.FAILURE));
        assertThat(g.snapshot().state()).isEqualTo(GuardState.FROZEN);
    }

    @Test
    void anOperatorMayStillRollAFrozenReleaseBack() {
        GuardedRelease<Greeter> g = guard(CONFIG.withPlan(RolloutPlan.of(50, Duration.ZERO, 1.0)),
                Greeter.failing("boom")).build();
        g.markIrreversible("alice", "migration");
        drive(g, 50);
        assertThat(g.state()).isEqualTo(GuardState.FROZEN);

        g.rollback("bob", "restore from backup instead");

        assertThat(g.state()).isEqualTo(GuardState.ROLLED_BACK);
        assertThat(greet(g, "anyone")).isEqualTo("hello x");
    }

    @Test
    void anIrreversiblePromotionIsNotRevertedByItsProbesButFrozenAndReported() {
        AtomicBoolean up = new AtomicBoolean(true);
        GuardedRelease<Greeter> g = guard(CONFIG.withRevertWindow(Duration.ofMinutes(10))
                .withProbes(new ProbeSettings(Duration.ofSeconds(5), Duration.ofSeconds(5), 1)), Greeter.saying("hi"))
                .candidateProbe(HealthProbe.named("db", () -> up.get() ? ProbeResult.up() : ProbeResult.down("lost")))
                .build();
        g.runChecks(); // a promotion needs a recent UP answer from the candidate's probe
        g.promote("alice", "fine");
        g.markIrreversible("alice", "dropped a column");

        up.set(false);
        g.runChecks();
        g.runChecks();

        assertThat(g.state()).isEqualTo(GuardState.PROMOTED);
        assertThat(g.stableVersion()).isEqualTo("v2");
        assertThat(count(GuardEvent.Frozen.class)).isEqualTo(1);
        g.close();
    }

    @Test
    void withoutARolloutThereIsNothingToMarkIrreversible() {
        GuardedRelease<Greeter> g = GuardedRelease.<Greeter>builder("g").stable("v1", Greeter.saying("hello")).build();

        assertThatThrownBy(() -> g.markIrreversible("alice", "why")).isInstanceOf(DrException.class)
                .hasMessageContaining("no release to mark irreversible");
    }
}
