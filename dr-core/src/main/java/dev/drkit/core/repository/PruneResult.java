package dev.drkit.core.repository;

/**
 * What {@link Repository#prune} did (or would do, in a dry run).
 *
 * @param packsDeleted packs deleted because nothing uses them
 * @param packsRepacked partly used packs whose live blobs were copied to new packs
 * @param packsKeptYoung unused or partly used packs kept because they are within the grace period
 * @param bytesFreed bytes of packs deleted, less the bytes of new packs written
 * @param dryRun whether nothing was changed
 * @param segmentsDeleted journal segments deleted because their base snapshot was forgotten
 *     (compacted or expired journal)
 * @param temporaryFilesDeleted temporary files of interrupted writes deleted from a directory
 *     ({@code file:}) store, those older than {@link PruneOptions#TEMPORARY_FILE_AGE} or the
 *     grace period, whichever is longer; always 0 for other stores
 */
public record PruneResult(int packsDeleted, int packsRepacked, int packsKeptYoung, long bytesFreed, boolean dryRun,
        int segmentsDeleted, int temporaryFilesDeleted) {
    /**
     * A result without temporary files.
     *
     * @param packsDeleted packs deleted whole
     * @param packsRepacked packs whose live blobs were copied into new packs
     * @param packsKeptYoung packs kept for the grace period
     * @param bytesFreed bytes freed
     * @param dryRun whether nothing was changed
     * @param segmentsDeleted journal segments deleted
     */
    public PruneResult(int packsDeleted, int packsRepacked, int packsKeptYoung, long bytesFreed, boolean dryRun,
            int segmentsDeleted) {
        this(packsDeleted, packsRepacked, packsKeptYoung, bytesFreed, dryRun, segmentsDeleted, 0);
    }

    /**
     * A result without journal segments.
     *
     * @param packsDeleted packs deleted whole
     * @param packsRepacked packs whose live blobs were copied into new packs
     * @param packsKeptYoung packs kept for the grace period
     * @param bytesFreed bytes freed
     * @param dryRun whether nothing was changed
     */
    public PruneResult(int packsDeleted, int packsRepacked, int packsKeptYoung, long bytesFreed, boolean dryRun) {
        this(packsDeleted, packsRepacked, packsKeptYoung, bytesFreed, dryRun, 0, 0);
    }
}
