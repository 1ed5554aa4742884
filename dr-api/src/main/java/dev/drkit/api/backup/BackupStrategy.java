package dev.drkit.api.backup;

import dev.drkit.api.DrException;

/**
 * Chooses whether the next scheduled backup is full or incremental.
 *
 * <p>Implementations are stateless and thread-safe.
 */
@FunctionalInterface
public interface BackupStrategy {

    /**
     * Chooses the kind of the next backup.
     *
     * @param incrementalsSinceFull how many incremental backups ran since the last full one,
     *     or -1 when no full backup exists yet
     * @return FULL or INCREMENTAL
     */
    BackupKind next(int incrementalsSinceFull);

    /**
     * Returns a strategy that runs a full backup first, then {@code n} incrementals, then a
     * full one again.
     *
     * @param n incrementals between full backups, {@code >= 0}
     * @return the strategy
     * @throws DrException {@code INVALID_ARGUMENT} for a negative {@code n}
     */
    static BackupStrategy fullEvery(int n) {
        if (n < 0) {
            throw DrException.invalidArgument("n", "must be >= 0", n);
        }
        return since -> since < 0 || since >= n ? BackupKind.FULL : BackupKind.INCREMENTAL;
    }

    /**
     * Returns a strategy that runs one full backup and incrementals ever after.
     *
     * @return the strategy
     */
    static BackupStrategy incrementalForever() {
        return since -> since < 0 ? BackupKind.FULL : BackupKind.INCREMENTAL;
    }
}
