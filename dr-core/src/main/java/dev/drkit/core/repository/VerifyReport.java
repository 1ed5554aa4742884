package dev.drkit.core.repository;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What {@link Repository#verify} found.
 *
 * @param snapshots snapshots checked
 * @param packs packs known to the index
 * @param packsRead packs downloaded and re-hashed
 * @param blobsRead blobs decrypted and re-hashed
 * @param problems every problem found, each naming the store key at fault
 * @param notes what is worth knowing but not damage, each naming a store key: a snapshot not yet
 *     in the history (a backup running or interrupted), a history that starts after the
 *     repository's first snapshots, a key file of an older format
 * @param historyHead the digest of the snapshot history's head ({@code <seq>:<hash>}), for an
 *     operator to keep where the repository's writers cannot reach and pass back to
 *     {@link VerifyOptions#expectedHead()}; null when the repository has no history yet
 * @param unindexedPacks packs in the store that no index file lists: the remains of a backup
 *     that was interrupted (killed, or failed) before it wrote its index, or the packs of one
 *     running now. Not a problem: nothing uses them, and {@link Repository#prune} deletes them
 *     once they are older than its grace period
 * @param temporaryFiles temporary files in a directory ({@code file:}) store, left by writes
 *     that were killed before they renamed them into place, or of writes running now. Not a
 *     problem: nothing reads them, and {@link Repository#prune} deletes them once they are older
 *     than {@link PruneOptions#TEMPORARY_FILE_AGE}; always 0 for other stores
 */
public record VerifyReport(int snapshots, int packs, int packsRead, long blobsRead, List<VerifyReport.Problem> problems,
        List<VerifyReport.Problem> notes, @Nullable String historyHead, int unindexedPacks, int temporaryFiles) {
    /** Copies the lists. */
    public VerifyReport {
        problems = List.copyOf(problems);
        notes = List.copyOf(notes);
    }

    /**
     * A report without leftovers of interrupted writers.
     *
     * @param snapshots snapshots checked
     * @param packs packs known to the index
     * @param packsRead packs downloaded and re-hashed
     * @param blobsRead blobs decrypted and re-hashed
     * @param problems every problem found
     * @param notes what is worth knowing but not damage
     * @param historyHead the digest of the snapshot history's head, or null
     */
    public VerifyReport(int snapshots, int packs, int packsRead, long blobsRead, List<VerifyReport.Problem> problems,
            List<VerifyReport.Problem> notes, @Nullable String historyHead) {
        this(snapshots, packs, packsRead, blobsRead, problems, notes, historyHead, 0, 0);
    }

    /**
     * A report without notes or history head.
     *
     * @param snapshots snapshots checked
     * @param packs packs known to the index
     * @param packsRead packs downloaded and re-hashed
     * @param blobsRead blobs decrypted and re-hashed
     * @param problems every problem found
     */
    public VerifyReport(int snapshots, int packs, int packsRead, long blobsRead, List<VerifyReport.Problem> problems) {
        this(snapshots, packs, packsRead, blobsRead, problems, List.of(), null, 0, 0);
    }

    /**
     * One problem.
     *
     * @param key the store key at fault, such as {@code data/ab/ab12...} or {@code snapshots/1f...}
     * @param message what is wrong
     */
    public record Problem(String key, String message) {
    }

    /**
     * Tells whether no problem was found; leftovers of interrupted writers
     * ({@link #unindexedPacks()}, {@link #temporaryFiles()}) are not problems.
     *
     * @return true when clean
     */
    public boolean ok() {
        return problems.isEmpty();
    }

    /**
     * Tells whether a problem names an index file ({@code index/<id>}): one damaged, or deleted
     * though the history records it. The {@link #unindexedPacks()} may then be that file's,
     * holding the only copy of their blobs, rather than an interrupted backup's: run
     * {@link Repository#repairIndex} before {@link Repository#prune}.
     *
     * @return true when an index file is damaged or missing
     */
    public boolean indexFileDamaged() {
        return problems.stream().anyMatch(p -> p.key().startsWith("index/"));
    }
}
