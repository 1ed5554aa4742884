package dev.drkit.api.rollback;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A guarded release: a named component with a stable and a candidate implementation of one
 * interface {@code T}, which routes each call to one of them, watches the outcomes and rolls
 * the candidate back when the evidence says so.
 *
 * <p>Thread-safe. {@link #call} is the hot path and takes no lock of its own. Every operator
 * action is offered here, so that no caller needs to know the implementation; an
 * implementation that cannot carry an action out throws {@code UNSUPPORTED}.
 *
 * @param <T> the interface both versions implement
 */
public interface Guard<T> {

    /**
     * Returns the guard's name, used in metrics, audit records and the actuator endpoint.
     *
     * @return the name
     */
    String name();

    /**
     * Runs {@code fn} against the version this call is routed to. Routing is sticky by key:
     * at a given weight the same key always sees the same version.
     *
     * @param key the routing key, such as a user or tenant id
     * @param fn what to do with the chosen implementation
     * @param <R> the result type
     * @return the result of {@code fn}
     * @throws RuntimeException whatever {@code fn} throws, unless the guard is configured to
     *     retry failed candidate calls on the stable version
     */
    <R> R call(Object key, Function<? super T, ? extends R> fn);

    /**
     * Returns the guard's most recent decisions, oldest first, each with the evidence behind it.
     *
     * @return the decisions kept in memory (the audit log keeps them all); empty by default
     */
    default List<DecisionRecord> decisions() {
        return List.of();
    }

    /**
     * Returns where the guard stands in its rollout.
     *
     * @return the state
     */
    GuardState state();

    /**
     * Returns the share of calls currently routed to the candidate.
     *
     * @return a weight in [0, 1]
     */
    double candidateWeight();

    /**
     * Rolls the candidate back at once on an operator's word (an emergency rollback). When a
     * rollback of the same rollout already happened (for example an automatic one that won a
     * race with this request), that rollback is returned and no second one is recorded. Right
     * after a promotion, while the previous stable version is still warm, this reverts the
     * promotion.
     *
     * @param actor who asks
     * @param reason why, for the audit record
     * @return the rollback that happened
     * @throws DrException {@code ILLEGAL_STATE} when there is no candidate to roll back
     */
    RollbackEvent rollback(String actor, String reason);

    /**
     * Returns where the guard stands, read at one moment. The default knows only the state
     * and the weight.
     *
     * @return the snapshot
     */
    default GuardSnapshot snapshot() {
        return new GuardSnapshot(name(), state(), candidateWeight(), null, null, 0, null, null);
    }

    /**
     * Rolls the candidate back because an external alert fired (an automatic rollback whose
     * trigger is the alert); right after a promotion, while the previous stable version is
     * still warm, this reverts the promotion. The default asks {@link #rollback} with the alert
     * as the actor.
     *
     * @param alert the alert's name
     * @param reason why, for the audit record
     * @return the rollback, or empty when there was no candidate to roll back
     */
    default Optional<RollbackEvent> rollbackOnAlert(String alert, String reason) {
        return Optional.of(rollback(alert, reason));
    }

    /**
     * Promotes the candidate at once on an operator's word (a roll forward).
     *
     * @param actor who asks
     * @param reason why
     * @throws DrException {@code ILLEGAL_STATE} when no rollout is active, {@code UNSUPPORTED}
     *     when the implementation cannot promote
     */
    default void promote(String actor, String reason) {
        throw unsupported("promote");
    }

    /**
     * Holds the rollout at its current weight until {@link #resume}; rollbacks still happen.
     *
     * @param actor who asks
     * @throws DrException {@code ILLEGAL_STATE} when no rollout is in progress, {@code UNSUPPORTED}
     *     when the implementation cannot pause
     */
    default void pause(String actor) {
        throw unsupported("pause");
    }

    /**
     * Resumes a paused rollout.
     *
     * @param actor who asks
     * @throws DrException {@code ILLEGAL_STATE} when the rollout is not paused, {@code UNSUPPORTED}
     *     when the implementation cannot resume
     */
    default void resume(String actor) {
        throw unsupported("resume");
    }

    /**
     * Undoes the last rollback: the rolled-back candidate resumes its rollout.
     *
     * @param actor who asks
     * @param reason why
     * @throws DrException {@code ILLEGAL_STATE} when the guard is not rolled back, {@code UNSUPPORTED}
     *     when the implementation cannot undo
     */
    default void undoRollback(String actor, String reason) {
        throw unsupported("undo");
    }

    private DrException unsupported(String action) {
        return new DrException(ErrorCode.UNSUPPORTED, "guard '" + name() + "' offers no '" + action
                + "': its implementation " + getClass().getSimpleName() + " supports rollback only", name());
    }
}
