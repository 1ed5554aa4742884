package dev.drkit.core.rollback.internal;

import dev.drkit.api.rollback.VariantStats;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one version did during one rollout: counts, consecutive failures and latencies, all
 * kept with atomics so that recording never locks. Every call lands in the latency histogram,
 * so the histogram's total is the call count: a success costs one atomic increment. Calls
 * that have started and not yet returned are kept too ({@link #started}), so that a rollout
 * does not advance past a call that hangs before it has anything to record.
 */
public final class VariantRecorder {
    private final LongAdder failures = new LongAdder();
    private final LongAdder slow = new LongAdder();
    private final AtomicLong consecutive = new AtomicLong();
    private final LatencyHistogram latency = new LatencyHistogram();
    private final Set<Running> running = ConcurrentHashMap.newKeySet();
    private final long slowNanos;

    /** A call that has started and not yet returned; equal only to itself. */
    public static final class Running {
        private final long startNanos;

        private Running(long startNanos) {
            this.startNanos = startNanos;
        }
    }

    /**
     * Creates a recorder.
     *
     * @param slowNanos calls at least this long count as slow
     */
    public VariantRecorder(long slowNanos) {
        this.slowNanos = slowNanos;
    }

    /**
     * Records a success.
     *
     * @param nanos the call's duration
     * @return the new count of the call's latency bucket: a multiple of 64 about once in 64 calls
     */
    public long success(long nanos) {
        if (nanos >= slowNanos) {
            slow.increment();
        }
        if (consecutive.get() != 0) {
            consecutive.set(0);
        }
        return latency.record(nanos);
    }

    /**
     * Records a failure.
     *
     * @param nanos the call's duration
     */
    public void failure(long nanos) {
        if (nanos >= slowNanos) {
            slow.increment();
        }
        failures.increment();
        consecutive.incrementAndGet();
        latency.record(nanos);
    }

    /**
     * Notes that a call has started; {@link #returned} must follow, whatever the call does.
     *
     * @param startNanos the ticker's reading at the start
     * @return the running call, for {@link #returned}
     */
    public Running started(long startNanos) {
        Running call = new Running(startNanos);
        running.add(call);
        return call;
    }

    /**
     * Notes that a call has returned or thrown.
     *
     * @param call what {@link #started} gave
     */
    public void returned(Running call) {
        running.remove(call);
    }

    /**
     * Returns how long the longest-running call that has not returned has run.
     *
     * @param nowNanos the ticker's reading now
     * @return nanoseconds, 0 when no call is running
     */
    public long longestRunning(long nowNanos) {
        long longest = 0;
        for (Running call : running) {
            longest = Math.max(longest, nowNanos - call.startNanos);
        }
        return longest;
    }

    /**
     * Returns the number of calls recorded so far.
     *
     * @return the count
     */
    public long calls() {
        return latency.total();
    }

    /**
     * Returns a consistent-enough snapshot as stats: failures are read before calls (and
     * recorded before them), so that failures never exceed calls.
     *
     * @param circuitOpen whether the version's circuit is open
     * @return the stats
     */
    public VariantStats stats(boolean circuitOpen) {
        long consec = consecutive.get();
        long f = Math.max(failures.sum(), consec);
        long s = slow.sum();
        long n = Math.max(latency.total(), Math.max(f, s));
        long[] p = latency.percentiles(0.95, 0.99);
        return new VariantStats(n, f, s, consec, Duration.ofNanos(p[0]), Duration.ofNanos(p[1]), circuitOpen);
    }
}
