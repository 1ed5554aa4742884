package dev.drkit.core.repository;

import java.time.Duration;

/**
 * What a backup did.
 *
 * @param snapshot the committed snapshot
 * @param filesNew files not in the parent snapshot
 * @param filesChanged files read again because they changed
 * @param filesUnchanged files taken from the parent without reading them
 * @param directories directories captured
 * @param bytesRead content bytes read from the sources
 * @param bytesAdded content bytes of new blobs (before compression)
 * @param bytesStored bytes written to the store (packs, index, manifest)
 * @param blobsAdded new blobs stored
 * @param duration wall time of the backup
 */
public record BackupResult(Snapshot snapshot, long filesNew, long filesChanged, long filesUnchanged, long directories,
        long bytesRead, long bytesAdded, long bytesStored, long blobsAdded, Duration duration) {
    /** Returns the id of the committed snapshot. @return the id */
    public String snapshotId() {
        return snapshot.id();
    }
}
