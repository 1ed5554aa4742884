package dev.drkit.core.incident;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What one alert of a webhook led to.
 *
 * @param fingerprint the alert's fingerprint
 * @param alert the alert's name
 * @param action {@code rollback}, {@code run_plan}, {@code open_incident}, {@code resolve},
 *     {@code duplicate} or {@code ignored}
 * @param target the guard or plan acted on, or empty
 * @param incidentId the incident opened or annotated, or {@code null}
 * @param ok whether the action succeeded
 * @param message what happened, for a person
 */
public record AlertOutcome(String fingerprint, String alert, String action, String target, @Nullable String incidentId,
        boolean ok, String message) {
    /** Checks the required fields. */
    public AlertOutcome {
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(alert, "alert");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(message, "message");
    }
}
