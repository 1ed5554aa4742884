package dev.drkit.core.rollback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.rollback.GuardState;
import dev.drkit.testkit.ManualClock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * With the default rollout plan and judge, a candidate no worse than the stable version goes
 * through every step within a bounded number of calls, and a worse one is still rolled back.
 */
class HealthyCandidatePromotionTest {
    final ManualClock clock = ManualClock.at(Instant.parse("2026-01-05T10:00:00Z"));
    final AtomicLong nanos = new AtomicLong();
    final List<GuardEvent> events = new CopyOnWriteArrayList<>();

    GuardedRelease<Greeter> guard(Greeter stable, Greeter candidate) {
        return GuardedRelease.<Greeter>builder("g").clock(clock).ticker(() -> nanos.addAndGet(1_000))
                .stable("v1", stable).candidate("v2", () -> candidate).listener(events::add).build();
    }

    /** Drives calls until the guard leaves ROLLING_OUT or the limit is reached; returns the calls made. */
    static long driveUntilDecided(GuardedRelease<Greeter> g, long limit) {
        long i = 0;
        for (; i < limit && g.state() == GuardState.ROLLING_OUT; i++) {
            try {
                g.call("user-" + i, s -> s.greet("x"));
            } catch (IllegalStateException expected) {
                // a failure reaches the caller
            }
        }
        return i;
    }

    /** Fails every {@code every}-th call it takes, deterministically. */
    static Greeter failingOneIn(long every, String word) {
        AtomicLong calls = new AtomicLong();
        return who -> {
            if (calls.incrementAndGet() % every == 0) {
                throw new IllegalStateException(word + " failed");
            }
            return word + " " + who;
        };
    }

    long stepsAdvanced() {
        return events.stream().filter(e -> e instanceof GuardEvent.WeightChanged).count();
    }

    @Test
    void aCandidateWithNoFailuresIsPromotedThroughEveryStepOfTheDefaultPlan() {
        GuardedRelease<Greeter> g = guard(Greeter.saying("hi"), Greeter.saying("hello"));

        long calls = driveUntilDecided(g, 3_000_000);

        assertThat(g.state()).as("after %d calls: %s", calls, g.snapshot()).isEqualTo(GuardState.PROMOTED);
        assertThat(stepsAdvanced()).isEqualTo(RolloutPlan.DEFAULT.size() - 1);
        // 1% of the traffic until the candidate has shown about 12,700 calls with no failure.
        assertThat(calls).isLessThan(1_400_000);
    }

    @Test
    void aCandidateFailingAtTheStableRateIsPromotedThroughEveryStepOfTheDefaultPlan() {
        GuardedRelease<Greeter> g = guard(failingOneIn(100, "hi"), failingOneIn(100, "hello"));

        long calls = driveUntilDecided(g, 3_000_000);

        assertThat(g.state()).as("after %d calls: %s", calls, g.snapshot()).isEqualTo(GuardState.PROMOTED);
        assertThat(stepsAdvanced()).isEqualTo(RolloutPlan.DEFAULT.size() - 1);
    }

    @Test
    void aCandidateFailingWhileTheStableNeverDoesIsRolledBackNotPromoted() {
        GuardedRelease<Greeter> g = guard(Greeter.saying("hi"), failingOneIn(1_000, "hello"));

        long calls = driveUntilDecided(g, 3_000_000);

        assertThat(g.state()).as("after %d calls: %s", calls, g.snapshot()).isEqualTo(GuardState.ROLLED_BACK);
    }

    @Test
    void aCandidateFailingThreeTimesAsOftenAsTheStableIsRolledBackNotPromoted() {
        GuardedRelease<Greeter> g = guard(failingOneIn(300, "hi"), failingOneIn(100, "hello"));

        long calls = driveUntilDecided(g, 3_000_000);

        assertThat(g.state()).as("after %d calls: %s", calls, g.snapshot()).isEqualTo(GuardState.ROLLED_BACK);
        assertThat(stepsAdvanced()).isZero();
    }
}
