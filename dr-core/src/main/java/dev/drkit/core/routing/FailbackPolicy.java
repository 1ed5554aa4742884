package dev.drkit.core.routing;

import dev.drkit.api.DrException;

/**
 * When a {@link FailoverRouter} that failed over to its standby goes back to its primary on
 * its own: never ({@link #MANUAL}, an operator calls {@link FailoverRouter#failback}) or once
 * the primary has answered UP for a number of probe rounds in a row (and, with a primary lease,
 * holds it again).
 *
 * @param healthyRounds the consecutive UP rounds that trigger a failback; 0 for manual only
 */
public record FailbackPolicy(int healthyRounds) {
    /** Failback only by an operator: the default. */
    public static final FailbackPolicy MANUAL = new FailbackPolicy(0);

    /**
     * Validates the field.
     *
     * @throws DrException {@code INVALID_ARGUMENT} for a negative count
     */
    public FailbackPolicy {
        if (healthyRounds < 0) {
            throw DrException.invalidArgument("healthyRounds", "must be >= 0", healthyRounds);
        }
    }

    /**
     * Returns a policy that fails back after a number of consecutive UP probe rounds of the primary.
     *
     * @param rounds the rounds, {@code >= 1}
     * @return the policy
     * @throws DrException {@code INVALID_ARGUMENT} for a count below 1
     */
    public static FailbackPolicy afterHealthyRounds(int rounds) {
        if (rounds < 1) {
            throw DrException.invalidArgument("rounds", "must be >= 1", rounds);
        }
        return new FailbackPolicy(rounds);
    }

    /**
     * Returns whether the router fails back on its own.
     *
     * @return false for {@link #MANUAL}
     */
    public boolean automatic() {
        return healthyRounds > 0;
    }
}
