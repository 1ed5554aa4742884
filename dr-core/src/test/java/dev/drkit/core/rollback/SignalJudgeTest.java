package dev.drkit.core.rollback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.rollback.Decision;
import dev.drkit.api.rollback.Observation;
import dev.drkit.api.rollback.Signal;
import dev.drkit.api.rollback.SignalCounts;
import dev.drkit.api.rollback.VariantStats;
import dev.drkit.api.rollback.Verdict;
import dev.drkit.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SignalJudgeTest {
    private static final JudgeConfig CONFIG = JudgeConfig.DEFAULT;
    private final ManualClock clock = ManualClock.at(Instant.parse("2026-12-05T09:00:00Z"));

    /** A signal whose counts the test sets. */
    static final class Counter implements Signal {
        final String name;
        final AtomicReference<SignalCounts> counts = new AtomicReference<>(new SignalCounts(0, 0, 0, 0));

        Counter(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Optional<SignalCounts> read(Observation observation) {
            return Optional.of(counts.get());
        }
    }

    private static VariantStats stats(long calls, long failures) {
        return new VariantStats(calls, failures, 0, 0, Duration.ZERO, Duration.ZERO, false);
    }

    private static Observation observation(long stableCalls, long stableFailures, long calls, long failures) {
        return new Observation("g", stats(stableCalls, stableFailures), stats(calls, failures), 0.05, Duration.ZERO);
    }

    private SignalJudge judge(List<? extends Signal> signals) {
        return SignalJudge.of(CONFIG, signals, Runnable::run, clock, Duration.ZERO, Duration.ofSeconds(2));
    }

    @Test
    void alphaIsSplitEvenlyBetweenTheErrorsAndEachSignal() {
        assertThat(judge(List.of(new Counter("a"), new Counter("b"))).alphaShare()).isCloseTo(0.05 / 3,
                org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void aSignalWhoseBadEventsFallOnTheCandidateRollsItBackNamingTheSignal() {
        Counter abandon = new Counter("checkout-abandon");
        SignalJudge judge = judge(List.of(abandon));
        assertThat(judge.judge(observation(1_900, 19, 100, 1)).decision()).isNotEqualTo(Decision.ROLLBACK);

        abandon.counts.set(new SignalCounts(19_000, 190, 1_000, 60));
        Verdict v = judge.judge(observation(19_000, 190, 1_000, 10));

        assertThat(v.decision()).isEqualTo(Decision.ROLLBACK);
        assertThat(v.reason()).startsWith("signal checkout-abandon: ");
        assertThat(v.evidence().extra()).containsEntry("rule", "signal").containsEntry("signal", "checkout-abandon");
        assertThat(v.evidence().candidateFailures()).isEqualTo(60);
    }

    @Test
    void aSignalThatThrowsHoldsTheRolloutAndNeverRollsBack() {
        Signal broken = new Signal() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public Optional<SignalCounts> read(Observation observation) {
                throw new IllegalStateException("metrics backend down");
            }
        };
        SignalJudge judge = judge(List.of(broken));

        Verdict healthy = judge.judge(observation(100_000, 1_000, 5_000, 40));

        assertThat(healthy.decision()).isEqualTo(Decision.CONTINUE);
        assertThat(healthy.reason()).contains("signal broken has no data: read failed")
                .contains("metrics backend down");
        assertThat(judge.judge(observation(100_000, 1_000, 5_000, 40)).decision()).isEqualTo(Decision.CONTINUE);
    }

    @Test
    void aSignalThatReportsNoDataHoldsAndOneThatAnswersAgainLetsTheRolloutGoOn() {
        AtomicReference<Optional<SignalCounts>> answer = new AtomicReference<>(Optional.empty());
        Signal flaky = new Signal() {
            @Override
            public String name() {
                return "flaky";
            }

            @Override
            public Optional<SignalCounts> read(Observation observation) {
                return answer.get();
            }
        };
        SignalJudge judge = judge(List.of(flaky));
        assertThat(judge.judge(observation(100_000, 1_000, 5_000, 40)).reason()).contains("reported no data");

        answer.set(Optional.of(new SignalCounts(100, 1, 5, 0)));
        assertThat(judge.judge(observation(100_000, 1_000, 5_000, 40)).decision()).isEqualTo(Decision.PROMOTE);
    }

    @Test
    void aSignalThatHangsCountsAsSilentAfterTheTimeoutWithoutBlockingTheCaller() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Signal hanging = new Signal() {
            @Override
            public String name() {
                return "hanging";
            }

            @Override
            public Optional<SignalCounts> read(Observation observation) throws InterruptedException {
                release.await();
                return Optional.of(new SignalCounts(0, 0, 0, 0));
            }
        };
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            SignalJudge judge = SignalJudge.of(CONFIG, List.of(hanging), pool, clock, Duration.ZERO,
                    Duration.ofSeconds(2));
            assertThat(judge.judge(observation(100_000, 1_000, 5_000, 40)).reason()).contains("not read yet");

            clock.advance(Duration.ofSeconds(3));
            Verdict late = judge.judge(observation(100_000, 1_000, 5_000, 40));

            assertThat(late.decision()).isEqualTo(Decision.CONTINUE);
            assertThat(late.reason()).contains("signal hanging has no data: no answer within PT2S");
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void badSettingsAreRejectedNamingTheField() {
        assertThatThrownBy(() -> SignalJudge.of(CONFIG, List.of(new Counter("a"), new Counter("a")), Runnable::run,
                clock, Duration.ZERO, Duration.ofSeconds(1))).isInstanceOf(DrException.class)
                .hasMessageStartingWith("signals must have distinct names");
        assertThatThrownBy(() -> SignalJudge.of(CONFIG, List.of(), Runnable::run, clock, Duration.ZERO,
                Duration.ZERO)).hasMessageStartingWith("readTimeout must be > 0");
        assertThatThrownBy(() -> new SignalCounts(10, 11, 0, 0)).hasMessageStartingWith("stableBad must be between");
    }

    /** Draws Binomial(n, p) by jumping geometric gaps: cost in proportion to the events. */
    private static long binomial(SplittableRandom random, long n, double p) {
        double logPass = Math.log1p(-p);
        long events = 0;
        long at = 0;
        while (true) {
            at += (long) Math.floor(Math.log(1.0 - random.nextDouble()) / logPass) + 1;
            if (at > n) {
                return events;
            }
            events++;
        }
    }

    /**
     * Runs healthy candidates (no worse than the stable version on errors and on two signals)
     * for 20,000 candidate calls at 5% of the traffic, checking every 100 calls, and returns the
     * share rolled back.
     */
    private double falseRollbackRate(JudgeConfig config, boolean split, int runs, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int rolledBack = 0;
        double[] rates = {0.01, 0.02, 0.005};
        // split in two: the whole alpha for the signal's test
        JudgeConfig twice = config.withAlpha(2 * config.alpha());
        // one set of judges for every run: a run starts with fewer candidate calls than the last
        // one ended with, which the judges take for a new rollout
        Counter a = new Counter("a");
        Counter b = new Counter("b");
        List<Counter> signals = List.of(a, b);
        SignalJudge combined = SignalJudge.of(config, signals, Runnable::run, clock, Duration.ZERO,
                Duration.ofSeconds(1));
        SignalJudge[] alone = {
            SignalJudge.of(config, List.of(), Runnable::run, clock, Duration.ZERO, Duration.ofSeconds(1)),
            SignalJudge.of(twice, List.of(a), Runnable::run, clock, Duration.ZERO, Duration.ofSeconds(1)),
            SignalJudge.of(twice, List.of(b), Runnable::run, clock, Duration.ZERO, Duration.ofSeconds(1))};
        for (int run = 0; run < runs; run++) {
            long[] stable = new long[3];
            long[] candidate = new long[3];
            long calls = 0;
            boolean hit = false;
            while (calls < 20_000 && !hit) {
                calls += 100;
                for (int i = 0; i < 3; i++) {
                    stable[i] += binomial(random, 1_900, rates[i]);
                    candidate[i] += binomial(random, 100, rates[i]);
                }
                a.counts.set(new SignalCounts(calls * 19, stable[1], calls, candidate[1]));
                b.counts.set(new SignalCounts(calls * 19, stable[2], calls, candidate[2]));
                Observation o = observation(calls * 19, stable[0], calls, candidate[0]);
                if (split) {
                    hit = combined.judge(o).decision() == Decision.ROLLBACK;
                } else {
                    // each test with the whole alpha: the judges of one signal also judge the errors,
                    // so only their signal's verdict counts
                    hit = alone[0].judge(o).decision() == Decision.ROLLBACK
                            || alone[1].judge(o).reason().startsWith("signal a:")
                            || alone[2].judge(o).reason().startsWith("signal b:");
                }
            }
            if (hit) {
                rolledBack++;
            }
        }
        return (double) rolledBack / runs;
    }

    @Test
    void errorsAndTwoSignalsRollBackAHealthyCandidateAtMostAlphaOfTheTimeAndWouldNotWithoutTheSplit() {
        double combined = falseRollbackRate(CONFIG, true, 1_000, 21);
        double unsplit = falseRollbackRate(CONFIG, false, 1_000, 21);

        // alpha 0.05 plus two standard errors of 1,000 trials
        assertThat(combined).as("combined false-rollback rate").isLessThanOrEqualTo(0.064);
        assertThat(unsplit).as("three tests each at the whole alpha").isGreaterThan(combined);
        System.out.printf("false rollbacks, errors + 2 signals: split %.4f, each at alpha %.4f%n", combined, unsplit);
    }

    @Test
    void aGuardWithTheSignalJudgeRollsBackOnTheSignalAndRecordsItAsTheReason() {
        // every read, the candidate's refunds grow four times as fast as the stable version's
        AtomicReference<Long> reads = new AtomicReference<>(0L);
        Signal refunds = new Signal() {
            @Override
            public String name() {
                return "refunds";
            }

            @Override
            public Optional<SignalCounts> read(Observation observation) {
                long n = reads.updateAndGet(x -> x + 1);
                return Optional.of(new SignalCounts(1_000 * n, 10 * n, 1_000 * n, 40 * n));
            }
        };
        // both versions fail on every tenth key, so the judge is asked and the errors are even
        java.util.function.IntUnaryOperator tenth = x -> {
            if (x % 10 == 0) {
                throw new IllegalStateException("bad key " + x);
            }
            return x;
        };
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        GuardedRelease<java.util.function.IntUnaryOperator> g = GuardedRelease
                .<java.util.function.IntUnaryOperator>builder("orders").stable("v1", tenth).candidate("v2", () -> tenth)
                .config(GuardConfig.DEFAULT.withPlan(RolloutPlan.of(1_000_000, Duration.ZERO, 0.5)))
                .judge(judge(List.of(refunds))).clock(clock).meterRegistry(registry).build();
        try {
            for (int i = 0; i < 2_000 && g.state() != dev.drkit.api.rollback.GuardState.ROLLED_BACK; i++) {
                int key = i;
                try {
                    g.call(key, f -> f.applyAsInt(key));
                } catch (IllegalStateException expected) {
                    // a failing key, on either version
                }
            }

            assertThat(g.state()).isEqualTo(dev.drkit.api.rollback.GuardState.ROLLED_BACK);
            assertThat(reads.get()).isGreaterThanOrEqualTo(2);
            assertThat(g.decisions().get(g.decisions().size() - 1).signal()).isEqualTo("signal:refunds");
            assertThat(registry.get("dr.rollback.total").tag("reason", "signal:refunds").counter().count())
                    .isEqualTo(1);
        } finally {
            g.close();
        }
    }
}
