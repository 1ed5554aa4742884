package dev.drkit.core.recovery;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A progress event of an execution: it started or ended, a step changed state or reported
 * progress, an approval was given or escalated, or a verification ran. {@link Kind} lists
 * every event an execution publishes.
 *
 * @param executionId the execution
 * @param planName the plan
 * @param step the step, or {@code null} for an event of the whole execution
 * @param kind what happened
 * @param attempt the step's attempt, or 0
 * @param at when
 * @param progress where the execution stands after the event
 * @param message what happened, for a person
 */
public record ExecutionEvent(String executionId, String planName, @Nullable String step, Kind kind, int attempt,
        Instant at, ExecutionProgress progress, String message) {

    /** What an {@link ExecutionEvent} reports; the step is {@code null} only where said. */
    public enum Kind {
        /** The execution started, or resumed from its journal; no step. */
        STARTED,
        /** An attempt of the step began; {@code attempt} counts from 1. */
        RUNNING,
        /**
         * The step reported progress through its context (the message is the step's), or, as
         * a resumed execution starts, the step was running when the execution stopped and runs again.
         */
        PROGRESS,
        /** The step waits for a person's approval. */
        AWAITING_APPROVAL,
        /** A person approved the step, which runs next. */
        APPROVED,
        /** Nobody decided within the gate's escalation time; the next approvers were asked. */
        ESCALATED,
        /** The step succeeded, or had succeeded before a resumed execution's interruption. */
        SUCCEEDED,
        /** The step failed: attempts exhausted, rejected, approval timed out, or interrupted. */
        FAILED,
        /** The step was not run: the execution stopped first. */
        SKIPPED,
        /** The step's compensation ran and succeeded: the step is undone. */
        COMPENSATED,
        /**
         * The step's compensation ran and failed (the message says why): the step's change may
         * still be in place, and the execution's result names it as compensation incomplete.
         */
        COMPENSATION_FAILED,
        /** A verification passed; no step. */
        VERIFIED,
        /** A verification failed; no step. */
        VERIFICATION_FAILED,
        /** The execution ended; the message gives its status; no step. */
        FINISHED;

        /**
         * Returns the kind named by a step state.
         *
         * @param state the state; PENDING is never published
         * @return the kind of the same name
         * @throws IllegalArgumentException for PENDING
         */
        public static Kind of(StepState state) {
            return valueOf(state.name());
        }
    }

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
