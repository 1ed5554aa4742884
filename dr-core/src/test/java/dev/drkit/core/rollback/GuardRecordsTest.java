package dev.drkit.core.rollback;

import java.time.Instant;
import dev.drkit.testkit.ManualClock;
import static dev.drkit.core.rollback.GuardedReleaseTest.CONFIG;
import static dev.drkit.core.rollback.GuardedReleaseTest.drive;
import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.api.rollback.DecisionRecord;
import dev.drkit.api.rollback.GuardState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class GuardRecordsTest {
    final ManualClock clock = ManualClock.at(Instant.parse("2026-01-05T10:00:00Z"));
    final List<AuditEvent> audit = new CopyOnWriteArrayList<>();
    final List<GuardEvent> events = new CopyOnWriteArrayList<>();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    GuardedRelease<Greeter> failingGuard() {
        return GuardedRelease.<Greeter>builder("greeter").config(CONFIG.withPlan(RolloutPlan.of(50, Duration.ZERO, 0.5)))
                .clock(clock).stable("v1", Greeter.saying("hello")).candidate("v2", () -> Greeter.failing("boom"))
                .auditSink(audit::add).meterRegistry(registry).listener(events::add).build();
    }

    @Test
    void everyDecisionBecomesAnAuditEventAndTheRollbackCarriesItsEvidence() {
        GuardedRelease<Greeter> g = failingGuard();

        drive(g, 100);

        assertThat(audit).extracting(AuditEvent::action).containsExactly("rollout.start", "rollback.automatic");
        AuditEvent rollback = audit.get(1);
        assertThat(rollback.actor()).isEqualTo("system");
        assertThat(rollback.target()).isEqualTo("greeter");
        assertThat(rollback.outcome()).isEqualTo(AuditOutcome.SUCCESS);
        assertThat(rollback.time()).isEqualTo(clock.instant());
        assertThat(rollback.details()).containsEntry("triggerKind", "JUDGE").containsEntry("from", "v2")
                .containsEntry("to", "v1").containsEntry("evidence.rule", "sequentialTest")
                .containsKeys("candidateCalls", "candidateFailures", "statistic", "rollbackThreshold", "baselineRate",
                        "evidence.callsTaken", "timeTaken")
                .containsEntry("signal", "sequentialTest")
                .containsEntry("configVersion", GuardedReleaseBuilder.configVersion(
                        CONFIG.withPlan(RolloutPlan.of(50, Duration.ZERO, 0.5))))
                .containsEntry("callsTaken", rollback.details().get("candidateCalls"));
        assertThat(GuardedReleaseBuilder.configVersion(GuardConfig.DEFAULT)).hasSize(12)
                .isNotEqualTo(GuardedReleaseBuilder.configVersion(GuardConfig.DEFAULT.withJudge(
                        JudgeConfig.DEFAULT.withAlpha(0.01))));
    }

    @Test
    void metersCountCallsByVersionAndOutcomeTheWeightAndRollbacksByTrigger() {
        GuardedRelease<Greeter> g = failingGuard();
        assertThat(registry.get("dr.guard.weight").tag("guard", "greeter").gauge().value()).isEqualTo(0.5);

        drive(g, 100);

        double candidateFailures = registry.get("dr.guard.calls").tags("guard", "greeter", "version", "v2",
                "role", "candidate", "outcome", "failure").counter().count();
        double stableSuccesses = registry.get("dr.guard.calls").tags("guard", "greeter", "version", "v1",
                "role", "stable", "outcome", "success").counter().count();
        assertThat(candidateFailures).isPositive();
        assertThat(candidateFailures + stableSuccesses).isEqualTo(100);
        assertThat(registry.get("dr.rollback.total").tags("guard", "greeter", "trigger", "judge", "reason",
                "sequentialTest").counter().count()).isEqualTo(1);
        assertThat(registry.get("dr.guard.weight").gauge().value()).isZero();
        assertThat(registry.find("dr.guard.calls").tags("role", "candidate", "version", "v1").counters()).allSatisfy(
                c -> assertThat(c.count()).isZero());
    }

    @Test
    void theGuardKeepsItsLastDecisionsWithTheSignalTheFiguresAndTheConfigurationVersion() {
        GuardedRelease<Greeter> g = failingGuard();

        drive(g, 100);

        List<DecisionRecord> decisions = g.decisions();
        assertThat(decisions).isNotEmpty();
        DecisionRecord last = decisions.get(decisions.size() - 1);
        assertThat(last.action()).isEqualTo("rollback.automatic");
        assertThat(last.signal()).isEqualTo("sequentialTest");
        assertThat(last.guard()).isEqualTo("greeter");
        assertThat(last.details()).containsKeys("statistic", "rollbackThreshold", "candidateCalls",
                "candidateFailures", "baselineCalls", "baselineFailures", "callsTaken", "timeTaken", "configVersion");
        assertThat(Double.parseDouble(last.details().get("statistic")))
                .isGreaterThanOrEqualTo(Double.parseDouble(last.details().get("rollbackThreshold")));
    }

    @Test
    void listenersHearTypedEventsInOrder() {
        GuardedRelease<Greeter> g = failingGuard();

        drive(g, 100);

        assertThat(events).hasSize(2);
        assertThat(events.get(0)).isInstanceOf(GuardEvent.RolloutStarted.class);
        assertThat(events.get(1)).isInstanceOfSatisfying(GuardEvent.RolledBack.class,
                e -> assertThat(e.rollback().fromVersion()).isEqualTo("v2"));
    }

    @Test
    void aFailingAuditSinkOrListenerNeverUndoesTheDecision() {
        GuardedRelease<Greeter> g = GuardedRelease.<Greeter>builder("greeter")
                .config(CONFIG.withPlan(RolloutPlan.of(50, Duration.ZERO, 1.0))).clock(clock)
                .stable("v1", Greeter.saying("hello")).candidate("v2", () -> Greeter.failing("boom"))
                .auditSink(e -> {
                    throw new IllegalStateException("disk full");
                })
                .listener(e -> {
                    throw new IllegalStateException("listener bug");
                })
                .build();

        drive(g, 10);

        assertThat(g.state()).isEqualTo(GuardState.ROLLED_BACK);
    }

    @Test
    void aCandidateThatCannotBeCreatedIsAuditedAsAFailure() {
        GuardedRelease.<Greeter>builder("greeter").config(CONFIG).clock(clock).stable("v1", Greeter.saying("hello"))
                .candidate("v2", () -> {
                    throw new IllegalStateException("no config");
                })
                .auditSink(audit::add).build();

        assertThat(audit).singleElement().satisfies(e -> {
            assertThat(e.action()).isEqualTo("rollout.start");
            assertThat(e.outcome()).isEqualTo(AuditOutcome.FAILURE);
        });
    }
}
