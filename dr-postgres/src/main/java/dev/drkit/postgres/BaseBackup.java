package dev.drkit.postgres;

import java.time.Instant;

/**
 * A base backup of a PostgreSQL cluster in the repository: the data directory as it was
 * copied between {@code pg_backup_start} and {@code pg_backup_stop}, and the
 * {@code backup_label} that tells recovery where to begin.
 *
 * @param snapshotId the snapshot that commits the base backup (it holds {@code backup_label})
 * @param dataSnapshotId the snapshot of the data directory
 * @param systemId the cluster's system identifier
 * @param timeline the timeline the backup was taken on
 * @param startLsn where recovery from this backup begins (the checkpoint's redo position)
 * @param stopLsn where the cluster is consistent again; recovery must replay WAL at least this far
 * @param startTime when {@code pg_backup_start} returned, by the server's clock
 * @param stopTime when {@code pg_backup_stop} returned, by the server's clock: the earliest
 *     instant this backup restores to
 */
public record BaseBackup(String snapshotId, String dataSnapshotId, String systemId, int timeline, Lsn startLsn,
        Lsn stopLsn, Instant startTime, Instant stopTime) {
}
