package dev.drkit.core.rollback;

/** Where the sequential judge takes the failure rate that the candidate is held to. */
public enum BaselineSource {
    /** The configured {@link JudgeConfig#baselineRate()}. */
    CONFIGURED,
    /**
     * The stable version's observed failure rate, smoothed towards the configured rate by
     * {@link JudgeConfig#baselinePriorCalls()} pseudo-calls.
     */
    OBSERVED
}
