package dev.drkit.core.rollback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.health.ProbeResult;
import dev.drkit.api.rollback.GuardState;
import dev.drkit.api.rollback.RollbackEvent;
import dev.drkit.api.rollback.RollbackMode;
import dev.drkit.api.rollback.TriggerKind;
import dev.drkit.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Conditions and gradual rollbacks are checked on schedule, whatever else the guard has, and whatever a condition does. */
class ScheduledConditionsTest {
    final ManualClock clock = ManualClock.at(Instant.parse("2026-01-05T10:00:00Z"));
    final GuardSchedulingTest.CapturingScheduler scheduler = new GuardSchedulingTest.CapturingScheduler();
    final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        scheduler.shutdownNow();
    }

    /** Waits, in real time, for the guard's own thread to do something. */
    static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for %s", what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    static ProbeSettings every(Duration interval, Duration timeout) {
        return new ProbeSettings(interval, timeout, 1);
    }

    @Test
    void aGuardWithAConditionAndNoProbeChecksItOnItsOwnThread() throws InterruptedException {
        try (GuardedRelease<Greeter> g = GuardedRelease.<Greeter>builder("greeter")
                .config(GuardedReleaseTest.CONFIG.withProbes(every(Duration.ofMillis(20), Duration.ofSeconds(1))))
                .stable("v1", Greeter.saying("hello")).candidate("v2", () -> Greeter.saying("hi"))
                .condition(RollbackCondition.flag("kill-switch", () -> true))
                .build()) {

            await("the condition's rollback", () -> g.state() == GuardState.ROLLED_BACK);

            RollbackEvent e = g.lastRollback().orElseThrow();
            assertThat(e.trigger()).isEqualTo("kill-switch");
            assertThat(e.mode()).isEqualTo(RollbackMode.CONDITIONAL);
        }
    }

    @Test
    void aGradualRollbackOfAGuardWithoutProbesStepsDownOnItsOwnThread() throws InterruptedException {
        try (GuardedRelease<Greeter> g = GuardedRelease.<Greeter>builder("greeter")
                .config(GuardedReleaseTest.CONFIG.withGradualBatches(4)
                        .withPlan(RolloutPlan.of(50, Duration.ZERO, 0.5, 1.0))
                        .withProbes(every(Duration.ofMillis(20), Duration.ofSeconds(1))))
                .stable("v1", Greeter.saying("hello")).candidate("v2", () -> Greeter.saying("hi"))
                .build()) {

            g.rollbackGradually("op", "slow");
            assertThat(g.state()).isEqualTo(GuardState.ROLLING_BACK);

            await("the gradual rollback's last batch", () -> g.state() == GuardState.ROLLED_BACK);
            assertThat(g.lastRollback().orElseThrow().mode()).isEqualTo(RollbackMode.GRADUAL);
            assertThat(g.candidateWeight()).isZero();
        }
    }

    @Test
    void aConditionThatThrowsAnErrorCountsAsNotHoldingAndTheChecksGoOn() {
        AtomicInteger polls = new AtomicInteger();
        AtomicBoolean later = new AtomicBoolean();
        GuardedRelease<Greeter> g = GuardedRelease.<Greeter>builder("greeter")
                .config(GuardedReleaseTest.CONFIG.withProbes(new ProbeSettings(Duration.ofSeconds(5),
                        Duration.ofSeconds(5), 3)))
                .clock(clock).scheduler(scheduler)
                .stable("v1", Greeter.saying("hello")).candidate("v2", () -> Greeter.saying("hi"))
                .candidateProbe(HealthProbe.named("db", () -> {
                    polls.incrementAndGet();
                    return ProbeResult.up();
                }))
                .condition(RollbackCondition.when("x", s -> {
                    throw new StackOverflowError();
                }))
                .condition(RollbackCondition.flag("later", later::get))
                .build();

        assertThatCode(scheduler.task::run).doesNotThrowAnyException();
        assertThatCode(scheduler.task::run).doesNotThrowAnyException();
        assertThat(polls).hasValue(2);
        assertThat(g.state()).isEqualTo(GuardState.ROLLING_OUT);

        later.set(true);
        scheduler.task.run();

        assertThat(g.state()).isEqualTo(GuardState.ROLLED_BACK);
        assertThat(g.lastRollback().orElseThrow().trigger()).isEqualTo("later");
        g.close();
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aConditionThatHangsHoldsNeitherTheOtherConditionsNorTheNextChecks() {
        AtomicInteger starts = new AtomicInteger();
        AtomicBoolean later = new AtomicBoolean();
        GuardedRelease<Greeter> g = GuardedRelease.<Greeter>builder("greeter")
                .config(GuardedReleaseTest.CONFIG.withProbes(every(Duration.ofSeconds(5), Duration.ofMillis(100))))
                .clock(clock).scheduler(scheduler)
                .stable("v1", Greeter.saying("hello")).candidate("v2", () -> Greeter.saying("hi"))
                .condition(RollbackCondition.when("hangs", s -> {
                    starts.incrementAndGet();
                    boolean interrupted = false;
                    while (release.getCount() > 0) {
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            interrupted = true; // ignores the interrupt, as a careless condition does
                        }
                    }
                    if (interrupted) {
                        Thread.currentThread().interrupt();
                    }
                    return false;
                }))
                .condition(RollbackCondition.flag("later", later::get))
                .build();

        scheduler.task.run();
        scheduler.task.run();
        assertThat(g.state()).isEqualTo(GuardState.ROLLING_OUT);
        assertThat(starts).as("a condition still running is not started again").hasValue(1);

        later.set(true);
        scheduler.task.run();

        assertThat(g.state()).isEqualTo(GuardState.ROLLED_BACK);
        RollbackEvent e = g.lastRollback().orElseThrow();
        assertThat(e.trigger()).isEqualTo("later");
        assertThat(e.triggerKind()).isEqualTo(TriggerKind.CONDITION);
        g.close();
    }
}
