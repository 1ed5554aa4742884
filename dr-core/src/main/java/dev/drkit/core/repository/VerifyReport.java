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
 */
public record VerifyReport(int snapshots, int packs, int packsRead, long blobsRead, List<VerifyReport.Problem> problems,
        List<VerifyReport.Problem> notes, @Nullable String historyHead) {
    /** Copies the lists. */
    public VerifyReport {
        problems = List.copyOf(problems);
        notes = List.copyOf(notes);
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
        this(snapshots, packs, packsRead, blobsRead, problems, List.of(), null);
    }

    /**
     * One problem.
     *
     * @param key the store key at fault, such as {@code data/ab/ab12...} or {@code snapshots/1f...}
     * @param message what is wrong
     */
    public record Problem(String key, String message) {
    }

    /** Tells whether no problem was found. @return true when clean */
    public boolean ok() {
        return problems.isEmpty();
    }
}
