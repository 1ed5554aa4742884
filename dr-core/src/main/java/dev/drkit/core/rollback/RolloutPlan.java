package dev.drkit.core.rollback;

import dev.drkit.api.DrException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The steps a candidate's weight follows, for example 1% -> 5% -> 25% -> 50% -> 100%. The
 * candidate is promoted when the last step's gates pass and the judge says PROMOTE; a last
 * weight below 1 is allowed (the promotion then jumps to 100%).
 *
 * @param steps the steps, with strictly increasing weights
 */
public record RolloutPlan(List<RolloutStep> steps) {

    /** Default plan: 1%, 5%, 25%, 50%, 100%, each needing 100 candidate calls. */
    public static final RolloutPlan DEFAULT = of(100, Duration.ZERO, 0.01, 0.05, 0.25, 0.5, 1.0);

    /**
     * Validates the steps.
     *
     * @throws DrException {@code INVALID_ARGUMENT} when there are no steps or a weight does not increase
     */
    public RolloutPlan {
        steps = List.copyOf(Objects.requireNonNull(steps, "steps"));
        if (steps.isEmpty()) {
            throw DrException.invalidArgument("steps", "must not be empty", steps);
        }
        for (int i = 1; i < steps.size(); i++) {
            double previous = steps.get(i - 1).weight();
            double weight = steps.get(i).weight();
            if (!(weight > previous)) {
                throw DrException.invalidArgument("steps[" + i + "].weight",
                        "must be > steps[" + (i - 1) + "].weight (" + previous + ")", weight);
            }
        }
    }

    /**
     * Returns a plan whose steps share the same gates.
     *
     * @param minCalls candidate calls each step must see
     * @param minDuration time each step must last
     * @param weights the candidate's share at each step
     * @return the plan
     * @throws DrException {@code INVALID_ARGUMENT} for a weight out of range or not increasing
     */
    public static RolloutPlan of(long minCalls, Duration minDuration, double... weights) {
        List<RolloutStep> list = new ArrayList<>(weights.length);
        for (double w : weights) {
            list.add(new RolloutStep(w, minCalls, minDuration));
        }
        return new RolloutPlan(list);
    }

    /**
     * Returns the step at an index.
     *
     * @param index the index, from 0
     * @return the step
     */
    public RolloutStep step(int index) {
        return steps.get(index);
    }

    /**
     * Returns the number of steps.
     *
     * @return the count
     */
    public int size() {
        return steps.size();
    }
}
