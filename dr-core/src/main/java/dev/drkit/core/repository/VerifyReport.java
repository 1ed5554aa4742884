package dev.drkit.core.repository;

import java.util.List;

/**
 * What {@link Repository#verify} found.
 *
 * @param snapshots snapshots checked
 * @param packs packs known to the index
 * @param packsRead packs downloaded and re-hashed
 * @param blobsRead blobs decrypted and re-hashed
 * @param problems every problem found, each naming the store key at fault
 */
public record VerifyReport(int snapshots, int packs, int packsRead, long blobsRead, List<VerifyReport.Problem> problems) {
    /** Copies the list. */
    public VerifyReport {
        problems = List.copyOf(problems);
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
