package dev.drkit.core.rollback.internal;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A lock-free log-linear histogram of durations in nanoseconds: eight sub-buckets per power
 * of two, so a percentile is known to within 12.5%. Recording is one atomic increment.
 */
final class LatencyHistogram {
    private static final int SUB_BITS = 3;
    private static final int SUB = 1 << SUB_BITS;
    private final AtomicLongArray counts = new AtomicLongArray(64 * SUB);

    /**
     * Records one duration.
     *
     * @param nanos the duration, negative values count as 0
     * @return the new count of the duration's bucket, a cheap way to sample calls
     */
    public long record(long nanos) {
        return counts.incrementAndGet(index(Math.max(nanos, 0)));
    }

    /**
     * Returns the number of durations recorded.
     *
     * @return the count
     */
    public long total() {
        long total = 0;
        for (int i = 0, n = counts.length(); i < n; i++) {
            total += counts.get(i);
        }
        return total;
    }

    static int index(long v) {
        if (v < SUB) {
            return (int) v;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(v);
        int sub = (int) ((v >>> (exponent - SUB_BITS)) & (SUB - 1));
        return (exponent - SUB_BITS + 1) * SUB + sub;
    }

    static long upperBound(int index) {
        if (index < SUB) {
            return index;
        }
        int exponent = index / SUB + SUB_BITS - 1;
        long sub = index % SUB;
        return ((SUB + sub + 1) << (exponent - SUB_BITS)) - 1;
    }

    /**
     * Returns the durations at the given quantiles, each the upper bound of its bucket.
     *
     * @param quantiles quantiles in (0, 1], ascending
     * @return nanoseconds, 0 when nothing was recorded
     */
    public long[] percentiles(double... quantiles) {
        int n = counts.length();
        long[] snapshot = new long[n];
        long total = 0;
        for (int i = 0; i < n; i++) {
            snapshot[i] = counts.get(i);
            total += snapshot[i];
        }
        long[] result = new long[quantiles.length];
        if (total == 0) {
            return result;
        }
        int q = 0;
        long seen = 0;
        for (int i = 0; i < n && q < quantiles.length; i++) {
            seen += snapshot[i];
            while (q < quantiles.length && seen >= Math.ceil(quantiles[q] * total)) {
                result[q++] = upperBound(i);
            }
        }
        return result;
    }
}
