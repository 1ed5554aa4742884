package dev.drkit.core.rollback;

import dev.drkit.api.DrException;
import java.time.Duration;
import java.util.Objects;

/**
 * How much slower than the stable version a candidate may be before it is rolled back.
 *
 * @param maxP95Ratio candidate p95 over stable p95 above which the candidate rolls back, 0 to disable, else >= 1
 * @param maxP99Ratio candidate p99 over stable p99 above which the candidate rolls back, 0 to disable, else >= 1.
 *     A percentile decides only when it rests on at least {@value #MIN_TAIL_CALLS} of the
 *     candidate's calls: until the candidate has 1,000 calls its p95 stands in for its p99, so
 *     that a rollback needs 5% of its calls past the limit, not the two slowest of 200
 * @param minCalls calls each version must have completed before latency is compared, > 0
 * @param slack how much slower the candidate's percentile must also be in absolute terms, so that
 *     noise on very fast calls (a few microseconds) never rolls back; >= 0
 */
public record LatencySettings(double maxP95Ratio, double maxP99Ratio, long minCalls, Duration slack) {

    /** Defaults: roll back when the candidate's p99 is more than twice the stable's and 5 ms more, after 200 calls each. */
    public static final LatencySettings DEFAULT = new LatencySettings(0, 2.0, 200, Duration.ofMillis(5));

    /**
     * Candidate calls a percentile must rest on, above it, to decide a rollback: 10, so the p99
     * decides from 1,000 candidate calls on. Two versions with the same latencies (5 ms, 2% of
     * calls slower by a heavy tail) were rolled back on the p99 of a few hundred calls, its two
     * or three slowest, in 5 of 50 rollouts ({@code IdenticalLatencyTest}).
     */
    public static final int MIN_TAIL_CALLS = 10;

    /**
     * Validates the fields.
     *
     * @throws DrException {@code INVALID_ARGUMENT} naming the field that is out of range
     */
    public LatencySettings {
        Objects.requireNonNull(slack, "slack");
        if (slack.isNegative()) {
            throw DrException.invalidArgument("slack", "must be >= 0", slack);
        }
        if (!(maxP95Ratio == 0 || maxP95Ratio >= 1) || Double.isInfinite(maxP95Ratio)) {
            throw DrException.invalidArgument("maxP95Ratio", "must be 0 (off) or >= 1", maxP95Ratio);
        }
        if (!(maxP99Ratio == 0 || maxP99Ratio >= 1) || Double.isInfinite(maxP99Ratio)) {
            throw DrException.invalidArgument("maxP99Ratio", "must be 0 (off) or >= 1", maxP99Ratio);
        }
        if (minCalls <= 0) {
            throw DrException.invalidArgument("minCalls", "must be > 0", minCalls);
        }
    }
}
