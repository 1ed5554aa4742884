package dev.drkit.api.rollback;

import dev.drkit.api.DrException;
import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link Guard} has seen of one version since the candidate's rollout began.
 *
 * @param calls calls completed
 * @param failures calls that failed (exceptions recorded as failures, or results a predicate
 *     marked as business failures)
 * @param slowCalls calls slower than the configured slow-call threshold
 * @param consecutiveFailures failures since the last success
 * @param p95 the 95th percentile latency, {@link Duration#ZERO} when unknown
 * @param p99 the 99th percentile latency, {@link Duration#ZERO} when unknown
 * @param circuitOpen whether this version's circuit breaker is open
 */
public record VariantStats(long calls, long failures, long slowCalls, long consecutiveFailures,
        Duration p95, Duration p99, boolean circuitOpen) {

    /** Stats of a version that has seen no calls. */
    public static final VariantStats EMPTY = new VariantStats(0, 0, 0, 0, Duration.ZERO, Duration.ZERO, false);

    /**
     * Validates the counts.
     *
     * @throws DrException {@code INVALID_ARGUMENT} when a count is negative or failures exceed calls
     */
    public VariantStats {
        Objects.requireNonNull(p95, "p95");
        Objects.requireNonNull(p99, "p99");
        if (calls < 0) {
            throw DrException.invalidArgument("calls", "must be >= 0", calls);
        }
        if (failures < 0 || failures > calls) {
            throw DrException.invalidArgument("failures", "must be between 0 and calls (" + calls + ")", failures);
        }
        if (slowCalls < 0 || slowCalls > calls) {
            throw DrException.invalidArgument("slowCalls", "must be between 0 and calls (" + calls + ")", slowCalls);
        }
        if (consecutiveFailures < 0 || consecutiveFailures > failures) {
            throw DrException.invalidArgument("consecutiveFailures",
                    "must be between 0 and failures (" + failures + ")", consecutiveFailures);
        }
    }

    /**
     * Returns the observed failure rate.
     *
     * @return failures / calls, or 0 when there were no calls
     */
    public double failureRate() {
        return calls == 0 ? 0.0 : (double) failures / calls;
    }
}
