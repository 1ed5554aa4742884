package dev.drkit.core.recovery.internal;

import dev.drkit.core.recovery.ExecutionStatus;

/** How the step phase of an execution ended, and why. */
record Outcome(ExecutionStatus status, String reason) {
    static final Outcome SUCCEEDED = new Outcome(ExecutionStatus.SUCCEEDED, "");
}
