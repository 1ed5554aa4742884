package dev.drkit.core.rollback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.health.ProbeResult;
import dev.drkit.api.rollback.GuardState;
import dev.drkit.api.rollback.TriggerKind;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GuardSchedulingTest {

    /** A scheduler that hands the scheduled task to the test instead of running it on time. */
    static final class CapturingScheduler extends ScheduledThreadPoolExecutor {
        Runnable task = () -> { };
        long periodNanos;
        ScheduledFuture<?> future;

        CapturingScheduler() {
            super(1);
        }

        @Override
        public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
            task = command;
            periodNanos = unit.toNanos(delay);
            future = super.schedule(() -> { }, 365, TimeUnit.DAYS);
            return future;
        }
    }

    @Test
    void theInjectedSchedulerRunsTheChecksEveryProbeIntervalAndStopsOnClose() {
        CapturingScheduler scheduler = new CapturingScheduler();
        try {
            GuardedRelease<Greeter> g = GuardedRelease.<Greeter>builder("greeter")
                    .config(GuardedReleaseTest.CONFIG.withProbes(new ProbeSettings(Duration.ofSeconds(7),
                            Duration.ofSeconds(1), 2)))
                    .clock(new ManualClock()).scheduler(scheduler)
                    .stable("v1", Greeter.saying("hello")).candidate("v2", () -> Greeter.saying("hi"))
                    .candidateProbe(HealthProbe.named("cache", () -> ProbeResult.down("evicting")))
                    .build();
            assertThat(scheduler.periodNanos).isEqualTo(Duration.ofSeconds(7).toNanos());

            scheduler.task.run();
            assertThat(g.state()).isEqualTo(GuardState.ROLLING_OUT);
            scheduler.task.run();

            assertThat(g.state()).isEqualTo(GuardState.ROLLED_BACK);
            assertThat(g.lastRollback().orElseThrow().triggerKind()).isEqualTo(TriggerKind.PROBE);
            g.close();
            assertThat(scheduler.future.isCancelled()).isTrue();
            g.runChecks();
            assertThat(GuardedReleaseTest.greet(g, "anyone")).isEqualTo("hello x");
        } finally {
            scheduler.shutdownNow();
        }
    }

    @Test
    void aFailingScheduledCheckIsLoggedAndTheNextOneStillRuns() {
        CapturingScheduler scheduler = new CapturingScheduler();
        try {
            int[] polls = {0};
            GuardedRelease<Greeter> g = GuardedRelease.<Greeter>builder("greeter").config(GuardedReleaseTest.CONFIG)
                    .clock(new ManualClock()).scheduler(scheduler)
                    .stable("v1", Greeter.saying("hello")).candidate("v2", () -> Greeter.saying("hi"))
                    .condition(RollbackCondition.when("second poll", s -> {
                        if (polls[0]++ == 0) {
                            throw new IllegalStateException("flag service down");
                        }
                        return true;
                    }))
                    .build();

            scheduler.task.run();
            assertThat(g.state()).isEqualTo(GuardState.ROLLING_OUT);
            scheduler.task.run();

            assertThat(g.state()).isEqualTo(GuardState.ROLLED_BACK);
            g.close();
        } finally {
            scheduler.shutdownNow();
        }
    }
}
