package dev.drkit.core.store.remote;

import dev.drkit.api.DrException;
import dev.drkit.core.store.StoreCalls;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How hard a remote store tries before it gives up, the same for every remote store: timeouts,
 * attempts and backoff, the circuit breaker, how many chunks of one object go up at once, and
 * where the {@code dr.store.*} meters go.
 *
 * @param connectTimeout how long to wait for a connection, > 0
 * @param attemptTimeout how long one HTTP attempt may take before it is abandoned and retried, > 0
 * @param maxAttempts how many times a request is tried in all, the first included: 1 to 20
 * @param initialBackoff the wait before the first retry, doubled (with jitter) for each further one, > 0
 * @param maxBackoff the longest wait between two attempts, >= {@code initialBackoff}
 * @param circuitBreaker the breaker's configuration; it counts calls, each after its attempts, and only
 *     transient failures count against it
 * @param uploadConcurrency how many chunks (parts, blocks) of one object are uploaded at once: 1 to 64
 * @param meterRegistry where the store's meters go, or null for none
 */
public record RemoteStoreSettings(Duration connectTimeout, Duration attemptTimeout, int maxAttempts,
        Duration initialBackoff, Duration maxBackoff, CircuitBreakerConfig circuitBreaker, int uploadConcurrency,
        @Nullable MeterRegistry meterRegistry) {
    /** How long to wait for a connection: 5 seconds. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** How long one HTTP attempt may take before it is abandoned and retried: 60 seconds. */
    public static final Duration DEFAULT_ATTEMPT_TIMEOUT = Duration.ofSeconds(60);
    /** How many times a request is tried in all, the first included: 5. */
    public static final int DEFAULT_MAX_ATTEMPTS = 5;
    /** The wait before the first retry, doubled (with jitter) for each further one: 200 ms. */
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(200);
    /** The longest wait between two attempts: 5 seconds. */
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(5);
    /**
     * The circuit breaker: it opens when half of the last 20 calls (at least 10) failed
     * transiently, each after all its attempts, refuses calls for 30 seconds, then lets 3
     * through to probe. A call it let through is never cut short by it.
     */
    public static final CircuitBreakerConfig DEFAULT_CIRCUIT_BREAKER = CircuitBreakerConfig.custom()
            .failureRateThreshold(50)
            .slidingWindowSize(20)
            .minimumNumberOfCalls(10)
            .waitDurationInOpenState(Duration.ofSeconds(30))
            .permittedNumberOfCallsInHalfOpenState(3)
            .build();
    /** How many chunks of one object are uploaded at once: 4. */
    public static final int DEFAULT_UPLOAD_CONCURRENCY = 4;
    /** Every setting at its default, with no meter registry. */
    public static final RemoteStoreSettings DEFAULT = new RemoteStoreSettings(DEFAULT_CONNECT_TIMEOUT,
            DEFAULT_ATTEMPT_TIMEOUT, DEFAULT_MAX_ATTEMPTS, DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_BACKOFF,
            DEFAULT_CIRCUIT_BREAKER, DEFAULT_UPLOAD_CONCURRENCY, null);

    /**
     * Validates every field.
     *
     * @throws DrException {@code INVALID_ARGUMENT} naming the first field out of range
     */
    public RemoteStoreSettings {
        positive("connectTimeout", connectTimeout);
        positive("attemptTimeout", attemptTimeout);
        between("maxAttempts", maxAttempts, 1, 20);
        positive("initialBackoff", initialBackoff);
        positive("maxBackoff", maxBackoff);
        Objects.requireNonNull(circuitBreaker, "circuitBreaker");
        between("uploadConcurrency", uploadConcurrency, 1, 64);
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw DrException.invalidArgument("maxBackoff", "must be >= initialBackoff (" + initialBackoff + ")",
                    maxBackoff);
        }
    }

    /**
     * Creates the runner that sends a store's requests with these attempts, backoff, breaker
     * and meters.
     *
     * @param storeKind the {@code store} tag, such as {@code s3}
     * @param location the store's redacted URI, for messages and the breaker's name
     * @return the runner
     */
    public StoreCalls calls(String storeKind, String location) {
        return new StoreCalls(storeKind, location, maxAttempts, initialBackoff, maxBackoff, circuitBreaker,
                meterRegistry);
    }

    static Duration positive(String field, Duration value) {
        Objects.requireNonNull(value, field);
        if (value.isZero() || value.isNegative()) {
            throw DrException.invalidArgument(field, "must be > 0", value);
        }
        return value;
    }

    static int between(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw DrException.invalidArgument(field, "must be between " + min + " and " + max, value);
        }
        return value;
    }
}
