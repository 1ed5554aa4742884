package dev.drkit.core.rollback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.rollback.GuardState;
import dev.drkit.api.rollback.Judge;
import dev.drkit.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * With a baseline learnt from a stable version that has taken few calls (a plan whose first step
 * is 50%), PROMOTE needs the evidence the README states: a regression of the stable version's
 * rate is not promoted, and a candidate with no failures beside a stable version with none is
 * promoted after about 12,700 of its calls, not after a few hundred.
 */
class PromotionAgainstALittleObservedStableTest {
    private static final RolloutPlan HALF_THEN_ALL = RolloutPlan.of(100, Duration.ZERO, 0.5, 1.0);
    private static final int TRIALS = 40;
    private static final long CALL_LIMIT = 200_000;
    /** One judge for every trial, so that its calibrations are computed once. */
    private static final Judge JUDGE = Judges.sequential(JudgeConfig.DEFAULT);

    /** Fails each call with the given probability, drawn from a seeded generator. */
    static Greeter failingAtRate(double rate, SplittableRandom random, String word) {
        return who -> {
            if (random.nextDouble() < rate) {
                throw new IllegalStateException(word + " failed");
            }
            return word + " " + who;
        };
    }

    static GuardedRelease<Greeter> guard(Greeter stable, Greeter candidate) {
        AtomicLong nanos = new AtomicLong();
        return GuardedRelease.<Greeter>builder("g")
                .clock(ManualClock.at(Instant.parse("2026-01-05T10:00:00Z")))
                .ticker(() -> nanos.addAndGet(1_000))
                .config(GuardConfig.DEFAULT.withPlan(HALF_THEN_ALL)).judge(JUDGE)
                .stable("v1", stable).candidate("v2", () -> candidate).build();
    }

    /** Runs trials of one pair of rates and returns how many ended PROMOTED. */
    static int promotions(double stableRate, double candidateRate, long seed) {
        int promoted = 0;
        for (int trial = 0; trial < TRIALS; trial++) {
            SplittableRandom random = new SplittableRandom(seed * 1_000 + trial);
            GuardedRelease<Greeter> g = guard(failingAtRate(stableRate, random.split(), "hi"),
                    failingAtRate(candidateRate, random.split(), "hello"));
            HealthyCandidatePromotionTest.driveUntilDecided(g, CALL_LIMIT);
            if (g.state() == GuardState.PROMOTED) {
                promoted++;
            }
        }
        return promoted;
    }

    @Test
    void aFivefoldRegressionOfAStableFailingOneCallInAThousandIsNotPromoted() {
        assertThat(promotions(0.001, 0.005, 1)).isZero();
    }

    @Test
    void aCandidateFailingBesideAStableThatNeverFailsIsNotPromoted() {
        assertThat(promotions(0, 0.005, 2)).as("candidate at 0.5%").isZero();
        assertThat(promotions(0, 0.01, 3)).as("candidate at 1%").isZero();
    }

    @Test
    void aCandidateWithNoFailuresBesideAStableWithNoneIsPromotedAfterAbout12700OfItsCalls() {
        AtomicLong candidateCalls = new AtomicLong();
        Greeter candidate = who -> {
            candidateCalls.incrementAndGet();
            return "hello " + who;
        };
        GuardedRelease<Greeter> g = guard(Greeter.saying("hi"), candidate);

        long calls = HealthyCandidatePromotionTest.driveUntilDecided(g, CALL_LIMIT);

        assertThat(g.state()).as("after %d calls: %s", calls, g.snapshot()).isEqualTo(GuardState.PROMOTED);
        // 12,689 calls to leave the first step (the judge is asked once in 64 candidate calls),
        // then the last step's 100 calls of its own.
        assertThat(candidateCalls.get()).isBetween(12_689L, 12_900L);
    }
}
