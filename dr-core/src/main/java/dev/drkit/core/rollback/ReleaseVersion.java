package dev.drkit.core.rollback;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import org.jspecify.annotations.Nullable;

/** One version of a guarded component: its implementation, circuit breaker and call counters. */
final class ReleaseVersion<T> {
    /** How a call through a version ended. */
    enum Outcome {
        SUCCESS, FAILURE, IGNORED
    }

    final String name;
    final T impl;
    final CircuitBreaker breaker;
    private final Counter @Nullable [][] counters;

    /**
     * Creates a version.
     *
     * @param counters per role (0 stable, 1 candidate) one counter per {@link Outcome}, by ordinal, or
     *     null without a registry
     */
    ReleaseVersion(String name, T impl, CircuitBreaker breaker, Counter @Nullable [][] counters) {
        this.name = name;
        this.impl = impl;
        this.breaker = breaker;
        this.counters = counters;
    }

    void count(Outcome outcome, boolean asCandidate) {
        if (counters != null) {
            Counter c = counters[asCandidate ? 1 : 0][outcome.ordinal()];
            if (c != null) {
                c.increment();
            }
        }
    }

    boolean isOpen() {
        CircuitBreaker.State st = breaker.getState();
        return st == CircuitBreaker.State.OPEN || st == CircuitBreaker.State.FORCED_OPEN;
    }
}
