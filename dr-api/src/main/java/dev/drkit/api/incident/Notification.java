package dev.drkit.api.incident;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A message to people: an incident opened, escalated or resolved, a plan step that asks for
 * attention, a drill's result.
 *
 * @param at when it was sent
 * @param kind a short lowercase tag such as {@code incident.opened} or {@code plan.notify}
 * @param subject one line
 * @param text the body, for a person
 * @param severity the incident's severity, or {@code null}
 * @param incidentId the incident, or {@code null}
 * @param fields further named values for machines
 */
public record Notification(Instant at, String kind, String subject, String text, @Nullable Severity severity,
        @Nullable String incidentId, Map<String, String> fields) {
    /** Checks the fields and copies the map. */
    public Notification {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(text, "text");
        fields = Map.copyOf(fields);
    }
}
