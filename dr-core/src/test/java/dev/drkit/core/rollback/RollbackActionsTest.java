package dev.drkit.core.rollback;

import java.time.Instant;
import dev.drkit.testkit.ManualClock;
import static dev.drkit.core.rollback.GuardedReleaseTest.CONFIG;
import static dev.drkit.core.rollback.GuardedReleaseTest.drive;
import static dev.drkit.core.rollback.GuardedReleaseTest.greet;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.health.ProbeResult;
import dev.drkit.api.rollback.GuardState;
import dev.drkit.api.rollback.RollbackEvent;
import dev.drkit.api.rollback.RollbackMode;
import dev.drkit.api.rollback.TriggerKind;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RollbackActionsTest {
    final ManualClock clock = ManualClock.at(Instant.parse("2026-01-05T10:00:00Z"));
    final List<GuardEvent> events = new CopyOnWriteArrayList<>();
    final ExecutorService pool = Executors.newFixedThreadPool(8);

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    GuardedReleaseBuilder<Greeter> guard(GuardConfig config, Greeter candidate) {
        return GuardedRelease.<Greeter>builder("greeter").config(config).clock(clock)
                .stable("v1", Greeter.saying("hello")).candidate("v2", () -> candidate).listener(events::add);
    }

    long rollbackEvents() {
        return events.stream().filter(e -> e instanceof GuardEvent.RolledBack).count();
    }

    @Test
    void anEmergencyRollbackSwitchesAtOnceAndRecordsActorAndReason() {
        GuardedRelease<Greeter> g = guard(CONFIG.withPlan(RolloutPlan.of(50, Duration.ZERO, 1.0)),
                Greeter.saying("hi")).build();
        assertThat(greet(g, "a")).isEqualTo("hi x");

        RollbackEvent e = g.rollback("alice", "checkout errors in the dashboard");

        assertThat(e.mode()).isEqualTo(RollbackMode.EMERGENCY);
        assertThat(e.triggerKind()).isEqualTo(TriggerKind.OPERATOR);
        assertThat(e.actor()).isEqualTo("alice");
        assertThat(e.reason()).isEqualTo("checkout errors in the dashboard");
        assertThat(e.verdict().evidence().candidateCalls()).isEqualTo(1);
        assertThat(greet(g, "a")).isEqualTo("hello x");
        assertThat(g.rollback("bob", "again")).isSameAs(e);
        assertThat(rollbackEvents()).isEqualTo(1);
    }

    @Test
    void anEmergencyRollbackWithoutACandidateIsAnIllegalState() {
        GuardedRelease<Greeter> g = GuardedRelease.<Greeter>builder("greeter").stable("v1", Greeter.saying("hello"))
                .build();

        assertThatThrownBy(() -> g.rollback("alice", "why not")).isInstanceOfSatisfying(DrException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.ILLEGAL_STATE));
    }

    @Test
    void manualAndAutomaticRollbackRacingProduceExactlyOneEvent() throws Exception {
        for (int round = 0; round < 30; round++) {
            events.clear();
            GuardedRelease<Greeter> g = guard(CONFIG.withPlan(RolloutPlan.of(50, Duration.ZERO, 1.0)),
                    Greeter.failing("boom")).build();
            CyclicBarrier start = new CyclicBarrier(4);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return g.rollback("operator", "manual");
                }));
                int offset = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 20; i++) {
                        try {
                            g.call("k" + offset + i, s -> s.greet("x"));
                        } catch (IllegalStateException expected) {
                            // the candidate's failure
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(10, TimeUnit.SECONDS);
            }
            assertThat(rollbackEvents()).as("round %d", round).isEqualTo(1);
            assertThat(g.state()).isEqualTo(GuardState.ROLLED_BACK);
        }
    }

    @Test
    void aRollbackRacingWithPromotionAlwaysEndsOnThePreviousStableWithOneEvent() throws Exception {
        for (int round = 0; round < 30; round++) {
            events.clear();
            GuardedRelease<Greeter> g = guard(CONFIG, Greeter.saying("hi")).build();
            CyclicBarrier start = new CyclicBarrier(2);
            Future<?> promote = pool.submit(() -> {
                start.await();
                try {
                    g.promote("release-bot", "all green");
                } catch (DrException lostTheRace) {
                    assertThat(lostTheRace.code()).isEqualTo(ErrorCode.ILLEGAL_STATE);
                }
                return null;
            });
            Future<RollbackEvent> rollback = pool.submit(() -> {
                start.await();
                return g.rollback("alice", "stop");
            });
            promote.get(10, TimeUnit.SECONDS);
            RollbackEvent e = rollback.get(10, TimeUnit.SECONDS);

            assertThat(g.state()).isEqualTo(GuardState.ROLLED_BACK);
            assertThat(g.stableVersion()).isEqualTo("v1");
            assertThat(e.fromVersion()).isEqualTo("v2");
            assertThat(e.toVersion()).isEqualTo("v1");
            assertThat(rollbackEvents()).isEqualTo(1);
        }
    }

    @Test
    void anAutomaticRollbackDecidedWhileThePromotionLandsStillWinsAndRevertsIt() {
        java.util.concurrent.atomic.AtomicReference<GuardedRelease<Greeter>> self =
                new java.util.concurrent.atomic.AtomicReference<>();
        GuardedRelease<Greeter> g = guard(CONFIG, Greeter.saying("hi"))
                .trigger(new dev.drkit.api.rollback.RollbackTrigger() {
                    @Override
                    public String name() {
                        return "late-alarm";
                    }

                    @Override
                    public java.util.Optional<String> evaluate(dev.drkit.api.rollback.Observation o) {
                        // The promotion lands between this trigger's decision and the switch.
                        self.get().promote("release-bot", "all green");
                        return java.util.Optional.of("error budget burnt");
                    }
                }).build();
        self.set(g);

        g.runChecks();

        assertThat(g.state()).isEqualTo(GuardState.ROLLED_BACK);
        assertThat(g.stableVersion()).isEqualTo("v1");
        RollbackEvent e = g.lastRollback().orElseThrow();
        assertThat(e.trigger()).isEqualTo("late-alarm");
        assertThat(e.fromVersion()).isEqualTo("v2");
        assertThat(events).filteredOn(x -> x instanceof GuardEvent.Promoted).hasSize(1);
        assertThat(rollbackEvents()).isEqualTo(1);
    }

    @Test
    void aPromotionCanBeRevertedInstantlyWithinTheWindowButNotAfter() {
        GuardedRelease<Greeter> g = guard(CONFIG.withRevertWindow(Duration.ofMinutes(10)), Greeter.saying("hi"))
                .build();
        g.promote("alice", "looks good");
        assertThat(greet(g, "a")).isEqualTo("hi x");

        clock.advance(Duration.ofMinutes(9));
        RollbackEvent e = g.rollback("alice", "on second thought");
        assertThat(e.fromVersion()).isEqualTo("v2");
        assertThat(greet(g, "a")).isEqualTo("hello x");

        GuardedRelease<Greeter> late = guard(CONFIG.withRevertWindow(Duration.ofMinutes(10)), Greeter.saying("hi"))
                .build();
        late.promote("alice", "looks good");
        clock.advance(Duration.ofMinutes(11));
        late.runChecks();
        assertThatThrownBy(() -> late.rollback("alice", "too late")).isInstanceOf(DrException.class)
                .hasMessageContaining("no candidate to roll back");
    }

    @Test
    void inFlightCandidateCallsFinishOnTheCandidateWhileNewCallsGoToStable() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Greeter slow = who -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "hi " + who;
        };
        GuardedRelease<Greeter> g = guard(CONFIG.withPlan(RolloutPlan.of(50, Duration.ZERO, 1.0)), slow).build();
        Future<String> inFlight = pool.submit(() -> greet(g, "a"));
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

        g.rollback("alice", "stop");
        assertThat(greet(g, "b")).isEqualTo("hello x");
        release.countDown();

        assertThat(inFlight.get(10, TimeUnit.SECONDS)).isEqualTo("hi x");
    }

    @Test
    void aGradualRollbackStepsDownInBatchesEachVerifiedByTheStableProbes() {
        AtomicBoolean stableUp = new AtomicBoolean(true);
        GuardedRelease<Greeter> g = guard(CONFIG.withGradualBatches(4).withPlan(RolloutPlan.of(50, Duration.ZERO, 0.8)),
                Greeter.saying("hi"))
                .stableProbe(HealthProbe.named("stable-db",
                        () -> stableUp.get() ? ProbeResult.up() : ProbeResult.down("overloaded")))
                .build();

        g.rollbackGradually("alice", "drain the candidate");
        assertThat(g.state()).isEqualTo(GuardState.ROLLING_BACK);
        assertThat(g.candidateWeight()).isCloseTo(0.6, org.assertj.core.data.Offset.offset(1e-9));

        stableUp.set(false);
        g.runChecks();
        assertThat(g.candidateWeight()).as("held while the stable is DOWN").isCloseTo(0.6,
                org.assertj.core.data.Offset.offset(1e-9));

        stableUp.set(true);
        g.runChecks();
        assertThat(g.candidateWeight()).isCloseTo(0.4, org.assertj.core.data.Offset.offset(1e-9));
        g.runChecks();
        assertThat(g.candidateWeight()).isCloseTo(0.2, org.assertj.core.data.Offset.offset(1e-9));
        g.runChecks();

        assertThat(g.state()).isEqualTo(GuardState.ROLLED_BACK);
        RollbackEvent e = g.lastRollback().orElseThrow();
        assertThat(e.mode()).isEqualTo(RollbackMode.GRADUAL);
        assertThat(e.actor()).isEqualTo("alice");
        assertThat(rollbackEvents()).isEqualTo(1);
        g.close();
    }

    @Test
    void aRaisedExternalFlagRollsBackConditionally() {
        AtomicBoolean killSwitch = new AtomicBoolean();
        GuardedRelease<Greeter> g = guard(CONFIG, Greeter.saying("hi"))
                .condition(RollbackCondition.flag("kill-switch", killSwitch::get)).build();
        g.runChecks();
        assertThat(g.state()).isEqualTo(GuardState.ROLLING_OUT);

        killSwitch.set(true);
        g.runChecks();

        RollbackEvent e = g.lastRollback().orElseThrow();
        assertThat(e.mode()).isEqualTo(RollbackMode.CONDITIONAL);
        assertThat(e.triggerKind()).isEqualTo(TriggerKind.CONDITION);
        assertThat(e.trigger()).isEqualTo("kill-switch");
    }

    @Test
    void aConditionOverSignalsRollsBackOnlyInsideItsTimeWindow() {
        RollbackCondition anyFailureAfterHours = RollbackCondition
                .when("any-failure", s -> s.observation().candidate().failures() > 0)
                .onlyBetween(LocalTime.of(18, 0), LocalTime.of(8, 0), ZoneOffset.UTC);
        AtomicInteger n = new AtomicInteger();
        Greeter rarelyFails = who -> {
            if (n.incrementAndGet() == 3) {
                throw new IllegalStateException("one failure");
            }
            return "hi";
        };
        GuardedRelease<Greeter> g = guard(CONFIG.withPlan(RolloutPlan.of(1_000, Duration.ZERO, 1.0)), rarelyFails)
                .condition(anyFailureAfterHours).build();
        drive(g, 10);

        g.runChecks();
        assertThat(g.state()).as("10:00 is outside the window").isEqualTo(GuardState.ROLLING_OUT);

        clock.advance(Duration.ofHours(9));
        g.runChecks();
        assertThat(g.lastRollback().orElseThrow().trigger()).isEqualTo("any-failure");
    }

    @Test
    void aDeadlineConditionRollsBackACandidateNotPromotedInTime() {
        GuardedRelease<Greeter> g = guard(CONFIG, Greeter.saying("hi"))
                .condition(RollbackCondition.after("promote-by-noon", clock.instant().plus(Duration.ofHours(2))))
                .build();
        clock.advance(Duration.ofHours(2));

        g.runChecks();

        assertThat(g.lastRollback().orElseThrow().mode()).isEqualTo(RollbackMode.CONDITIONAL);
    }

    @Test
    void undoingARollbackResumesTheRolloutAtItsStepWithFreshEvidence() {
        GuardedRelease<Greeter> g = guard(CONFIG, Greeter.saying("hi")).build();
        drive(g, 100);
        g.rollback("alice", "false alarm?");

        g.undoRollback("alice", "it was the database");

        assertThat(g.state()).isEqualTo(GuardState.ROLLING_OUT);
        assertThat(g.candidateVersion()).contains("v2");
        assertThat(g.candidateWeight()).isEqualTo(0.1);
        assertThat(g.observe().candidate().calls()).isZero();
        assertThat(events).anyMatch(e -> e instanceof GuardEvent.RollbackUndone u && u.actor().equals("alice"));
        assertThatThrownBy(() -> g.undoRollback("alice", "twice")).isInstanceOf(DrException.class);
    }

    @Test
    void aManualPromotionRollsForwardAtOnce() {
        GuardedRelease<Greeter> g = guard(CONFIG, Greeter.saying("hi")).build();

        g.promote("alice", "hotfix must go out");

        assertThat(g.state()).isEqualTo(GuardState.PROMOTED);
        assertThat(greet(g, "anyone")).isEqualTo("hi x");
        assertThat(events).anyMatch(e -> e instanceof GuardEvent.Promoted p && p.actor().equals("alice"));
    }

    @Test
    void aManualPromotionIsRefusedWhileACandidateProbeIsDown() {
        GuardedRelease<Greeter> g = guard(CONFIG, Greeter.saying("hi"))
                .candidateProbe(HealthProbe.named("db", () -> ProbeResult.down("no connection"))).build();
        g.runChecks();

        assertThatThrownBy(() -> g.promote("alice", "hotfix must go out"))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ILLEGAL_STATE))
                .hasMessageContaining("probe db was DOWN (no connection)")
                .hasMessageContaining("GuardedRelease.promote(actor, reason, true)");
        assertThat(g.state()).isEqualTo(GuardState.ROLLING_OUT);
        assertThat(events).noneMatch(e -> e instanceof GuardEvent.Promoted);
        g.close();
    }

    @Test
    void aForcedManualPromotionGoesThroughADownProbeAndIsAuditedAsForced() {
        List<dev.drkit.api.audit.AuditEvent> audit = new CopyOnWriteArrayList<>();
        GuardedRelease<Greeter> g = guard(CONFIG, Greeter.saying("hi")).auditSink(audit::add)
                .candidateProbe(HealthProbe.named("db", () -> ProbeResult.down("no connection"))).build();
        g.runChecks();

        g.promote("alice", "hotfix must go out", true);

        assertThat(g.state()).isEqualTo(GuardState.PROMOTED);
        assertThat(events).anyMatch(e -> e instanceof GuardEvent.Promoted p && p.actor().equals("alice")
                && p.verdict().reason().equals("forced while probe db was DOWN (no connection): hotfix must go out")
                && "true".equals(p.verdict().evidence().extra().get("forced")));
        assertThat(audit).anyMatch(a -> a.action().equals("rollout.promote") && a.actor().equals("alice")
                && "true".equals(a.details().get("evidence.forced"))
                && "db was DOWN (no connection)".equals(a.details().get("evidence.downProbes")));
        g.close();
    }

    @Test
    void aPausedRolloutHoldsItsWeightButStillRollsBack() {
        GuardedRelease<Greeter> g = guard(CONFIG, Greeter.saying("hi")).build();
        g.pause("alice");

        drive(g, 5_000);
        assertThat(g.state()).isEqualTo(GuardState.PAUSED);
        assertThat(g.step()).isZero();

        g.resume("alice");
        drive(g, 5_000);
        assertThat(events).anyMatch(e -> e instanceof GuardEvent.WeightChanged);

        GuardedRelease<Greeter> failing = guard(CONFIG.withPlan(RolloutPlan.of(50, Duration.ZERO, 1.0)),
                Greeter.failing("boom")).build();
        failing.pause("alice");
        drive(failing, 10);
        assertThat(failing.state()).isEqualTo(GuardState.ROLLED_BACK);
        assertThatThrownBy(() -> failing.resume("alice")).isInstanceOf(DrException.class);
    }

    @Test
    void shadowModeReturnsTheStableResultAndCountsMismatchesAsCandidateFailures() {
        GuardedRelease<Greeter> g = guard(CONFIG.withShadow(true).withPlan(RolloutPlan.of(50, Duration.ZERO, 1.0)),
                who -> who.equals("x") ? "hello x" : "oops").build();

        assertThat(greet(g, "a")).isEqualTo("hello x");
        assertThat(g.observe().candidate().calls()).isEqualTo(1);
        assertThat(g.observe().candidate().failures()).isZero();

        for (int i = 0; i < 20; i++) {
            assertThat(g.<String>call("k" + i, s -> s.greet("y"))).isEqualTo("hello y");
        }
        assertThat(g.state()).isEqualTo(GuardState.ROLLED_BACK);
        assertThat(g.lastRollback().orElseThrow().verdict().evidence().candidateFailures()).isPositive();
    }

    @Test
    void anAlertRollsBackAutomaticallyNamingTheAlert() {
        GuardedRelease<Greeter> g = guard(CONFIG, Greeter.saying("hi")).build();

        RollbackEvent e = g.rollbackOnAlert("HighErrorRate", "alertmanager fired").orElseThrow();

        assertThat(e.triggerKind()).isEqualTo(TriggerKind.ALERT);
        assertThat(e.trigger()).isEqualTo("HighErrorRate");
        assertThat(g.rollbackOnAlert("HighErrorRate", "again")).isEmpty();
    }
}
