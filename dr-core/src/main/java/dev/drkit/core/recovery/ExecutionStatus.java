package dev.drkit.core.recovery;

/** How an execution stands or ended. */
public enum ExecutionStatus {
    /** Still running. */
    RUNNING,
    /** Every critical step succeeded and every verification passed. */
    SUCCEEDED,
    /** A critical step or a verification failed. */
    FAILED,
    /** An operator cancelled it. */
    CANCELLED,
    /** A stop condition or a steady-state verification aborted it. */
    ABORTED
}
