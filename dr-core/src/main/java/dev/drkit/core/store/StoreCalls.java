package dev.drkit.core.store;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;

/**
 * Runs each request of a store through retries with exponential backoff and jitter and a
 * Resilience4j circuit breaker, and counts every attempt in {@code dr.store.requests} (tags
 * store, operation, outcome), {@code dr.store.request.duration} and {@code dr.store.retries}.
 *
 * <p>Only {@link ErrorCode#UNAVAILABLE} failures are retried and count against the breaker:
 * a missing object, a lost precondition or refused credentials are answers, not faults. The
 * breaker sees calls, not attempts: a call asks it for permission once, before its first
 * attempt, and reports once, after its last, so a call it let through gets every attempt and
 * backoff the settings promise (a server restarting for a few seconds is ridden out), and a
 * call that failed transiently after all its attempts counts as one failure. Its job is to stop
 * the calls that follow from hammering a store that keeps failing: while it is open, calls
 * fail at once with {@code UNAVAILABLE}, the outcome {@code circuit-open} and a message that
 * carries the last transient failure (the cause, such as "connection refused"), since that is
 * what the operator has to fix.
 *
 * <p>A pooled connection that the server closed while it sat idle fails on its next use
 * before the server sees anything ("broken pipe", "connection reset", no response). Such a
 * failure is retried at once on a fresh connection, a few times per call, without using up an
 * attempt and without counting against the breaker (outcome {@code connection-closed}); past
 * that budget it is an ordinary transient failure. The attempt number passed to the request
 * still grows, so conditional writes know that an earlier attempt may have gone through.
 */
public final class StoreCalls {
    /** How many closed pooled connections one call may skip over. */
    static final int CLOSED_CONNECTION_RETRIES = 8;

    private final String storeKind;
    private final String location;
    private final int maxAttempts;
    private final IntervalFunction backoff;
    private final CircuitBreaker breaker;
    private final @Nullable MeterRegistry registry;
    /** The last call's transient failure, for the message of the calls the open breaker refuses. */
    private volatile @Nullable DrException lastFailure;

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
        this.maxAttempts = maxAttempts;
        this.registry = registry;
        this.backoff = IntervalFunction.ofExponentialRandomBackoff(initialBackoff.toMillis(), 2.0, 0.5,
                maxBackoff.toMillis());
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
     * @throws DrException the last failure; {@code UNAVAILABLE} when the breaker is open, its
     *     message and cause the last transient failure; {@code CANCELLED} when interrupted while
     *     waiting to retry
     */
    public <T> T call(String operation, IntFunction<T> attempt) {
        if (!breaker.tryAcquirePermission()) {
            count(operation, "circuit-open");
            throw breakerOpen();
        }
        long start = System.nanoTime();
        try {
            T result = attempts(operation, attempt);
            breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            return result;
        } catch (RuntimeException e) {
            breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
            if (isTransient(e)) {
                lastFailure = (DrException) e;
            }
            throw e;
        }
    }

    private <T> T attempts(String operation, IntFunction<T> attempt) {
        int number = 0;
        int failures = 0;
        int closedConnections = 0;
        while (true) {
            number++;
            if (number > 1 && registry != null) {
                registry.counter("dr.store.retries", "store", storeKind, "operation", operation).increment();
            }
            boolean skipClosed = closedConnections < CLOSED_CONNECTION_RETRIES;
            try {
                return timed(operation, number, attempt, skipClosed);
            } catch (DrException e) {
                if (skipClosed && isClosedConnection(e)) {
                    closedConnections++;
                    continue;
                }
                if (!isTransient(e) || ++failures >= maxAttempts) {
                    throw e;
                }
                pause(backoff.apply(failures), operation);
            }
        }
    }

    private DrException breakerOpen() {
        DrException last = lastFailure;
        String message = "Not calling " + location + " for a while: its circuit breaker is open after repeated "
                + "transient failures" + (last == null ? "" : "; the last: " + last.getMessage());
        DrException e = new DrException(ErrorCode.UNAVAILABLE, message, location, last);
        e.addSuppressed(CallNotPermittedException.createCallNotPermittedException(breaker));
        return e;
    }

    /**
     * Returns the store's circuit breaker, for health probes.
     *
     * @return the breaker
     */
    public CircuitBreaker breaker() {
        return breaker;
    }

    private <T> T timed(String operation, int n, IntFunction<T> attempt, boolean skipClosed) {
        long start = System.nanoTime();
        String outcome = "success";
        try {
            return attempt.apply(n);
        } catch (DrException e) {
            outcome = skipClosed && isClosedConnection(e) ? "connection-closed" : e.code().id();
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

    private void pause(long millis, String operation) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DrException(ErrorCode.CANCELLED, "Interrupted while waiting to retry " + operation + " on "
                    + location, location, e);
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

    /** A connection closed by the other side before an answer: a stale pooled connection, usually. */
    static boolean isClosedConnection(DrException e) {
        if (e.code() != ErrorCode.UNAVAILABLE) {
            return false;
        }
        for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            String name = t.getClass().getSimpleName();
            if (name.equals("NoHttpResponseException") || name.equals("PrematureCloseException")) {
                return true;
            }
            // Reactor Netty, when every pooled connection it tried had been closed before use.
            if (t instanceof IOException && t.getMessage() != null
                    && t.getMessage().startsWith("Error while acquiring from")) {
                return true;
            }
            if (t instanceof SocketException && !(t instanceof ConnectException) && t.getMessage() != null) {
                String message = t.getMessage().toLowerCase(Locale.ROOT);
                if (message.contains("broken pipe") || message.contains("connection reset")) {
                    return true;
                }
            }
        }
        return false;
    }
}
