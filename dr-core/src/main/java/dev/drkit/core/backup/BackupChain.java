package dev.drkit.core.backup;

import dev.drkit.core.repository.Snapshot;
import java.util.List;
import java.util.Optional;

/**
 * What the repository's history says about a set of sources: their newest snapshot and how
 * many incremental backups followed their newest full one, so that a restarted service goes
 * on where it stopped instead of starting with a full backup.
 */
final class BackupChain {
    private BackupChain() {
    }

    /**
     * Returns the newest snapshot of exactly these sources.
     *
     * @param history the snapshots, oldest first
     * @param sources the source names
     * @return the newest, or empty
     */
    static Optional<Snapshot> newest(List<Snapshot> history, List<String> sources) {
        for (int i = history.size() - 1; i >= 0; i--) {
            if (history.get(i).sources().equals(sources)) {
                return Optional.of(history.get(i));
            }
        }
        return Optional.empty();
    }

    /**
     * Counts the incremental backups of these sources since their newest full one: a snapshot
     * with a parent was incremental, one without read everything. When retention has forgotten
     * the full one, the count is that of the incrementals still kept.
     *
     * @param history the snapshots, oldest first
     * @param sources the source names
     * @return the count, or -1 when no snapshot of these sources exists
     */
    static int incrementalsSinceFull(List<Snapshot> history, List<String> sources) {
        int incrementals = 0;
        boolean any = false;
        for (int i = history.size() - 1; i >= 0; i--) {
            Snapshot s = history.get(i);
            if (!s.sources().equals(sources)) {
                continue;
            }
            if (s.parent() == null) {
                return incrementals;
            }
            any = true;
            incrementals++;
        }
        return any ? incrementals : -1;
    }
}
