package dev.drkit.core.rollback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.rollback.GuardState;
import dev.drkit.api.rollback.HoldReason;
import dev.drkit.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A candidate call that has not returned has nothing in the evidence yet: the step waits for a
 * call running longer than the slow-call duration instead of promoting the candidate over it.
 */
class HungCandidateCallTest {
    final AtomicLong nanos = new AtomicLong();
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicBoolean hung = new AtomicBoolean();

    /** Blocks in its first call asked to greet "hang" until released. */
    Greeter hangingOnce() {
        return who -> {
            if (who.equals("hang") && hung.compareAndSet(false, true)) {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return "hello " + who;
        };
    }

    @Test
    void aCandidateCallRunningPastTheSlowCallDurationHoldsTheStepUntilItReturns() throws Exception {
        Greeter candidate = hangingOnce();
        GuardedRelease<Greeter> g = GuardedRelease.<Greeter>builder("g")
                .clock(ManualClock.at(Instant.parse("2026-01-05T10:00:00Z"))).ticker(nanos::get)
                .config(GuardConfig.DEFAULT.withJudge(GuardedReleaseTest.JUDGE)
                        .withPlan(RolloutPlan.of(100, Duration.ZERO, 0.5)))
                .stable("v1", Greeter.saying("hi")).candidate("v2", () -> candidate).build();
        Thread caller = new Thread(() -> {
            for (int i = 0; entered.getCount() > 0; i++) {
                g.call("hanging-" + i, s -> s.greet("hang"));
            }
        });
        caller.start();
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        nanos.addAndGet(Duration.ofSeconds(2).toNanos());

        long calls = HealthyCandidatePromotionTest.driveUntilDecided(g, 20_000);

        assertThat(g.state()).as("after %d calls", calls).isEqualTo(GuardState.ROLLING_OUT);
        assertThat(g.snapshot().hold().reason()).isEqualTo(HoldReason.LATENCY_CALLS);
        assertThat(g.snapshot().hold().detail()).contains("a candidate call has been running for 2 s")
                .contains("slow-call duration 1 s");

        release.countDown();
        caller.join(10_000);
        HealthyCandidatePromotionTest.driveUntilDecided(g, 20_000);

        assertThat(g.state()).as("%s", g.snapshot()).isEqualTo(GuardState.PROMOTED);
    }
}
