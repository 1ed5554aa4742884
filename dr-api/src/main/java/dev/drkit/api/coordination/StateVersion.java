package dev.drkit.api.coordination;

import dev.drkit.api.DrException;
import java.util.Objects;

/**
 * One committed version of a {@link SharedState}.
 *
 * @param state the state's name
 * @param version the version, {@code >= 1}; each committed change adds one
 * @param value the value, a small text such as JSON
 */
public record StateVersion(String state, long version, String value) {
    /**
     * Validates the fields.
     *
     * @throws DrException {@code INVALID_ARGUMENT} for a version below 1
     */
    public StateVersion {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(value, "value");
        if (version < 1) {
            throw DrException.invalidArgument("version", "must be >= 1", version);
        }
    }
}
