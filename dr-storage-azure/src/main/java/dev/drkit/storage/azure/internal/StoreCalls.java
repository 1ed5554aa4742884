package dev.drkit.storage.azure.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;

/**
 * Runs each request of a store through a retry with exponential backoff and jitter and a
 * circuit breaker, and counts every attempt in {@code dr.store.requests} (tags store,
 * operation, outcome) and {@code dr.store.request.duration}.
 *
 * <p>Only {@link ErrorCode#UNAVAILABLE} failures are retried and count against the breaker:
 * a missing object, a lost precondition or refused credentials are answers, not faults. When
 * the breaker is open, calls fail at once with {@code UNAVAILABLE} and the outcome
 * {@code circuit-open}. Retries are also counted in {@code dr.store.retries}.
 */
public final class StoreCalls {
    private final String storeKind;
    private final String location;
    private final Retry retry;
    private final CircuitBreaker breaker;
    private final @Nullable MeterRegistry registry;

    /**
     * Creates the runner of one store.
     *
     * @param storeKind the {@code store} tag, such as {@code s3}
     * @param location the store's redacted URI, for messages and the breaker's name
     * @param maxAttempts tries in all, the first included
     * @param initialBackoff the first wait
     * @param maxBackoff the longest wait
     * @param breakerConfig the breaker's configuration (its failure predicates are replaced)
     * @param registry where to count, or null
     */
    public StoreCalls(String storeKind, String location, int maxAttempts, Duration initialBackoff,
            Duration maxBackoff, CircuitBreakerConfig breakerConfig, @Nullable MeterRegistry registry) {
        this.storeKind = storeKind;
        this.location = location;
        this.registry = registry;
        this.retry = Retry.of(location, RetryConfig.custom()
                .maxAttempts(maxAttempts)
                .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(
                        initialBackoff.toMillis(), 2.0, 0.5, maxBackoff.toMillis()))
                .retryOnException(StoreCalls::isTransient)
                .failAfterMaxAttempts(false)
                .build());
        this.breaker = CircuitBreaker.of(location, CircuitBreakerConfig.from(breakerConfig)
                .recordException(StoreCalls::isTransient)
                .ignoreExceptions()
                .build());
    }

    /**
     * Runs one operation, attempt after attempt, until it succeeds, fails for good or the
     * attempts are spent.
     *
     * @param operation the {@code operation} tag, such as {@code put}
     * @param attempt the request; receives the attempt's number, from 1, and throws
     *     {@link DrException} for failures
     * @param <T> the result
     * @return the first successful result
     * @throws DrException the last failure; {@code UNAVAILABLE} when the breaker is open
     */
    public <T> T call(String operation, IntFunction<T> attempt) {
        int[] number = {0};
        try {
            return Retry.decorateSupplier(retry, () -> {
                int n = ++number[0];
                if (n > 1 && registry != null) {
                    registry.counter("dr.store.retries", "store", storeKind, "operation", operation).increment();
                }
                return CircuitBreaker.decorateSupplier(breaker, () -> timed(operation, n, attempt)).get();
            }).get();
        } catch (CallNotPermittedException e) {
            count(operation, "circuit-open");
            throw new DrException(ErrorCode.UNAVAILABLE, "Not calling " + location + " for a while: its circuit "
                    + "breaker is open after repeated transient failures", location, e);
        }
    }

    /**
     * Returns the store's circuit breaker, for health probes.
     *
     * @return the breaker
     */
    public CircuitBreaker breaker() {
        return breaker;
    }

    private <T> T timed(String operation, int n, IntFunction<T> attempt) {
        long start = System.nanoTime();
        String outcome = "success";
        try {
            return attempt.apply(n);
        } catch (DrException e) {
            outcome = e.code().id();
            throw e;
        } catch (RuntimeException e) {
            outcome = "error";
            throw e;
        } finally {
            if (registry != null) {
                count(operation, outcome);
                Timer.builder("dr.store.request.duration")
                        .description("Time taken by one request to a snapshot store, retries counted apart")
                        .tags("store", storeKind, "operation", operation, "outcome", outcome)
                        .register(registry)
                        .record(Duration.ofNanos(System.nanoTime() - start));
            }
        }
    }

    private void count(String operation, String outcome) {
        if (registry != null) {
            Counter.builder("dr.store.requests")
                    .description("Requests sent to a snapshot store, each attempt counted")
                    .tags("store", storeKind, "operation", operation, "outcome", outcome)
                    .register(registry)
                    .increment();
        }
    }

    private static boolean isTransient(Throwable t) {
        return t instanceof DrException e && e.code() == ErrorCode.UNAVAILABLE;
    }
}
