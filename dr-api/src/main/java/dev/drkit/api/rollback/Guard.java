package dev.drkit.api.rollback;

import dev.drkit.api.DrException;
import java.util.function.Function;

/**
 * A guarded release: a named component with a stable and a candidate implementation of one
 * interface {@code T}, which routes each call to one of them, watches the outcomes and rolls
 * the candidate back when the evidence says so.
 *
 * <p>Thread-safe. {@link #call} is the hot path and takes no lock of its own.
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
}
