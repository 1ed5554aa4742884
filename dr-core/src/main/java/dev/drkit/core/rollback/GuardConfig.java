package dev.drkit.core.rollback;

import dev.drkit.api.DrException;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything a {@link GuardedRelease} is configured with that can live in a file or in
 * Spring properties: the judge, the rollout plan, the circuit breakers, probes and latency
 * limits, and the behaviour on failure.
 *
 * @param judge the sequential judge's settings
 * @param plan the rollout plan
 * @param circuitBreaker the circuit breaker each version runs behind
 * @param probes how health probes are polled
 * @param latency the latency limits of the candidate against the stable version
 * @param retryOnStable whether a candidate call that fails is retried on the stable version, so
 *     that the caller never sees the candidate's failure
 * @param shadow whether the candidate runs in shadow: for the keys in the candidate's share both
 *     versions run (the candidate after the stable, on the caller's thread), the stable's result
 *     is returned and a mismatch or a candidate exception counts as a candidate failure
 * @param revertWindow how long after a promotion the previous stable stays warm for an instant reversion, >= 0
 * @param gradualBatches how many batches a gradual rollback steps the weight down in, > 0
 */
public record GuardConfig(JudgeConfig judge, RolloutPlan plan, CircuitBreakerSettings circuitBreaker,
        ProbeSettings probes, LatencySettings latency, boolean retryOnStable, boolean shadow, Duration revertWindow,
        int gradualBatches) {

    /** Default {@link #revertWindow()}: 15 minutes. */
    public static final Duration DEFAULT_REVERT_WINDOW = Duration.ofMinutes(15);
    /** Default {@link #gradualBatches()}: 4. */
    public static final int DEFAULT_GRADUAL_BATCHES = 4;

    /** The defaults of every part. */
    public static final GuardConfig DEFAULT = new GuardConfig(JudgeConfig.DEFAULT, RolloutPlan.DEFAULT,
            CircuitBreakerSettings.DEFAULT, ProbeSettings.DEFAULT, LatencySettings.DEFAULT, false, false,
            DEFAULT_REVERT_WINDOW, DEFAULT_GRADUAL_BATCHES);

    /**
     * Validates the fields.
     *
     * @throws DrException {@code INVALID_ARGUMENT} naming the field that is out of range
     */
    public GuardConfig {
        Objects.requireNonNull(judge, "judge");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(circuitBreaker, "circuitBreaker");
        Objects.requireNonNull(probes, "probes");
        Objects.requireNonNull(latency, "latency");
        Objects.requireNonNull(revertWindow, "revertWindow");
        if (revertWindow.isNegative()) {
            throw DrException.invalidArgument("revertWindow", "must be >= 0", revertWindow);
        }
        if (gradualBatches <= 0) {
            throw DrException.invalidArgument("gradualBatches", "must be > 0", gradualBatches);
        }
    }

    /**
     * Returns a copy with another judge.
     *
     * @param value the judge settings
     * @return the copy
     */
    public GuardConfig withJudge(JudgeConfig value) {
        return new GuardConfig(value, plan, circuitBreaker, probes, latency, retryOnStable, shadow, revertWindow,
                gradualBatches);
    }

    /**
     * Returns a copy with another plan.
     *
     * @param value the plan
     * @return the copy
     */
    public GuardConfig withPlan(RolloutPlan value) {
        return new GuardConfig(judge, value, circuitBreaker, probes, latency, retryOnStable, shadow, revertWindow,
                gradualBatches);
    }

    /**
     * Returns a copy with other circuit breaker settings.
     *
     * @param value the settings
     * @return the copy
     */
    public GuardConfig withCircuitBreaker(CircuitBreakerSettings value) {
        return new GuardConfig(judge, plan, value, probes, latency, retryOnStable, shadow, revertWindow,
                gradualBatches);
    }

    /**
     * Returns a copy with other probe settings.
     *
     * @param value the settings
     * @return the copy
     */
    public GuardConfig withProbes(ProbeSettings value) {
        return new GuardConfig(judge, plan, circuitBreaker, value, latency, retryOnStable, shadow, revertWindow,
                gradualBatches);
    }

    /**
     * Returns a copy with other latency limits.
     *
     * @param value the limits
     * @return the copy
     */
    public GuardConfig withLatency(LatencySettings value) {
        return new GuardConfig(judge, plan, circuitBreaker, probes, value, retryOnStable, shadow, revertWindow,
                gradualBatches);
    }

    /**
     * Returns a copy that does or does not retry failed candidate calls on the stable version.
     *
     * @param value whether to retry
     * @return the copy
     */
    public GuardConfig withRetryOnStable(boolean value) {
        return new GuardConfig(judge, plan, circuitBreaker, probes, latency, value, shadow, revertWindow,
                gradualBatches);
    }

    /**
     * Returns a copy that does or does not run the candidate in shadow.
     *
     * @param value whether to shadow
     * @return the copy
     */
    public GuardConfig withShadow(boolean value) {
        return new GuardConfig(judge, plan, circuitBreaker, probes, latency, retryOnStable, value, revertWindow,
                gradualBatches);
    }

    /**
     * Returns a copy with another promotion reversion window.
     *
     * @param value the window
     * @return the copy
     * @throws DrException {@code INVALID_ARGUMENT} for a negative window
     */
    public GuardConfig withRevertWindow(Duration value) {
        return new GuardConfig(judge, plan, circuitBreaker, probes, latency, retryOnStable, shadow, value,
                gradualBatches);
    }

    /**
     * Returns a copy with another number of gradual rollback batches.
     *
     * @param value the batches
     * @return the copy
     * @throws DrException {@code INVALID_ARGUMENT} when not > 0
     */
    public GuardConfig withGradualBatches(int value) {
        return new GuardConfig(judge, plan, circuitBreaker, probes, latency, retryOnStable, shadow, revertWindow,
                value);
    }
}
