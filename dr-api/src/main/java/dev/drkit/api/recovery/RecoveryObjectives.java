package dev.drkit.api.recovery;

import dev.drkit.api.DrException;
import java.time.Duration;
import java.util.Objects;

/**
 * The recovery time and recovery point objectives a plan is measured against.
 *
 * @param rto the longest acceptable time from detection to verified recovery
 * @param rpo the oldest acceptable age of the restored data at the moment of the failure
 */
public record RecoveryObjectives(Duration rto, Duration rpo) {
    /**
     * Validates the objectives.
     *
     * @throws DrException {@code INVALID_ARGUMENT} when either is zero or negative
     */
    public RecoveryObjectives {
        Objects.requireNonNull(rto, "rto");
        Objects.requireNonNull(rpo, "rpo");
        if (rto.isNegative() || rto.isZero()) {
            throw DrException.invalidArgument("rto", "must be > 0", rto);
        }
        if (rpo.isNegative() || rpo.isZero()) {
            throw DrException.invalidArgument("rpo", "must be > 0", rpo);
        }
    }

    /**
     * Returns objectives.
     *
     * @param rto recovery time objective
     * @param rpo recovery point objective
     * @return the objectives
     */
    public static RecoveryObjectives of(Duration rto, Duration rpo) {
        return new RecoveryObjectives(rto, rpo);
    }
}
