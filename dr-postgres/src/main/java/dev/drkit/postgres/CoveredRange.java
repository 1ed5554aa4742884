package dev.drkit.postgres;

import java.time.Instant;

/**
 * The instants a cluster can be restored to from the repository: from the end of its
 * earliest base backup to the time the last WAL chunk that continues it was received.
 *
 * @param systemId the cluster's system identifier
 * @param from the earliest instant
 * @param to the latest instant
 * @param walEnd the position after the last WAL byte that continues the base backups
 */
public record CoveredRange(String systemId, Instant from, Instant to, Lsn walEnd) {
    /**
     * Says whether an instant lies in the range.
     *
     * @param at the instant
     * @return whether {@code from <= at <= to}
     */
    public boolean contains(Instant at) {
        return !at.isBefore(from) && !at.isAfter(to);
    }
}
