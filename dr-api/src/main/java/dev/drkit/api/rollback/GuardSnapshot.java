package dev.drkit.api.rollback;

import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Where a {@link Guard} stands, read at one moment: its state, versions, step, last rollback
 * and, while a rollout step waits for evidence, why it holds.
 *
 * @param name the guard's name
 * @param state the state
 * @param candidateWeight the share of calls routed to the candidate, in [0, 1]
 * @param stableVersion the stable version's name, or null when the guard does not say
 * @param candidateVersion the candidate's name, or null when none is rolling out
 * @param step the rollout step in force (for a gradual rollback, the batch), from 0
 * @param lastRollback the most recent rollback, or null
 * @param hold why the current step has not advanced yet, or null when it is not held
 */
public record GuardSnapshot(String name, GuardState state, double candidateWeight, @Nullable String stableVersion,
        @Nullable String candidateVersion, int step, @Nullable RollbackEvent lastRollback, @Nullable Hold hold) {
    /** Checks that the name and the state are set. */
    public GuardSnapshot {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
    }

    /**
     * Returns the most recent rollback.
     *
     * @return the rollback, or empty
     */
    public Optional<RollbackEvent> rollback() {
        return Optional.ofNullable(lastRollback);
    }

    /**
     * Returns why the current step is held.
     *
     * @return the hold, or empty when the step is not held
     */
    public Optional<Hold> holding() {
        return Optional.ofNullable(hold);
    }
}
