package dev.drkit.core.rollback;

import java.time.Instant;
import dev.drkit.testkit.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.health.ProbeResult;
import dev.drkit.api.rollback.GuardState;
import dev.drkit.api.rollback.RollbackEvent;
import dev.drkit.api.rollback.RollbackMode;
import dev.drkit.api.rollback.TriggerKind;
import dev.drkit.api.rollback.Variant;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class GuardedReleaseTest {
    static final JudgeConfig JUDGE = JudgeConfig.DEFAULT.withConfiguredBaseline(0.01);
    static final GuardConfig CONFIG = GuardConfig.DEFAULT.withJudge(JUDGE)
            .withPlan(RolloutPlan.of(50, Duration.ZERO, 0.1, 0.5, 1.0));

    final ManualClock clock = ManualClock.at(Instant.parse("2026-01-05T10:00:00Z"));
    final List<GuardEvent> events = new CopyOnWriteArrayList<>();

    GuardedReleaseBuilder<Greeter> guard(GuardConfig config, Greeter candidate) {
        return GuardedRelease.<Greeter>builder("greeter").config(config).clock(clock)
                .stable("v1", Greeter.saying("hello")).candidate("v2", () -> candidate).listener(events::add);
    }

    static void drive(GuardedRelease<Greeter> g, int calls) {
        for (int i = 0; i < calls; i++) {
            try {
                g.call("user-" + i, s -> s.greet("x"));
            } catch (IllegalStateException expected) {
                // the candidate's failure reaches the caller
            }
        }
    }

    static String greet(GuardedRelease<Greeter> g, Object key) {
        return g.call(key, s -> s.greet("x"));
    }

    long rollbacks() {
        return events.stream().filter(e -> e instanceof GuardEvent.RolledBack).count();
    }

    @Test
    void callsAreStickyByKeyAndKeysOnTheCandidateStayThereAsTheWeightGrows() {
        GuardedRelease<Greeter> g = guard(CONFIG.withPlan(RolloutPlan.of(10_000, Duration.ZERO, 0.25, 0.75)),
                Greeter.saying("hi")).latencyNoData(MissingData.IGNORE).build();
        java.util.Set<String> early = new java.util.HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String key = "user-" + i;
            Variant v = g.routeOf(key);
            assertThat(g.routeOf(key)).isEqualTo(v);
            if (v == Variant.CANDIDATE) {
                early.add(key);
            }
        }
        assertThat(early.size()).isBetween(2_300, 2_700);

        for (int round = 0; g.step() == 0 && round < 10; round++) {
            for (String key : early) {
                assertThat(greet(g, key)).isEqualTo("hi x");
            }
        }

        assertThat(g.candidateWeight()).isEqualTo(0.75);
        assertThat(early).allMatch(key -> g.routeOf(key) == Variant.CANDIDATE);
        long now = java.util.stream.IntStream.range(0, 10_000)
                .filter(i -> g.routeOf("user-" + i) == Variant.CANDIDATE).count();
        assertThat(now).isBetween(7_300L, 7_700L);
    }

    @Test
    void withNoTrafficNothingIsPromotedHoweverLongItWaits() {
        GuardedRelease<Greeter> g = guard(CONFIG.withPlan(RolloutPlan.of(0, Duration.ofMinutes(1), 0.5, 1.0)),
                Greeter.saying("hi")).build();

        for (int i = 0; i < 10; i++) {
            clock.advance(Duration.ofHours(1));
            g.runChecks();
        }

        assertThat(g.state()).isEqualTo(GuardState.ROLLING_OUT);
        assertThat(g.step()).isZero();
        assertThat(events).noneMatch(e -> e instanceof GuardEvent.Promoted || e instanceof GuardEvent.WeightChanged);
    }

    @Test
    void aHealthyCandidateAdvancesStepByStepAndIsPromotedWithEvidence() {
        GuardedRelease<Greeter> g = guard(CONFIG, Greeter.saying("hi")).build();

        drive(g, 8_000);

        assertThat(g.state()).as("%s", g.lastRollback()).isEqualTo(GuardState.PROMOTED);
        assertThat(g.stableVersion()).isEqualTo("v2");
        assertThat(greet(g, "anyone")).isEqualTo("hi x");
        assertThat(events).extracting(e -> e.getClass().getSimpleName())
                .containsExactly("RolloutStarted", "WeightChanged", "WeightChanged", "Promoted");
        GuardEvent.Promoted promoted = (GuardEvent.Promoted) events.get(3);
        assertThat(promoted.verdict().evidence().candidateCalls()).isPositive();
        assertThat(promoted.previousVersion()).isEqualTo("v1");
    }

    @Test
    void aStepWithATimeGateWaitsForTheClockEvenWithTraffic() {
        GuardedRelease<Greeter> g = guard(CONFIG.withPlan(RolloutPlan.of(10, Duration.ofMinutes(5), 0.5, 1.0)),
                Greeter.saying("hi")).build();

        drive(g, 4_000);
        assertThat(g.step()).isZero();

        clock.advance(Duration.ofMinutes(5));
        g.runChecks();
        assertThat(g.step()).isEqualTo(1);
    }

    @Test
    void aFailingCandidateIsRolledBackAutomaticallyAndEveryNewCallGoesToStable() {
        GuardedRelease<Greeter> g = guard(CONFIG.withPlan(RolloutPlan.of(50, Duration.ZERO, 1.0)),
                Greeter.failing("boom")).build();

        drive(g, 20);

        assertThat(g.state()).isEqualTo(GuardState.ROLLED_BACK);
        RollbackEvent e = g.lastRollback().orElseThrow();
        assertThat(e.mode()).isEqualTo(RollbackMode.AUTOMATIC);
        assertThat(e.triggerKind()).isEqualTo(TriggerKind.JUDGE);
        assertThat(e.actor()).isEqualTo("system");
        assertThat(e.fromVersion()).isEqualTo("v2");
        assertThat(e.toVersion()).isEqualTo("v1");
        assertThat(e.verdict().evidence().candidateFailures()).isEqualTo(e.verdict().evidence().candidateCalls());
        assertThat(e.verdict().evidence().candidateCalls()).isLessThanOrEqualTo(3);
        for (int i = 0; i < 100; i++) {
            assertThat(greet(g, "user-" + i)).isEqualTo("hello x");
        }
        assertThat(rollbacks()).isEqualTo(1);
    }

    @Test
    void retryOnStableHidesTheCandidatesFailureFromTheCaller() {
        GuardedRelease<Greeter> g = guard(CONFIG.withRetryOnStable(true).withPlan(RolloutPlan.of(50, Duration.ZERO, 1.0)),
                Greeter.failing("boom")).build();

        for (int i = 0; i < 50; i++) {
            assertThat(greet(g, "user-" + i)).isEqualTo("hello x");
        }
        assertThat(g.state()).isEqualTo(GuardState.ROLLED_BACK);
    }

    @Test
    void aCandidateWhoseConstructorThrowsNeverTakesACall() {
        GuardedRelease<Greeter> g = GuardedRelease.<Greeter>builder("greeter").config(CONFIG).clock(clock)
                .stable("v1", Greeter.saying("hello"))
                .candidate("v2", () -> {
                    throw new IllegalArgumentException("missing setting");
                })
                .listener(events::add).build();

        assertThat(g.state()).isEqualTo(GuardState.STABLE);
        assertThat(g.candidateVersion()).isEmpty();
        assertThat(events).singleElement().isInstanceOfSatisfying(GuardEvent.RolloutFailed.class,
                f -> assertThat(f.error()).contains("missing setting"));
        assertThat(greet(g, "anyone")).isEqualTo("hello x");
    }

    @Test
    void aCandidateWhoseFirstCallThrowsPassesTheFailureOnAndCountsIt() {
        AtomicInteger calls = new AtomicInteger();
        Greeter flaky = who -> {
            if (calls.getAndIncrement() == 0) {
                throw new IllegalStateException("cold start");
            }
            return "hi " + who;
        };
        GuardedRelease<Greeter> g = guard(CONFIG.withPlan(RolloutPlan.of(50, Duration.ZERO, 1.0)), flaky).build();

        assertThatThrownBy(() -> g.call("a", s -> s.greet("x"))).hasMessage("cold start");
        assertThat(greet(g, "a")).isEqualTo("hi x");

        assertThat(g.state()).isEqualTo(GuardState.ROLLING_OUT);
        assertThat(g.observe().candidate().failures()).isEqualTo(1);
        assertThat(g.observe().candidate().calls()).isEqualTo(2);
    }

    @Test
    void ignoredExceptionsCountNeitherAsSuccessNorFailure() {
        Greeter badInput = who -> {
            throw new IllegalArgumentException("bad input " + who);
        };
        GuardedRelease<Greeter> g = guard(CONFIG.withPlan(RolloutPlan.of(50, Duration.ZERO, 1.0)), badInput)
                .ignoreExceptions(IllegalArgumentException.class).build();

        for (int i = 0; i < 200; i++) {
            assertThatThrownBy(() -> g.call("a", s -> s.greet("x"))).isInstanceOf(IllegalArgumentException.class);
        }

        assertThat(g.state()).isEqualTo(GuardState.ROLLING_OUT);
        assertThat(g.observe().candidate().calls()).isZero();
    }

    @Test
    void ignoredExceptionsNamedInTheConfigurationAreLoadedByName() {
        CircuitBreakerSettings cb = new CircuitBreakerSettings(50f, 100f, Duration.ofSeconds(1), 100, 20,
                Duration.ofSeconds(60), List.of(), List.of("java.lang.IllegalArgumentException"));
        GuardedRelease<Greeter> g = guard(CONFIG.withCircuitBreaker(cb).withPlan(RolloutPlan.of(50, Duration.ZERO, 1.0)),
                who -> {
                    throw new IllegalArgumentException("bad input");
                }).build();

        drive(g, 0);
        for (int i = 0; i < 100; i++) {
            assertThatThrownBy(() -> g.call("a", s -> s.greet("x"))).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(g.state()).isEqualTo(GuardState.ROLLING_OUT);
    }

    @Test
    void anUnknownExceptionClassInTheConfigurationIsRejectedNamingTheField() {
        CircuitBreakerSettings cb = new CircuitBreakerSettings(50f, 100f, Duration.ofSeconds(1), 100, 20,
                Duration.ofSeconds(60), List.of("no.such.Failure"), List.of());

        assertThatThrownBy(() -> guard(CONFIG.withCircuitBreaker(cb), Greeter.saying("hi")).build())
                .isInstanceOf(DrException.class)
                .hasMessage("circuitBreaker.recordExceptions must name classes on the class path, but was no.such.Failure");
    }

    @Test
    void businessFailuresMarkedByAResultPredicateRollBack() {
        GuardedRelease<Greeter> g = guard(CONFIG.withPlan(RolloutPlan.of(50, Duration.ZERO, 1.0)), who -> "ERROR")
                .failureResult(r -> "ERROR".equals(r)).build();

        drive(g, 10);

        assertThat(g.state()).isEqualTo(GuardState.ROLLED_BACK);
        assertThat(g.lastRollback().orElseThrow().triggerKind()).isEqualTo(TriggerKind.JUDGE);
    }

    @Test
    void anOpenCandidateCircuitRollsBackAsAnAbsoluteGuard() {
        AtomicInteger n = new AtomicInteger();
        Greeter sixInTenFail = who -> {
            int i = n.getAndIncrement() % 10;
            if (i % 2 == 0 || i == 9) {
                throw new IllegalStateException("down");
            }
            return "hi";
        };
        JudgeConfig lenient = JudgeConfig.DEFAULT.withRegressionRatio(2).withConfiguredBaseline(0.4)
                .withAbsoluteLimits(0, true);
        CircuitBreakerSettings cb = new CircuitBreakerSettings(50f, 100f, Duration.ofSeconds(1), 10, 10,
                Duration.ofSeconds(60), List.of(), List.of());
        GuardedRelease<Greeter> g = guard(CONFIG.withJudge(lenient).withCircuitBreaker(cb)
                .withPlan(RolloutPlan.of(50, Duration.ZERO, 1.0)), sixInTenFail).build();

        drive(g, 12);

        RollbackEvent e = g.lastRollback().orElseThrow();
        assertThat(e.triggerKind()).isEqualTo(TriggerKind.CIRCUIT_BREAKER);
        assertThat(e.trigger()).isEqualTo("circuitOpen");
    }

    @Test
    void consecutiveFailuresRollBackAsAnAbsoluteGuard() {
        JudgeConfig lenient = JudgeConfig.DEFAULT.withRegressionRatio(2).withConfiguredBaseline(0.45)
                .withAbsoluteLimits(4, false);
        GuardedRelease<Greeter> g = guard(CONFIG.withJudge(lenient).withPlan(RolloutPlan.of(50, Duration.ZERO, 1.0)),
                Greeter.failing("down")).build();

        drive(g, 4);

        assertThat(g.lastRollback().orElseThrow().trigger()).isEqualTo("consecutiveFailures");
    }

    @Test
    void aProbeDownForTheConfiguredNumberOfPollsRollsBack() {
        GuardedRelease<Greeter> g = guard(CONFIG, Greeter.saying("hi"))
                .candidateProbe(HealthProbe.named("db", () -> ProbeResult.down("no connection")))
                .build();

        g.runChecks();
        g.runChecks();
        assertThat(g.state()).isEqualTo(GuardState.ROLLING_OUT);
        g.runChecks();

        RollbackEvent e = g.lastRollback().orElseThrow();
        assertThat(e.triggerKind()).isEqualTo(TriggerKind.PROBE);
        assertThat(e.trigger()).isEqualTo("db");
        assertThat(e.verdict().evidence().extra()).containsEntry("downStreak", "3");
        g.close();
    }

    @Test
    void aProbeThatRecoversBetweenDownPollsDoesNotRollBack() {
        AtomicInteger polls = new AtomicInteger();
        GuardedRelease<Greeter> g = guard(CONFIG, Greeter.saying("hi"))
                .candidateProbe(HealthProbe.named("db",
                        () -> polls.getAndIncrement() % 2 == 0 ? ProbeResult.down("blip") : ProbeResult.up()))
                .build();

        for (int i = 0; i < 10; i++) {
            g.runChecks();
        }

        assertThat(g.state()).isEqualTo(GuardState.ROLLING_OUT);
        g.close();
    }

    @Test
    void aProbeThatHangsTimesOutAndCountsAsDownWhenSilenceIsAFailure() {
        CountDownLatch never = new CountDownLatch(1);
        // every reading of the ticker is a second later, so the 1 s timeout is over at the first look
        AtomicLong nanos = new AtomicLong();
        GuardedRelease<Greeter> g = guard(CONFIG.withProbes(new ProbeSettings(Duration.ofSeconds(5),
                Duration.ofSeconds(1), 1)), Greeter.saying("hi")).probeNoAnswer(MissingData.FAIL)
                .ticker(() -> nanos.addAndGet(Duration.ofSeconds(1).toNanos()))
                .candidateProbe(HealthProbe.named("hangs", () -> {
                    never.await();
                    return ProbeResult.up();
                }))
                .build();

        g.runChecks();

        RollbackEvent e = g.lastRollback().orElseThrow();
        assertThat(e.triggerKind()).isEqualTo(TriggerKind.PROBE);
        assertThat(e.reason()).contains("timed out");
        never.countDown();
        g.close();
    }

    @Test
    void aLatencyRollbackReasonPrintsTheLatenciesAsPeopleReadThem() {
        AtomicLong nanos = new AtomicLong();
        GuardedRelease<Greeter> g = GuardedRelease.<Greeter>builder("greeter").clock(clock).ticker(nanos::get)
                .config(CONFIG.withLatency(new LatencySettings(0, 2.0, 20, Duration.ofMillis(1)))
                        .withPlan(RolloutPlan.of(1_000_000, Duration.ZERO, 0.5)))
                .stable("v1", who -> {
                    nanos.addAndGet(80_000);
                    return "hello " + who;
                })
                .candidate("v2", () -> who -> {
                    nanos.addAndGet(25_000_000);
                    return "hi " + who;
                }).build();

        drive(g, 2_400); // over 1,000 candidate calls, so that its p99 itself decides
        g.runChecks();

        RollbackEvent e = g.lastRollback().orElseThrow();
        assertThat(e.triggerKind()).isEqualTo(TriggerKind.LATENCY);
        // the latency histogram's buckets: 25 ms falls in the one up to 25.165823 ms, 80 us in the one up to 81.919 us
        assertThat(e.reason()).isEqualTo("candidate p99 25.2 ms exceeds 2.0x stable p99 81.9 \u00b5s");
    }

    @Test
    void aNullKeyOrFunctionIsRefusedNamingTheParameter() {
        GuardedRelease<Greeter> g = guard(CONFIG, Greeter.saying("hi")).build();

        assertThatThrownBy(() -> g.call(null, s -> s.greet("x"))).isInstanceOf(DrException.class)
                .hasMessage("key must not be null, but was null");
        assertThatThrownBy(() -> g.call("user-1", null)).isInstanceOf(DrException.class)
                .hasMessage("fn must not be null, but was null");
    }

    @Test
    void aCandidateNamedLikeTheStableVersionIsRefusedNamingTheField() {
        assertThatThrownBy(() -> GuardedRelease.<Greeter>builder("greeter").stable("v1", Greeter.saying("hello"))
                .candidate("v1", () -> Greeter.saying("hi")).build()).isInstanceOf(DrException.class)
                .hasMessage("candidateVersion must differ from stableVersion (v1), but was v1");

        GuardedRelease<Greeter> g = GuardedRelease.<Greeter>builder("greeter").stable("v1", Greeter.saying("hello"))
                .build();
        assertThatThrownBy(() -> g.deploy("v1", () -> Greeter.saying("hi"))).isInstanceOf(DrException.class)
                .hasMessage("version must differ from the stable version (v1), but was v1");
        assertThat(g.state()).isEqualTo(GuardState.STABLE);
        g.close();
    }

    @Test
    void aCandidateMuchSlowerThanStableIsRolledBackOnLatency() {
        AtomicLong nanos = new AtomicLong();
        Greeter slow = who -> {
            nanos.addAndGet(2_000_000);
            return "hi " + who;
        };
        GuardedRelease<Greeter> g = guard(CONFIG.withLatency(new LatencySettings(0, 2.0, 20, Duration.ofMillis(1)))
                .withPlan(RolloutPlan.of(1_000_000, Duration.ZERO, 0.5)), slow).ticker(nanos::get).build();

        drive(g, 120);
        g.runChecks();

        RollbackEvent e = g.lastRollback().orElseThrow();
        assertThat(e.triggerKind()).isEqualTo(TriggerKind.LATENCY);
        assertThat(e.verdict().evidence().extra()).containsKeys("candidateP99", "stableP99");
    }

    @Test
    void aCustomTriggerRollsBackWithItsNameAndReason() {
        GuardedRelease<Greeter> g = guard(CONFIG, Greeter.saying("hi"))
                .trigger(new dev.drkit.api.rollback.RollbackTrigger() {
                    @Override
                    public String name() {
                        return "queue-depth";
                    }

                    @Override
                    public Optional<String> evaluate(dev.drkit.api.rollback.Observation o) {
                        return o.candidate().calls() >= 5 ? Optional.of("queue too deep") : Optional.empty();
                    }
                }).build();

        drive(g, 200);
        g.runChecks();

        RollbackEvent e = g.lastRollback().orElseThrow();
        assertThat(e.triggerKind()).isEqualTo(TriggerKind.CUSTOM);
        assertThat(e.trigger()).isEqualTo("queue-depth");
        assertThat(e.reason()).isEqualTo("queue too deep");
    }

    @Test
    void aBlankNameOrAMissingStableVersionIsRejected() {
        assertThatThrownBy(() -> GuardedRelease.builder(" ")).hasMessageContaining("name must not be blank");
        assertThatThrownBy(() -> GuardedRelease.<Greeter>builder("g").build()).hasMessage("stable must be set, but was null");
        assertThatThrownBy(() -> GuardedRelease.<Greeter>builder("g").config(CONFIG).config(CONFIG))
                .hasMessage("config is set twice");
    }
}
