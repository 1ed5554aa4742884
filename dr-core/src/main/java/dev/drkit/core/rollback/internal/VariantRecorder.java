package dev.drkit.core.rollback.internal;

import dev.drkit.api.rollback.VariantStats;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one version did during one rollout: counts, consecutive failures and latencies, all
 * kept with atomics so that recording never locks.
 */
public final class VariantRecorder {
    private final AtomicLong calls = new AtomicLong();
    private final LongAdder failures = new LongAdder();
    private final LongAdder slow = new LongAdder();
    private final AtomicLong consecutive = new AtomicLong();
    private final LatencyHistogram latency = new LatencyHistogram();
    private final long slowNanos;

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
     * @return the number of calls recorded so far, this one included
     */
    public long success(long nanos) {
        latency.record(nanos);
        if (nanos >= slowNanos) {
            slow.increment();
        }
        if (consecutive.get() != 0) {
            consecutive.set(0);
        }
        return calls.incrementAndGet();
    }

    /**
     * Records a failure.
     *
     * @param nanos the call's duration
     * @return the number of calls recorded so far, this one included
     */
    public long failure(long nanos) {
        latency.record(nanos);
        if (nanos >= slowNanos) {
            slow.increment();
        }
        failures.increment();
        consecutive.incrementAndGet();
        return calls.incrementAndGet();
    }

    /**
     * Returns the number of calls recorded so far.
     *
     * @return the count
     */
    public long calls() {
        return calls.get();
    }

    /**
     * Returns a consistent-enough snapshot as stats: the counts are read failures first, so
     * that failures never exceed calls.
     *
     * @param circuitOpen whether the version's circuit is open
     * @return the stats
     */
    public VariantStats stats(boolean circuitOpen) {
        long consec = consecutive.get();
        long f = Math.max(failures.sum(), consec);
        long s = slow.sum();
        long n = Math.max(calls.get(), Math.max(f, s));
        long[] p = latency.percentiles(0.95, 0.99);
        return new VariantStats(n, f, s, consec, Duration.ofNanos(p[0]), Duration.ofNanos(p[1]), circuitOpen);
    }
}
