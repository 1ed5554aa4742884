package dev.drkit.api.rollback;

/** What a {@link Judge} recommends for a rollout. */
public enum Decision {
    /** Not enough evidence either way: keep the current weight and observe. */
    CONTINUE,
    /** The candidate is at least as good as required: advance or promote it. */
    PROMOTE,
    /** The candidate is worse than allowed: switch every call back to the stable version. */
    ROLLBACK
}
