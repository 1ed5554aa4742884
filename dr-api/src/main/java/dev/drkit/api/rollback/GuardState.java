package dev.drkit.api.rollback;

/** Where a {@link Guard} stands in its rollout. */
public enum GuardState {
    /** Only the stable version runs; no candidate is being rolled out. */
    STABLE,
    /** A candidate receives a share of calls, following the rollout plan. */
    ROLLING_OUT,
    /** A rollout is held at its current weight by an operator. */
    PAUSED,
    /** A gradual rollback is stepping the candidate's weight down in verified batches. */
    ROLLING_BACK,
    /** The candidate has become the stable version. */
    PROMOTED,
    /** The candidate was rolled back; every call goes to the stable version. */
    ROLLED_BACK,
    /**
     * A release marked irreversible was asked to roll back automatically: its rollout stopped
     * at its weight and waits for a person to roll back, promote or resume it.
     */
    FROZEN
}
