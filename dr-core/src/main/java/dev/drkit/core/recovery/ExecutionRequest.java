package dev.drkit.core.recovery;

import dev.drkit.api.recovery.ExecutionMode;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What to run a plan for: LIVE or DRILL, who asks, when the failure was detected (the start
 * of the RTO clock), an incident to link, and optionally a fixed execution id.
 *
 * @param mode LIVE or DRILL
 * @param actor who starts the execution, for the audit log
 * @param detectedAt when the failure was detected, or {@code null} for the execution's start
 * @param incidentId the incident, or {@code null}
 * @param executionId the id to use, or {@code null} for a random one
 */
public record ExecutionRequest(ExecutionMode mode, String actor, @Nullable Instant detectedAt,
        @Nullable String incidentId, @Nullable String executionId) {
    /** Checks the required fields. */
    public ExecutionRequest {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(actor, "actor");
    }

    /**
     * Returns a LIVE request by {@code system}.
     *
     * @return the request
     */
    public static ExecutionRequest live() {
        return new ExecutionRequest(ExecutionMode.LIVE, "system", null, null, null);
    }

    /**
     * Returns a DRILL request by {@code system}.
     *
     * @return the request
     */
    public static ExecutionRequest drill() {
        return new ExecutionRequest(ExecutionMode.DRILL, "system", null, null, null);
    }

    /**
     * Returns a copy with the actor.
     *
     * @param actor who starts it
     * @return the copy
     */
    public ExecutionRequest by(String actor) {
        return new ExecutionRequest(mode, actor, detectedAt, incidentId, executionId);
    }

    /**
     * Returns a copy with the detection time.
     *
     * @param detectedAt when the failure was detected
     * @return the copy
     */
    public ExecutionRequest detectedAt(Instant detectedAt) {
        return new ExecutionRequest(mode, actor, detectedAt, incidentId, executionId);
    }

    /**
     * Returns a copy linked to an incident.
     *
     * @param incidentId the incident
     * @return the copy
     */
    public ExecutionRequest forIncident(String incidentId) {
        return new ExecutionRequest(mode, actor, detectedAt, incidentId, executionId);
    }

    /**
     * Returns a copy with a fixed execution id.
     *
     * @param executionId the id
     * @return the copy
     */
    public ExecutionRequest withId(String executionId) {
        return new ExecutionRequest(mode, actor, detectedAt, incidentId, executionId);
    }
}
