package dev.drkit.core.rollback;

import dev.drkit.api.DrException;
import java.time.Duration;
import java.util.Objects;

/**
 * One step of a {@link RolloutPlan}: the candidate's share of calls and what must happen
 * before the next step.
 *
 * @param weight the share of calls routed to the candidate, in (0, 1]
 * @param minCalls candidate calls the step must see before it may advance, >= 0
 * @param minDuration time the step must last before it may advance, >= 0
 */
public record RolloutStep(double weight, long minCalls, Duration minDuration) {
    /**
     * Validates the fields.
     *
     * @throws DrException {@code INVALID_ARGUMENT} naming the field that is out of range
     */
    public RolloutStep {
        Objects.requireNonNull(minDuration, "minDuration");
        if (!(weight > 0 && weight <= 1)) {
            throw DrException.invalidArgument("weight", "must be in (0, 1]", weight);
        }
        if (minCalls < 0) {
            throw DrException.invalidArgument("minCalls", "must be >= 0", minCalls);
        }
        if (minDuration.isNegative()) {
            throw DrException.invalidArgument("minDuration", "must be >= 0", minDuration);
        }
    }
}
