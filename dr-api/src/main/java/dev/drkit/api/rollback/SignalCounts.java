package dev.drkit.api.rollback;

import dev.drkit.api.DrException;

/**
 * Cumulative counts of a {@link Signal}: events and bad events of each version.
 *
 * @param stableEvents events on the stable version, >= 0
 * @param stableBad bad events on the stable version, between 0 and {@code stableEvents}
 * @param candidateEvents events on the candidate, >= 0
 * @param candidateBad bad events on the candidate, between 0 and {@code candidateEvents}
 */
public record SignalCounts(long stableEvents, long stableBad, long candidateEvents, long candidateBad) {
    /**
     * Validates the counts.
     *
     * @throws DrException {@code INVALID_ARGUMENT} naming the first count out of range
     */
    public SignalCounts {
        if (stableEvents < 0) {
            throw DrException.invalidArgument("stableEvents", "must be >= 0", stableEvents);
        }
        if (stableBad < 0 || stableBad > stableEvents) {
            throw DrException.invalidArgument("stableBad", "must be between 0 and stableEvents (" + stableEvents
                    + ")", stableBad);
        }
        if (candidateEvents < 0) {
            throw DrException.invalidArgument("candidateEvents", "must be >= 0", candidateEvents);
        }
        if (candidateBad < 0 || candidateBad > candidateEvents) {
            throw DrException.invalidArgument("candidateBad", "must be between 0 and candidateEvents ("
                    + candidateEvents + ")", candidateBad);
        }
    }
}
