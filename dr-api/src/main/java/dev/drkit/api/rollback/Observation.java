package dev.drkit.api.rollback;

import dev.drkit.api.DrException;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything a {@link Judge} or {@link RollbackTrigger} may look at: what each version of a
 * guard has done since the candidate's rollout began (the evidence accumulates across steps,
 * so that the false-rollback budget is spent once per rollout, not once per step).
 *
 * @param guard the guard's name
 * @param stable the stable version's stats
 * @param candidate the candidate version's stats
 * @param candidateWeight the share of calls routed to the candidate, in [0, 1]
 * @param stepElapsed time since the current rollout step began
 */
public record Observation(String guard, VariantStats stable, VariantStats candidate,
        double candidateWeight, Duration stepElapsed) {
    /**
     * Validates the fields.
     *
     * @throws DrException {@code INVALID_ARGUMENT} for a weight outside [0, 1]
     */
    public Observation {
        Objects.requireNonNull(guard, "guard");
        Objects.requireNonNull(stable, "stable");
        Objects.requireNonNull(candidate, "candidate");
        Objects.requireNonNull(stepElapsed, "stepElapsed");
        if (!(candidateWeight >= 0.0 && candidateWeight <= 1.0)) {
            throw DrException.invalidArgument("candidateWeight", "must be in [0, 1]", candidateWeight);
        }
    }
}
