package dev.drkit.core.recovery.internal;

import org.jspecify.annotations.Nullable;

/** A message to an execution's coordinating thread, from a step worker or a caller. */
sealed interface Signal {

    /** An attempt of a step began on a worker. */
    record AttemptStarted(String step, int attempt) implements Signal {
    }

    /** A step's attempts ended; {@code error} is null on success, attempts 0 when none ran. */
    record StepDone(String step, int attempts, @Nullable Throwable error) implements Signal {
    }

    /** A step reported progress. */
    record Note(String step, String text) implements Signal {
    }

    /** A person approved or rejected a gated step. */
    record Decision(String step, boolean approved, String actor, String comment) implements Signal {
    }

    /** A person cancelled the execution. */
    record Cancel(String actor, String reason) implements Signal {
    }
}
