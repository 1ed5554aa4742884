package dev.drkit.core.rollback;

import dev.drkit.api.DrException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The Resilience4j circuit breaker each version of a guard runs behind. Exceptions are named
 * by class so that the settings can live in a file; a builder also takes predicates.
 *
 * @param failureRateThreshold failure rate in percent at which the circuit opens, in (0, 100]
 * @param slowCallRateThreshold slow-call rate in percent at which the circuit opens, in (0, 100]
 * @param slowCallDuration calls slower than this are slow, > 0; while a candidate call has been
 *     running for longer and has not returned, the rollout's step does not advance
 * @param slidingWindowSize calls in the count-based window, > 0
 * @param minimumNumberOfCalls calls before the rates count, > 0
 * @param waitInOpenState how long an open circuit stays open, > 0
 * @param recordExceptions class names of exceptions that count as failures (empty: all)
 * @param ignoreExceptions class names of exceptions that count as neither success nor failure
 */
public record CircuitBreakerSettings(float failureRateThreshold, float slowCallRateThreshold,
        Duration slowCallDuration, int slidingWindowSize, int minimumNumberOfCalls, Duration waitInOpenState,
        List<String> recordExceptions, List<String> ignoreExceptions) {

    /** Defaults: 50% failures or 100% slow calls over 100 calls (at least 20), slow above 1 s, open 60 s. */
    public static final CircuitBreakerSettings DEFAULT = new CircuitBreakerSettings(50f, 100f, Duration.ofSeconds(1),
            100, 20, Duration.ofSeconds(60), List.of(), List.of());

    /**
     * Validates every field.
     *
     * @throws DrException {@code INVALID_ARGUMENT} naming the field that is out of range
     */
    public CircuitBreakerSettings {
        Objects.requireNonNull(slowCallDuration, "slowCallDuration");
        Objects.requireNonNull(waitInOpenState, "waitInOpenState");
        recordExceptions = List.copyOf(Objects.requireNonNull(recordExceptions, "recordExceptions"));
        ignoreExceptions = List.copyOf(Objects.requireNonNull(ignoreExceptions, "ignoreExceptions"));
        if (!(failureRateThreshold > 0 && failureRateThreshold <= 100)) {
            throw DrException.invalidArgument("failureRateThreshold", "must be in (0, 100]", failureRateThreshold);
        }
        if (!(slowCallRateThreshold > 0 && slowCallRateThreshold <= 100)) {
            throw DrException.invalidArgument("slowCallRateThreshold", "must be in (0, 100]", slowCallRateThreshold);
        }
        if (slowCallDuration.isNegative() || slowCallDuration.isZero()) {
            throw DrException.invalidArgument("slowCallDuration", "must be > 0", slowCallDuration);
        }
        if (slidingWindowSize <= 0) {
            throw DrException.invalidArgument("slidingWindowSize", "must be > 0", slidingWindowSize);
        }
        if (minimumNumberOfCalls <= 0) {
            throw DrException.invalidArgument("minimumNumberOfCalls", "must be > 0", minimumNumberOfCalls);
        }
        if (waitInOpenState.isNegative() || waitInOpenState.isZero()) {
            throw DrException.invalidArgument("waitInOpenState", "must be > 0", waitInOpenState);
        }
    }
}
