package dev.drkit.core.rollback;

import dev.drkit.api.rollback.RollbackEvent;
import dev.drkit.api.rollback.Verdict;
import java.time.Instant;

/** What a {@link GuardedRelease} tells its {@link GuardListener}s: one record per decision. */
public sealed interface GuardEvent {

    /**
     * Returns the guard's name.
     *
     * @return the name
     */
    String guard();

    /**
     * Returns when the decision took effect.
     *
     * @return the instant
     */
    Instant at();

    /**
     * A candidate started its rollout at the first step.
     *
     * @param guard the guard
     * @param stableVersion the stable version
     * @param candidateVersion the candidate version
     * @param weight the first step's weight
     * @param at when
     */
    record RolloutStarted(String guard, String stableVersion, String candidateVersion, double weight, Instant at)
            implements GuardEvent {
    }

    /**
     * The candidate could not be started (its factory threw) and never took a call.
     *
     * @param guard the guard
     * @param candidateVersion the candidate version
     * @param error the failure, as text
     * @param at when
     */
    record RolloutFailed(String guard, String candidateVersion, String error, Instant at) implements GuardEvent {
    }

    /**
     * The rollout advanced to another step, or a gradual rollback stepped down.
     *
     * @param guard the guard
     * @param candidateVersion the candidate version
     * @param step the step index now in force (for a gradual rollback, the batch)
     * @param weight the candidate's weight now
     * @param verdict the verdict that allowed it
     * @param at when
     */
    record WeightChanged(String guard, String candidateVersion, int step, double weight, Verdict verdict, Instant at)
            implements GuardEvent {
    }

    /**
     * The candidate became the stable version.
     *
     * @param guard the guard
     * @param version the new stable version
     * @param previousVersion the previous stable, kept warm for the revert window
     * @param actor {@code system} or the operator
     * @param verdict the verdict that allowed it
     * @param at when
     */
    record Promoted(String guard, String version, String previousVersion, String actor, Verdict verdict, Instant at)
            implements GuardEvent {
    }

    /**
     * A rollback happened.
     *
     * @param rollback the rollback
     */
    record RolledBack(RollbackEvent rollback) implements GuardEvent {
        @Override
        public String guard() {
            return rollback.guard();
        }

        @Override
        public Instant at() {
            return rollback.at();
        }
    }

    /**
     * An operator undid a rollback: the candidate resumes its rollout with fresh evidence.
     *
     * @param guard the guard
     * @param candidateVersion the candidate
     * @param actor the operator
     * @param reason why
     * @param at when
     */
    record RollbackUndone(String guard, String candidateVersion, String actor, String reason, Instant at)
            implements GuardEvent {
    }

    /**
     * An operator paused or resumed the rollout.
     *
     * @param guard the guard
     * @param paused true when paused, false when resumed
     * @param actor the operator
     * @param at when
     */
    record PauseChanged(String guard, boolean paused, String actor, Instant at) implements GuardEvent {
    }

    /**
     * A release was marked irreversible: automatic rollbacks of it freeze its rollout instead.
     *
     * @param guard the guard
     * @param version the release marked
     * @param actor who marked it
     * @param reason why, such as the migration it ran
     * @param at when
     */
    record MarkedIrreversible(String guard, String version, String actor, String reason, Instant at)
            implements GuardEvent {
    }

    /**
     * An automatic rollback of an irreversible release was refused: the rollout froze and waits
     * for a person.
     *
     * @param guard the guard
     * @param version the release that would have been rolled back
     * @param trigger the rule, probe, condition or alert that asked
     * @param reason what it said
     * @param at when
     */
    record Frozen(String guard, String version, String trigger, String reason, Instant at) implements GuardEvent {
    }
}
