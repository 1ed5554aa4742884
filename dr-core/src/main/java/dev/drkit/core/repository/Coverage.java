package dev.drkit.core.repository;

import java.time.Instant;

/**
 * The time range over which a source can be restored to any instant: a journal's base
 * snapshot and the segments chained to it.
 *
 * @param source the journaled source
 * @param snapshotId the base snapshot's id
 * @param from the base snapshot's time
 * @param to the time up to which the last segment records every change
 * @param segments how many segments the chain holds
 */
public record Coverage(String source, String snapshotId, Instant from, Instant to, int segments) {
    /**
     * Tells whether an instant lies in the range.
     *
     * @param at the instant
     * @return true when {@code from <= at <= to}
     */
    public boolean covers(Instant at) {
        return !at.isBefore(from) && !at.isAfter(to);
    }
}
