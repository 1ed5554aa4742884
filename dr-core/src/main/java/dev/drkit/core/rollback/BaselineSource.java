package dev.drkit.core.rollback;

/** Where the sequential judge takes the failure rate that the candidate is held to. */
public enum BaselineSource {
    /** The configured {@link JudgeConfig#baselineRate()}. */
    CONFIGURED,
    /**
     * The stable version's observed failure rate, smoothed towards the configured rate by
     * {@link JudgeConfig#baselinePriorCalls()} pseudo-calls and raised by 1.5 standard errors,
     * so that a baseline underestimated by chance does not roll back a healthy candidate (with
     * as many stable as candidate calls the false-rollback rate stays near 0.034 at alpha 0.05).
     * PROMOTE takes it the other way, at the low end of the stable version's own rate (see
     * {@link JudgeConfig#baselinePriorCalls()}), so that a regression is not promoted.
     */
    OBSERVED
}
