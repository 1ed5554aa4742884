package dev.drkit.core.recovery;

import dev.drkit.api.DrException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A running execution of a plan: watch it, answer its approvals, cancel it, wait for its result. */
public interface Execution {

    /**
     * Returns the execution's id, which {@link RecoveryExecutor#resume} takes.
     *
     * @return the id
     */
    String id();

    /**
     * Returns where the execution stands now.
     *
     * @return the progress
     */
    ExecutionProgress progress();

    /**
     * Approves a step waiting at its gate.
     *
     * @param step the step
     * @param actor who approves
     * @param comment why, for the audit log
     * @throws DrException {@code NOT_FOUND} for an unknown step; {@code ILLEGAL_STATE} when the
     *     step has no gate or was decided already
     */
    void approve(String step, String actor, String comment);

    /**
     * Rejects a step waiting at its gate, which fails it.
     *
     * @param step the step
     * @param actor who rejects
     * @param comment why, for the audit log
     * @throws DrException {@code NOT_FOUND} for an unknown step; {@code ILLEGAL_STATE} when the
     *     step has no gate or was decided already
     */
    void reject(String step, String actor, String comment);

    /**
     * Cancels the execution: running steps are interrupted and completed ones compensated.
     *
     * @param actor who cancels
     * @param reason why
     */
    void cancel(String actor, String reason);

    /**
     * Returns the result when the execution ends.
     *
     * @return the future result
     */
    CompletableFuture<ExecutionResult> result();

    /**
     * Waits for the result. The limit bounds only the wait: an execution that has not ended
     * keeps running, for {@link #cancel} to stop ({@link RecoveryExecutor#run} cancels it at its limit).
     *
     * @param limit how long to wait at most
     * @return the result
     * @throws DrException {@code TIMEOUT} when the execution did not end in time
     */
    ExecutionResult await(Duration limit);
}
