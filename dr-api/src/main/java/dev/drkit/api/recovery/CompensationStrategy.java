package dev.drkit.api.recovery;

/** When a completed step is undone through {@link RecoveryStep#compensate(StepContext)}. */
public enum CompensationStrategy {
    /** Undo the step when the execution fails, is cancelled or aborted (the default). */
    ON_FAILURE,
    /** Undo the step at the end of every execution: for temporary measures such as a write fence. */
    ALWAYS,
    /** Never undo the step. */
    NEVER
}
