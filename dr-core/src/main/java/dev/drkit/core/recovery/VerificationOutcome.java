package dev.drkit.core.recovery;

import dev.drkit.api.recovery.VerificationPhase;
import java.time.Instant;
import java.util.Objects;

/**
 * How one verification of an execution went.
 *
 * @param name the verification
 * @param phase when it ran
 * @param passed whether it passed within its tolerance
 * @param checks how many times its probe was asked
 * @param failures how many answers were DOWN
 * @param lastDetail the last answer's detail
 * @param at when it was last checked
 */
public record VerificationOutcome(String name, VerificationPhase phase, boolean passed, int checks, int failures,
        String lastDetail, Instant at) {
    /** Checks that no field is null. */
    public VerificationOutcome {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(lastDetail, "lastDetail");
        Objects.requireNonNull(at, "at");
    }
}
