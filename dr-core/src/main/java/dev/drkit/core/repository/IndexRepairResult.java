package dev.drkit.core.repository;

import java.util.List;

/**
 * What {@link Repository#repairIndex} did.
 *
 * @param indexFilesReplaced index files replaced by the one written (all of them, when anything
 *     changed), the damaged and missing ones included
 * @param indexFilesDamaged index files that could not be read
 * @param indexFilesMissing index files the repository's history records that the store no longer
 *     holds (deleted without a prune): recorded as removed, so that verify stops naming them
 * @param packsAdded packs no readable index file listed, listed again from their own headers
 * @param packsMissing packs the index listed that the store no longer holds, left out
 * @param blobsDropped blobs left out of the index because their data failed its check (only
 *     when the packs were read); the next backup stores their content again
 * @param packsRewritten packs that held such a blob, whose other blobs were copied into new
 *     packs before they were deleted
 * @param unreadablePacks packs whose header could not be read, left out and not deleted
 * @param changed whether a new index was written
 */
public record IndexRepairResult(int indexFilesReplaced, int indexFilesDamaged, int indexFilesMissing, int packsAdded,
        int packsMissing, int blobsDropped, int packsRewritten, List<String> unreadablePacks, boolean changed) {
    /** Copies the list. */
    public IndexRepairResult {
        unreadablePacks = List.copyOf(unreadablePacks);
    }
}
