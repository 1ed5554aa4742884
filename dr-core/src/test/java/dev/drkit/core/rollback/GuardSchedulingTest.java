package dev.drkit.core.rollback;

import java.time.Instant;
import dev.drkit.testkit.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.health.ProbeResult;
import dev.drkit.api.rollback.GuardState;
import dev.drkit.api.rollback.TriggerKind;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
                    .clock(ManualClock.at(Instant.parse("2026-01-05T10:00:00Z"))).scheduler(scheduler)
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
    void aConditionThatThrowsIsSkippedAndTheNextConditionIsStillChecked() {
        CapturingScheduler scheduler = new CapturingScheduler();
        try {
            GuardedRelease<Greeter> g = GuardedRelease.<Greeter>builder("greeter").config(GuardedReleaseTest.CONFIG)
                    .clock(ManualClock.at(Instant.parse("2026-01-05T10:00:00Z"))).scheduler(scheduler)
                    .stable("v1", Greeter.saying("hello")).candidate("v2", () -> Greeter.saying("hi"))
                    .condition(RollbackCondition.when("flag", s -> {
                        throw new IllegalStateException("flag service down");
                    }))
                    .condition(RollbackCondition.when("always", s -> true))
                    .build();

            scheduler.task.run();

            assertThat(g.state()).isEqualTo(GuardState.ROLLED_BACK);
            assertThat(g.lastRollback().orElseThrow().trigger()).isEqualTo("always");
            g.close();
        } finally {
            scheduler.shutdownNow();
        }
    }

    @Test
    void aScheduledCheckThatThrowsIsCaughtSoThatTheSchedulerKeepsRunningIt() {
        CapturingScheduler scheduler = new CapturingScheduler();
        ExecutorService probeThreads = Executors.newSingleThreadExecutor();
        AtomicInteger submits = new AtomicInteger();
        ExecutorService refusesFirst = new AbstractExecutorService() {
            @Override
            public void execute(Runnable command) {
                if (submits.getAndIncrement() == 0) {
                    throw new RejectedExecutionException("probe pool saturated");
                }
                probeThreads.execute(command);
            }

            @Override
            public void shutdown() {
                probeThreads.shutdown();
            }

            @Override
            public List<Runnable> shutdownNow() {
                return probeThreads.shutdownNow();
            }

            @Override
            public boolean isShutdown() {
                return probeThreads.isShutdown();
            }

            @Override
            public boolean isTerminated() {
                return probeThreads.isTerminated();
            }

            @Override
            public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
                return probeThreads.awaitTermination(timeout, unit);
            }
        };
        try {
            GuardedRelease<Greeter> g = GuardedRelease.<Greeter>builder("greeter")
                    .config(GuardedReleaseTest.CONFIG.withProbes(new ProbeSettings(Duration.ofSeconds(5),
                            Duration.ofSeconds(5), 1)))
                    .clock(ManualClock.at(Instant.parse("2026-01-05T10:00:00Z"))).scheduler(scheduler).probeExecutor(refusesFirst)
                    .stable("v1", Greeter.saying("hello")).candidate("v2", () -> Greeter.saying("hi"))
                    .candidateProbe(HealthProbe.named("db", () -> ProbeResult.down("no connection")))
                    .build();

            // A task that throws is never run again by a ScheduledExecutorService: the guard must catch.
            assertThatCode(scheduler.task::run).doesNotThrowAnyException();
            assertThat(submits).hasValue(1);
            assertThat(g.state()).isEqualTo(GuardState.ROLLING_OUT);

            scheduler.task.run();
            assertThat(g.state()).isEqualTo(GuardState.ROLLED_BACK);
            g.close();
        } finally {
            scheduler.shutdownNow();
            probeThreads.shutdownNow();
        }
    }
}
