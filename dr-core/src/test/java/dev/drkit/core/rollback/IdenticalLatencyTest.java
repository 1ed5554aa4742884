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
 * Two versions with the same heavy-tailed latencies (5 ms, and 2% of calls slower by a Pareto
 * tail from 3 ms) are not rolled back for latency: the p99 is compared only once each version
 * has enough calls above it, so that the two or three slowest of a couple of hundred calls
 * cannot decide.
 */
class IdenticalLatencyTest {
    private static final int TRIALS = 50;
    private static final Judge JUDGE = Judges.sequential(JudgeConfig.DEFAULT);

    /** Advances the ticker by a latency drawn from the shared distribution. */
    static Greeter taking(AtomicLong nanos, SplittableRandom random, String word) {
        return who -> {
            double millis = 5 + 0.2 * random.nextDouble();
            if (random.nextDouble() < 0.02) {
                millis += 3 * Math.pow(1 - random.nextDouble(), -1 / 1.5);
            }
            nanos.addAndGet((long) (millis * 1_000_000));
            return word + " " + who;
        };
    }

    @Test
    void versionsWithTheSameLatenciesAreNotRolledBackForLatency() {
        int rolledBack = 0;
        int promoted = 0;
        for (int trial = 0; trial < TRIALS; trial++) {
            SplittableRandom random = new SplittableRandom(trial);
            AtomicLong nanos = new AtomicLong();
            GuardedRelease<Greeter> g = GuardedRelease.<Greeter>builder("g")
                    .clock(ManualClock.at(Instant.parse("2026-01-05T10:00:00Z"))).ticker(nanos::get)
                    .config(GuardConfig.DEFAULT.withPlan(RolloutPlan.of(100, Duration.ZERO, 0.5, 1.0))).judge(JUDGE)
                    .stable("v1", taking(nanos, random.split(), "hi"))
                    .candidate("v2", () -> taking(nanos, random.split(), "hello")).build();

            HealthyCandidatePromotionTest.driveUntilDecided(g, 100_000);

            rolledBack += g.state() == GuardState.ROLLED_BACK ? 1 : 0;
            promoted += g.state() == GuardState.PROMOTED ? 1 : 0;
        }
        assertThat(rolledBack).as("rolled back").isZero();
        assertThat(promoted).as("promoted").isEqualTo(TRIALS);
    }
}
