package dev.drkit.core.backup;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A clock and a scheduler that move only when a test advances them: a task runs, on the test's
 * thread, when {@link #advance} passes its due time.
 */
final class ManualTime extends Clock {
    private Instant now = Instant.parse("2026-01-05T10:00:00Z");
    private final List<Task> tasks = new ArrayList<>();
    private final Scheduler scheduler = new Scheduler();

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /** Moves time forward, running every task that falls due on the way, in order. */
    void advance(Duration d) {
        Instant end = now.plus(d);
        while (true) {
            Task next = tasks.stream().filter(t -> !t.due.isAfter(end)).min(Comparator.comparing(t -> t.due))
                    .orElse(null);
            if (next == null) {
                break;
            }
            tasks.remove(next);
            now = next.due.isAfter(now) ? next.due : now;
            next.command.run();
            next.done = true;
        }
        now = end;
    }

    int pendingTasks() {
        return tasks.size();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return now;
    }

    private final class Task implements ScheduledFuture<Object> {
        final Instant due;
        final Runnable command;
        boolean done;
        boolean cancelled;

        Task(Instant due, Runnable command) {
            this.due = due;
            this.command = command;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(Duration.between(now, due));
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), o.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            cancelled = tasks.remove(this);
            return cancelled;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public boolean isDone() {
            return done || cancelled;
        }

        @Override
        public Object get() {
            return null;
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            return null;
        }
    }

    /** Only {@code schedule(Runnable, delay, unit)} is supported; the rest is not needed by the service. */
    private final class Scheduler extends AbstractExecutorService implements ScheduledExecutorService {
        private boolean shutdown;

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            if (shutdown) {
                throw new java.util.concurrent.RejectedExecutionException("shut down");
            }
            Task t = new Task(now.plusNanos(unit.toNanos(delay)), command);
            tasks.add(t);
            return t;
        }

        @Override
        public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay,
                TimeUnit unit) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void shutdown() {
            shutdown = true;
        }

        @Override
        public List<Runnable> shutdownNow() {
            shutdown = true;
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return shutdown;
        }

        @Override
        public boolean isTerminated() {
            return shutdown;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return true;
        }

        @Override
        public void execute(Runnable command) {
            command.run();
        }
    }
}
