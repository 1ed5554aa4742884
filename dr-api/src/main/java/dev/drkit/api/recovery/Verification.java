package dev.drkit.api.recovery;

import dev.drkit.api.DrException;
import dev.drkit.api.health.HealthProbe;
import java.util.Objects;

/**
 * A steady-state check of a plan: a probe, when it runs, and how many failed checks it
 * tolerates before the verification fails.
 *
 * @param name the verification's name, for reports
 * @param probe the check
 * @param phase when it runs
 * @param toleratedFailures how many DOWN answers are tolerated before it fails, {@code >= 0}
 */
public record Verification(String name, HealthProbe probe, VerificationPhase phase, int toleratedFailures) {
    /**
     * Validates the fields.
     *
     * @throws DrException {@code INVALID_ARGUMENT} for a negative tolerance or a blank name
     */
    public Verification {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(probe, "probe");
        Objects.requireNonNull(phase, "phase");
        if (name.isBlank()) {
            throw DrException.invalidArgument("name", "must not be blank", "\"" + name + "\"");
        }
        if (toleratedFailures < 0) {
            throw DrException.invalidArgument("toleratedFailures", "must be >= 0", toleratedFailures);
        }
    }
}
