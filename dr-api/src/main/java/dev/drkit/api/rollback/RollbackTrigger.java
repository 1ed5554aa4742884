package dev.drkit.api.rollback;

import java.util.Optional;

/**
 * A user-supplied reason to roll back, checked by a guard together with its judge.
 *
 * <p>Called on the call path after calls complete, possibly from many threads: it must be
 * thread-safe, fast and free of blocking I/O.
 */
public interface RollbackTrigger {

    /**
     * Returns the trigger's name, recorded with every rollback it causes.
     *
     * @return the name
     */
    String name();

    /**
     * Decides whether to roll back now.
     *
     * @param observation what each version has done in the current step
     * @return the reason to roll back, or empty to let the candidate run on
     */
    Optional<String> evaluate(Observation observation);
}
