package dev.drkit.core.recovery;

/** How an execution stands or ended. */
public enum ExecutionStatus {
    /** Still running. */
    RUNNING,
    /**
     * Every critical step succeeded and every verification passed. Optional steps may have
     * failed (and the steps that depend on them were not run), or a compensation may have
     * failed: then the reason names them and {@link ExecutionResult#succeededCleanly()} is false.
     */
    SUCCEEDED,
    /** A critical step or a verification failed, or no step succeeded (every step that ran failed). */
    FAILED,
    /** An operator cancelled it. */
    CANCELLED,
    /** A stop condition or a steady-state verification aborted it. */
    ABORTED
}
