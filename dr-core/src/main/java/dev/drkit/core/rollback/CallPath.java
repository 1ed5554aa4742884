package dev.drkit.core.rollback;

import dev.drkit.api.Ticker;
import dev.drkit.core.rollback.ReleaseVersion.Outcome;
import dev.drkit.core.rollback.internal.FailureClassifier;
import dev.drkit.core.rollback.internal.VariantRecorder;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The hot path of a guard: routes a call by the current state, times it with the ticker, and
 * records its outcome in one place ({@link #record}) for the version's circuit breaker, its
 * counters and the rollout's evidence; then tells the rollout about candidate outcomes. Every
 * {@link Throwable} is recorded, including checked exceptions thrown without being declared
 * (Lombok's {@code @SneakyThrows}, Kotlin, Groovy), and rethrown unchanged: the precise rethrow
 * of {@code catch (Throwable t) { ...; throw t; }} needs no declaration since the function
 * declares none. Recording also releases the circuit breaker's permission taken for the call.
 */
final class CallPath<T> {
    /** What the rollout hears of candidate calls. */
    interface CandidateListener<T> {
        /** A candidate call succeeded; {@code sample} is a multiple of 64 about once in 64 calls. */
        void candidateSucceeded(RoutingState<T> seen, long sample, long nanos);

        /** A candidate call failed or was refused by its open circuit. */
        void candidateFailed(RoutingState<T> seen);
    }

    /** {@link #record}'s answer for a failure. */
    static final long FAILED = -1;
    /** {@link #record}'s answer for an ignored call. */
    static final long IGNORED = -2;

    private final Supplier<RoutingState<T>> state;
    private final CandidateListener<T> listener;
    private final FailureClassifier classifier;
    private final @Nullable Predicate<Object> failureResult;
    private final BiPredicate<Object, Object> comparator;
    private final Ticker ticker;
    private final boolean shadow;
    private final boolean retryOnStable;

    CallPath(Supplier<RoutingState<T>> state, CandidateListener<T> listener, FailureClassifier classifier,
            @Nullable Predicate<Object> failureResult, BiPredicate<Object, Object> comparator, Ticker ticker,
            boolean shadow, boolean retryOnStable) {
        this.state = state;
        this.listener = listener;
        this.classifier = classifier;
        this.failureResult = failureResult;
        this.comparator = comparator;
        this.ticker = ticker;
        this.shadow = shadow;
        this.retryOnStable = retryOnStable;
    }

    <R> R call(Object key, Function<? super T, ? extends R> fn) {
        RoutingState<T> s = state.get();
        ReleaseVersion<T> candidate = s.candidate;
        if (candidate == null || !s.toCandidate(key)) {
            return invokeStable(s, fn);
        }
        return shadow ? shadowCall(s, candidate, fn) : invokeCandidate(s, candidate, fn);
    }

    private <R> R invokeStable(RoutingState<T> s, Function<? super T, ? extends R> fn) {
        ReleaseVersion<T> v = s.stable;
        VariantRecorder evidence = s.candidate == null || s.rollout == null ? null : s.rollout.stable;
        v.breaker.acquirePermission();
        long start = ticker.read();
        R result;
        try {
            result = fn.apply(v.impl);
        } catch (Throwable t) {
            record(v, false, evidence, ticker.read() - start, classify(t), t, null);
            throw t;
        }
        record(v, false, evidence, ticker.read() - start, classify(result), null, result);
        return result;
    }

    private <R> R invokeCandidate(RoutingState<T> s, ReleaseVersion<T> c, Function<? super T, ? extends R> fn) {
        VariantRecorder evidence = Objects.requireNonNull(s.rollout).candidate;
        if (!c.breaker.tryAcquirePermission()) {
            listener.candidateFailed(s);
            return invokeStable(s, fn);
        }
        long start = ticker.read();
        R result;
        try {
            result = applyCandidate(evidence, start, c.impl, fn);
        } catch (Throwable t) {
            long d = ticker.read() - start;
            long sample = record(c, true, evidence, d, classify(t), t, null);
            tell(s, sample, d);
            if (sample == FAILED && retryOnStable) {
                return invokeStable(s, fn);
            }
            throw t;
        }
        long d = ticker.read() - start;
        long sample = record(c, true, evidence, d, classify(result), null, result);
        tell(s, sample, d);
        return sample == FAILED && retryOnStable ? invokeStable(s, fn) : result;
    }

    private <R> R shadowCall(RoutingState<T> s, ReleaseVersion<T> c, Function<? super T, ? extends R> fn) {
        R stableResult = invokeStable(s, fn);
        VariantRecorder evidence = Objects.requireNonNull(s.rollout).candidate;
        if (!c.breaker.tryAcquirePermission()) {
            listener.candidateFailed(s);
            return stableResult;
        }
        long start = ticker.read();
        Object shadowResult;
        try {
            shadowResult = applyCandidate(evidence, start, c.impl, fn);
        } catch (Throwable t) {
            long d = ticker.read() - start;
            tell(s, record(c, true, evidence, d, classifier.isIgnored(t) ? Outcome.IGNORED : Outcome.FAILURE, t, null), d);
            return stableResult;
        }
        long d = ticker.read() - start;
        long sample = comparator.test(stableResult, shadowResult)
                ? record(c, true, evidence, d, Outcome.SUCCESS, null, shadowResult)
                : record(c, true, evidence, d, Outcome.FAILURE, new ShadowMismatchException(), null);
        tell(s, sample, d);
        return stableResult;
    }

    /** Calls the candidate, known to the rollout as running until it returns or throws. */
    private static <T, R> R applyCandidate(VariantRecorder evidence, long start, T impl,
            Function<? super T, ? extends R> fn) {
        VariantRecorder.Running running = evidence.started(start);
        try {
            return fn.apply(impl);
        } finally {
            evidence.returned(running);
        }
    }

    private Outcome classify(Throwable t) {
        if (classifier.isIgnored(t)) {
            return Outcome.IGNORED;
        }
        return classifier.isRecorded(t) ? Outcome.FAILURE : Outcome.SUCCESS;
    }

    private Outcome classify(@Nullable Object result) {
        Predicate<Object> bad = failureResult;
        return bad != null && bad.test(result) ? Outcome.FAILURE : Outcome.SUCCESS;
    }

    /**
     * Records one call's outcome: in the version's circuit breaker (the error, else the result),
     * its counter and, during a rollout, the evidence.
     *
     * @return the latency bucket's new count for a success, {@link #FAILED} or {@link #IGNORED}
     */
    static long record(ReleaseVersion<?> v, boolean asCandidate, @Nullable VariantRecorder evidence, long nanos,
            Outcome outcome,
            @Nullable Throwable error, @Nullable Object result) {
        if (error != null) {
            v.breaker.onError(nanos, TimeUnit.NANOSECONDS, error);
        } else {
            v.breaker.onResult(nanos, TimeUnit.NANOSECONDS, result);
        }
        v.count(outcome, asCandidate);
        switch (outcome) {
            case FAILURE:
                if (evidence != null) {
                    evidence.failure(nanos);
                }
                return FAILED;
            case IGNORED:
                return IGNORED;
            default:
                return evidence != null ? evidence.success(nanos) : 0;
        }
    }

    private void tell(RoutingState<T> s, long sample, long nanos) {
        if (sample == FAILED) {
            listener.candidateFailed(s);
        } else if (sample != IGNORED) {
            listener.candidateSucceeded(s, sample, nanos);
        }
    }

    /** Marks a shadow call whose result differed from the stable one, for the circuit breaker. */
    static final class ShadowMismatchException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ShadowMismatchException() {
            super("shadow result differs from stable result", null, false, false);
        }
    }
}
