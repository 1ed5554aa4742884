package dev.drkit.api.coordination;

import dev.drkit.api.DrException;
import java.util.Objects;

/**
 * Proof of having held a lease: its name and the epoch of the holding. A fenced write carries
 * it, and the backend refuses it once a newer epoch of the same lease exists.
 *
 * @param lease the lease's name
 * @param epoch the epoch of the holding, {@code >= 1}; every new holder gets a greater one
 */
public record FencingToken(String lease, long epoch) {
    /**
     * Validates the fields.
     *
     * @throws DrException {@code INVALID_ARGUMENT} for a blank lease name or an epoch below 1
     */
    public FencingToken {
        Objects.requireNonNull(lease, "lease");
        if (lease.isBlank()) {
            throw DrException.invalidArgument("lease", "must not be blank", "\"" + lease + "\"");
        }
        if (epoch < 1) {
            throw DrException.invalidArgument("epoch", "must be >= 1", epoch);
        }
    }
}
