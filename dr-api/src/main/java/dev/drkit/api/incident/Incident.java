package dev.drkit.api.incident;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * An incident as it stands at one moment: an immutable value; changes produce a new one.
 *
 * @param id a unique id
 * @param title a one-line summary
 * @param severity how bad it is
 * @param faultType the class of fault
 * @param status open, acknowledged or resolved
 * @param openedAt when it was opened
 * @param assignee who has it, or {@code null}
 * @param timeline every related event, oldest first
 */
public record Incident(String id, String title, Severity severity, FaultType faultType, IncidentStatus status,
        Instant openedAt, @Nullable String assignee, List<TimelineEntry> timeline) {
    /** Copies the timeline so that the incident is immutable. */
    public Incident {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(faultType, "faultType");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(openedAt, "openedAt");
        timeline = List.copyOf(timeline);
    }

    /**
     * Returns who has the incident.
     *
     * @return the assignee, or empty
     */
    public Optional<String> assigneeIfAny() {
        return Optional.ofNullable(assignee);
    }
}
