package dev.drkit.core.rollback;

/**
 * Receives the decisions of a {@link GuardedRelease}. Called on the thread that made the
 * decision (a caller's or the scheduler's); an exception thrown here is logged and ignored.
 */
@FunctionalInterface
public interface GuardListener {

    /**
     * Handles one decision.
     *
     * @param event the decision
     */
    void onEvent(GuardEvent event);
}
