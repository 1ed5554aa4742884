package dev.drkit.api.recovery;

/** When a {@link Verification} runs during an execution. */
public enum VerificationPhase {
    /** Before the first step: the steady state the plan starts from. */
    BEFORE,
    /** After the last step: the business function works again. */
    AFTER,
    /** Repeatedly while the plan runs; a failure beyond the tolerance aborts it. */
    THROUGHOUT
}
