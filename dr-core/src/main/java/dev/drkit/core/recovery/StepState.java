package dev.drkit.core.recovery;

/** Where one step of an execution stands. */
public enum StepState {
    /** Not started: waiting for its dependencies. */
    PENDING,
    /** Waiting for a person to approve it. */
    AWAITING_APPROVAL,
    /** An attempt is running. */
    RUNNING,
    /** Done. */
    SUCCEEDED,
    /** Failed after its attempts, timed out, or was rejected. */
    FAILED,
    /** Not run: a dependency failed, or the execution stopped first. */
    SKIPPED,
    /** Done, then undone by its compensation. */
    COMPENSATED;

    /**
     * Returns whether the step will not change state again, compensation aside.
     *
     * @return true for SUCCEEDED, FAILED, SKIPPED and COMPENSATED
     */
    public boolean isFinal() {
        return this == SUCCEEDED || this == FAILED || this == SKIPPED || this == COMPENSATED;
    }
}
