package dev.drkit.core.rollback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.health.ProbeResult;
import dev.drkit.api.rollback.GuardState;
import dev.drkit.api.rollback.RollbackEvent;
import dev.drkit.api.rollback.TriggerKind;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.coordination.CoordinatorConfig;
import dev.drkit.core.coordination.StoreCoordinator;
import dev.drkit.core.store.SnapshotStores;
import dev.drkit.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a guard makes of probes that hang, and what a promotion asks of the candidate's probes. */
class ProbePromotionTest {
    static final ProbeSettings FAST = new ProbeSettings(Duration.ofSeconds(5), Duration.ofMillis(100), 3);

    final ManualClock clock = ManualClock.at(Instant.parse("2026-01-05T10:00:00Z"));
    final CountDownLatch release = new CountDownLatch(1);
    final List<AuditEvent> audit = new CopyOnWriteArrayList<>();
    final GuardSchedulingTest.CapturingScheduler scheduler = new GuardSchedulingTest.CapturingScheduler();

    @AfterEach
    void stop() {
        release.countDown();
        scheduler.shutdownNow();
    }

    GuardedReleaseBuilder<Greeter> guard(GuardConfig config, HealthProbe probe) {
        return GuardedRelease.<Greeter>builder("greeter").config(config).clock(clock).auditSink(audit::add)
                .scheduler(scheduler)
                .stable("v1", Greeter.saying("hello")).candidate("v2", () -> Greeter.saying("hi"))
                .candidateProbe(probe);
    }

    /** A probe that waits for the test's release, and goes on waiting when interrupted. */
    HealthProbe ignoringInterrupts(AtomicInteger starts) {
        return HealthProbe.named("db", () -> {
            starts.incrementAndGet();
            boolean interrupted = false;
            while (release.getCount() > 0) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return ProbeResult.up();
        });
    }

    @Test
    void aProbeWhosePreviousPollStillRunsIsNotPolledAgainAndCountsAsNoAnswer() {
        AtomicInteger starts = new AtomicInteger();
        GuardedRelease<Greeter> g = guard(GuardedReleaseTest.CONFIG.withProbes(FAST), ignoringInterrupts(starts))
                .probeNoAnswer(MissingData.FAIL).build();

        g.runChecks();
        g.runChecks();
        assertThat(g.state()).isEqualTo(GuardState.ROLLING_OUT);
        g.runChecks();

        assertThat(starts).as("one thread held by the hung probe, not one per poll").hasValue(1);
        RollbackEvent e = g.lastRollback().orElseThrow();
        assertThat(e.triggerKind()).isEqualTo(TriggerKind.PROBE);
        assertThat(e.reason()).contains("still running since an earlier poll");
        g.close();
    }

    @Test
    void aPromotionIsRefusedWhileTheCandidatesProbeGivesNoAnswerAndForcedItIsAuditedAsForced() {
        GuardedRelease<Greeter> g = guard(GuardedReleaseTest.CONFIG.withProbes(FAST), HealthProbe.named("db", () -> {
            release.await();
            return ProbeResult.up();
        })).build();
        g.runChecks();

        assertThatThrownBy(() -> g.promote("alice", "ship it"))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ILLEGAL_STATE))
                .hasMessageContaining("probe db gave no answer at the last poll (timed out after PT0.1S)")
                .hasMessageContaining("GuardedRelease.promote(actor, reason, true)");
        assertThat(g.state()).isEqualTo(GuardState.ROLLING_OUT);

        g.promote("alice", "ship it", true);

        assertThat(g.state()).isEqualTo(GuardState.PROMOTED);
        assertThat(audit).anyMatch(a -> a.action().equals("rollout.promote")
                && "true".equals(a.details().get("evidence.forced"))
                && a.details().get("evidence.probesNotUp").startsWith("db gave no answer"));
        g.close();
    }

    @Test
    void aPromotionNeedsAnUpAnswerFromTheCandidatesProbeThatIsRecent() {
        AtomicBoolean degraded = new AtomicBoolean(true);
        GuardedRelease<Greeter> g = guard(GuardedReleaseTest.CONFIG.withProbes(FAST), HealthProbe.named("db",
                () -> degraded.get() ? ProbeResult.degraded("replica lag") : ProbeResult.up())).build();

        assertThatThrownBy(() -> g.promote("alice", "ship it")).hasMessageContaining("probe db has not answered yet");
        g.runChecks();
        assertThatThrownBy(() -> g.promote("alice", "ship it"))
                .hasMessageContaining("probe db was DEGRADED (replica lag)");
        degraded.set(false);
        g.runChecks();
        clock.advance(Duration.ofMinutes(1));
        assertThatThrownBy(() -> g.promote("alice", "ship it"))
                .hasMessageContaining("probe db last answered at 2026-01-05T10:00:00Z, more than PT10.1S ago");

        g.runChecks();
        g.promote("alice", "ship it");

        assertThat(g.state()).isEqualTo(GuardState.PROMOTED);
        g.close();
    }

    @Test
    void aPromotionDuringAGradualRollbackIsRefusedNamingTheStateUnlessForced() {
        GuardedRelease<Greeter> g = GuardedRelease.<Greeter>builder("greeter")
                .config(GuardedReleaseTest.CONFIG.withGradualBatches(4)).clock(clock).auditSink(audit::add)
                .stable("v1", Greeter.saying("hello")).candidate("v2", () -> Greeter.saying("hi")).build();
        g.rollbackGradually("op", "slow");

        assertThatThrownBy(() -> g.promote("alice", "changed my mind"))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ILLEGAL_STATE))
                .hasMessageContaining("during its gradual rollback (state ROLLING_BACK)")
                .hasMessageContaining("GuardedRelease.promote(actor, reason, true)");
        assertThat(g.state()).isEqualTo(GuardState.ROLLING_BACK);

        g.promote("alice", "changed my mind", true);

        assertThat(g.state()).isEqualTo(GuardState.PROMOTED);
        assertThat(audit).anyMatch(a -> a.action().equals("rollout.promote")
                && "ROLLING_BACK".equals(a.details().get("evidence.forcedState")));
        g.close();
    }

    @Test
    void aPromotionTheFleetDecidedIsAppliedOnAnInstanceWhoseProbeHasNotAnsweredYet() throws Exception {
        try (SnapshotStore store = SnapshotStores.memory();
                StoreCoordinator a = StoreCoordinator.open(store, CoordinatorConfig.builder("a")
                        .pollInterval(Duration.ofMillis(10)).build());
                StoreCoordinator b = StoreCoordinator.open(store, CoordinatorConfig.builder("b")
                        .pollInterval(Duration.ofMillis(10)).build());
                GuardedRelease<Greeter> here = GuardedRelease.<Greeter>builder("greeter").coordinator(a)
                        .stable("v1", Greeter.saying("hello")).candidate("v2", () -> Greeter.saying("hi")).build();
                GuardedRelease<Greeter> there = guard(GuardedReleaseTest.CONFIG.withProbes(FAST),
                        HealthProbe.named("db", ProbeResult::up)).coordinator(b).build()) {

            here.promote("ops", "ship it");

            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (there.state() != GuardState.PROMOTED) {
                assertThat(System.nanoTime()).as("the fleet's promotion applied there").isLessThan(deadline);
                Thread.sleep(10);
            }
            assertThat(there.stableVersion()).isEqualTo("v2");
        }
    }
}
