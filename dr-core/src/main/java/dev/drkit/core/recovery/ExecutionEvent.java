package dev.drkit.core.recovery;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A progress event of an execution: a step changed state, an approval escalated, or the
 * execution started or ended.
 *
 * @param executionId the execution
 * @param planName the plan
 * @param step the step, or {@code null} for an event of the whole execution
 * @param kind what happened: a step state's name, {@code ESCALATED}, {@code STARTED} or {@code FINISHED}
 * @param attempt the step's attempt, or 0
 * @param at when
 * @param progress where the execution stands after the event
 * @param message what happened, for a person
 */
public record ExecutionEvent(String executionId, String planName, @Nullable String step, String kind, int attempt,
        Instant at, ExecutionProgress progress, String message) {
    /** Checks that no required field is null. */
    public ExecutionEvent {
        Objects.requireNonNull(executionId, "executionId");
        Objects.requireNonNull(planName, "planName");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(progress, "progress");
        Objects.requireNonNull(message, "message");
    }
}
