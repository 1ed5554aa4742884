package dev.drkit.api.recovery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What a {@link RecoveryStep} knows about the execution it runs in, and how it reports back.
 *
 * <p>One context belongs to one attempt of one step; it may be used from the step's thread
 * and threads the step starts. Values put into it are visible to the steps that depend on
 * this one.
 */
public interface StepContext {

    /**
     * Returns the id of the execution.
     *
     * @return the execution id
     */
    String executionId();

    /**
     * Returns the plan's name.
     *
     * @return the plan name
     */
    String planName();

    /**
     * Returns this step's name.
     *
     * @return the step name
     */
    String stepName();

    /**
     * Returns whether this is a LIVE run or a DRILL.
     *
     * @return the mode
     */
    ExecutionMode mode();

    /**
     * Returns which attempt this is, starting at 1.
     *
     * @return the attempt number
     */
    int attempt();

    /**
     * Returns a key that stays the same across attempts and across a resumed execution, so
     * that a step can make its side effects idempotent.
     *
     * @return the idempotency key
     */
    String idempotencyKey();

    /**
     * Returns the clock the execution measures time with.
     *
     * @return the clock
     */
    Clock clock();

    /**
     * Reports progress within the step.
     *
     * @param fraction done so far, in [0, 1]
     * @param message what is happening, for a person
     */
    void progress(double fraction, String message);

    /**
     * Returns whether the execution was cancelled; long steps check it and stop early.
     *
     * @return true after cancellation
     */
    boolean isCancelled();

    /**
     * Reports the point in time that the data this step restored dates from, so that the
     * execution can measure the recovery point it achieved; the oldest reported time counts.
     *
     * @param dataTime when the restored data was captured, such as a snapshot's time
     */
    void restoredDataAsOf(Instant dataTime);

    /**
     * Reports a wait that a DRILL skipped and a LIVE run would take, such as a pause of five
     * minutes, so that the drill's RTO counts it: a drill that skips its waits would otherwise
     * meet an objective the live run misses. Contexts that measure no RTO ignore it.
     *
     * @param duration how long the LIVE run would wait
     */
    default void plannedWait(Duration duration) {
    }

    /**
     * Shares a value with later steps of the same execution.
     *
     * @param name the value's name
     * @param value the value; it should be serializable as text for a resumed execution
     */
    void put(String name, String value);

    /**
     * Reads a value that an earlier step shared.
     *
     * @param name the value's name
     * @return the value, or empty
     */
    Optional<String> get(String name);
}
