package dev.drkit.core.rollback.internal;

import dev.drkit.api.Ticker;
import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.health.HealthStatus;
import dev.drkit.api.health.ProbeResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Runs a guard's probes and conditions in parallel on an executor, each within a timeout: a
 * probe that throws counts as DOWN; one that does not answer in time is reported as silent (and
 * interrupted), for the guard to treat as missing data or as DOWN. A probe or condition whose
 * previous run is still going (it ignored the interrupt) is not started again: it is reported
 * as silent at once, so that a hung probe holds one thread, not one more at every poll. The
 * timeout and the probes' latencies are measured on the guard's {@link Ticker}, so that a test
 * can let a probe time out by moving its ticker rather than by waiting.
 */
public final class ProbeRunner {
    /**
     * One probe's answer at one poll.
     *
     * @param result what the probe said (DOWN with the cause when it threw or stayed silent)
     * @param answered false when the probe did not answer within the timeout, or its previous
     *     poll was still running
     */
    public record Poll(ProbeResult result, boolean answered) {
    }

    /**
     * One task's outcome at one run.
     *
     * @param value what it returned, null when it threw or did not answer
     * @param error what it threw, null otherwise
     * @param answered false when it did not answer within the timeout, its previous run was
     *     still going, or the run ended early because another task's answer was enough
     * @param why for a task that did not answer, why (for messages)
     * @param <V> the value's type
     */
    public record Attempt<V>(@Nullable V value, @Nullable Throwable error, boolean answered, String why) {
    }

    private final ExecutorService executor;
    private final Duration timeout;
    private final Ticker ticker;
    /** Probes and conditions whose run has not returned yet, by identity. */
    private final Set<Object> running = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));

    /**
     * Creates a runner.
     *
     * @param executor where probes run
     * @param timeout how long each probe may take
     * @param ticker what the timeout and the latencies are measured on
     */
    public ProbeRunner(ExecutorService executor, Duration timeout, Ticker ticker) {
        this.executor = executor;
        this.timeout = timeout;
        this.ticker = ticker;
    }

    /**
     * Returns the time each probe or condition may take.
     *
     * @return the timeout
     */
    public Duration timeout() {
        return timeout;
    }

    /**
     * Runs the probes and waits for all of them, at most the timeout in total.
     *
     * @param probes the probes
     * @return each probe's poll by name, in the given order
     */
    public Map<String, Poll> runAll(List<HealthProbe> probes) {
        List<Callable<ProbeResult>> tasks = new ArrayList<>(probes.size());
        for (HealthProbe probe : probes) {
            tasks.add(() -> timed(probe));
        }
        List<Attempt<ProbeResult>> attempts = attemptAll(probes, tasks, null);
        Map<String, Poll> results = new LinkedHashMap<>();
        for (int i = 0; i < probes.size(); i++) {
            Attempt<ProbeResult> a = attempts.get(i);
            ProbeResult result;
            if (!a.answered()) {
                result = new ProbeResult(HealthStatus.DOWN, a.why(), timeout);
            } else if (a.error() != null) {
                result = ProbeResult.down(String.valueOf(a.error()));
            } else {
                result = a.value();
            }
            results.put(probes.get(i).name(), new Poll(result, a.answered()));
        }
        return results;
    }

    /**
     * Runs tasks in parallel and waits for them, at most the timeout in total; a task still
     * running at the deadline is interrupted and did not answer.
     *
     * @param owners what each task runs (a probe, a condition): one whose previous run is still
     *     going is not started again and did not answer
     * @param tasks the tasks, in the order of {@code owners}
     * @param enough when not null, a value that ends the wait at once: the tasks still running
     *     are interrupted and did not answer
     * @param <V> the tasks' value type
     * @return each task's attempt, in the given order
     * @throws java.util.concurrent.RejectedExecutionException when the executor refuses a task
     */
    public <V> List<Attempt<V>> attemptAll(List<?> owners, List<? extends Callable<V>> tasks,
            @Nullable Predicate<? super V> enough) {
        long deadline = ticker.read() + timeout.toNanos();
        int n = tasks.size();
        List<@Nullable Future<V>> futures = new ArrayList<>(n);
        List<@Nullable Attempt<V>> attempts = new ArrayList<>(n);
        List<@Nullable AtomicBoolean> claims = new ArrayList<>(n);
        BlockingQueue<Integer> done = new LinkedBlockingQueue<>();
        int pending = 0;
        String unanswered = "timed out after " + timeout;
        try {
            for (int i = 0; i < n; i++) {
                Object owner = owners.get(i);
                if (!running.add(owner)) {
                    futures.add(null);
                    claims.add(null);
                    attempts.add(new Attempt<>(null, null, false, "still running since an earlier poll (it did "
                            + "not stop when interrupted after " + timeout + "), so not started again"));
                    continue;
                }
                Callable<V> task = tasks.get(i);
                int index = i;
                // claimed by the task when it starts, or by this runner when it gives up on a task
                // that never started (a cancelled task never runs, so it cannot clear its owner)
                AtomicBoolean claimed = new AtomicBoolean();
                claims.add(claimed);
                Future<V> f;
                try {
                    f = executor.submit(() -> {
                        if (!claimed.compareAndSet(false, true)) {
                            return null;
                        }
                        try {
                            return task.call();
                        } finally {
                            running.remove(owner);
                            done.add(index);
                        }
                    });
                } catch (RuntimeException | Error e) {
                    running.remove(owner);
                    throw e;
                }
                futures.add(f);
                attempts.add(null);
                pending++;
            }
            boolean stop = false;
            while (pending > 0 && !stop) {
                Integer i = next(done, deadline);
                if (i == null) {
                    break;
                }
                pending--;
                Attempt<V> a = outcome(Objects.requireNonNull(futures.get(i)));
                attempts.set(i, a);
                stop = enough != null && a.answered() && a.error() == null && enough.test(a.value());
                if (stop) {
                    unanswered = "not awaited: another answer decided the check";
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            unanswered = "interrupted";
        } finally {
            for (int i = 0; i < futures.size(); i++) {
                Future<V> f = futures.get(i);
                if (attempts.get(i) == null && f != null) {
                    if (f.isDone()) {
                        attempts.set(i, outcome(f));
                    } else {
                        f.cancel(true);
                        if (Objects.requireNonNull(claims.get(i)).compareAndSet(false, true)) {
                            running.remove(owners.get(i));
                        }
                        attempts.set(i, new Attempt<>(null, null, false, unanswered));
                    }
                }
            }
        }
        List<Attempt<V>> result = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Attempt<V> a = i < attempts.size() ? attempts.get(i) : null;
            result.add(a != null ? a : new Attempt<>(null, null, false, "not run"));
        }
        return result;
    }

    /**
     * Waits for the next finished task until the ticker reaches the deadline: a real-time wait
     * for what is left by the ticker, repeated while the ticker says time is left.
     */
    private @Nullable Integer next(BlockingQueue<Integer> done, long deadline) throws InterruptedException {
        while (true) {
            Integer i = done.poll();
            if (i != null) {
                return i;
            }
            long left = deadline - ticker.read();
            if (left <= 0) {
                return null;
            }
            i = done.poll(left, TimeUnit.NANOSECONDS);
            if (i != null) {
                return i;
            }
            // the ticker decides whether the time is up
        }
    }

    private static <V> Attempt<V> outcome(Future<V> f) {
        try {
            return new Attempt<>(f.get(), null, true, "");
        } catch (ExecutionException e) {
            return new Attempt<>(null, e.getCause(), true, "");
        } catch (CancellationException e) {
            return new Attempt<>(null, null, false, "cancelled");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Attempt<>(null, null, false, "interrupted");
        }
    }

    private ProbeResult timed(HealthProbe probe) {
        long start = ticker.read();
        try {
            ProbeResult r = probe.check();
            if (r == null) {
                return ProbeResult.down("probe returned null");
            }
            return r.latency().isZero() ? r.withLatency(Duration.ofNanos(ticker.read() - start)) : r;
        } catch (Exception e) {
            return ProbeResult.down(String.valueOf(e)).withLatency(Duration.ofNanos(ticker.read() - start));
        }
    }
}
