package dev.drkit.core.repository;

import java.time.Duration;
import java.util.List;

/**
 * What a copy between repositories did.
 *
 * @param copied ids of the snapshots committed in the destination, oldest first
 * @param skipped ids of the snapshots the destination held already
 * @param blobsSent blobs written to the destination
 * @param bytesSent bytes written to the destination store (packs, index files, manifests)
 * @param blobsRead data blobs read from the source because the destination's id was unknown
 * @param duration wall time
 * @param segmentsSent journal segments written to the destination, re-sealed with its keys
 * @param packsMissing packs the destination's index listed that its store no longer held, by
 *     key, sorted: the copy took them out of the destination's index and sent again the blobs of
 *     the snapshots it copied; snapshots the destination held already that need the rest stay
 *     damaged there, which its verify names. Empty when none was missing.
 */
public record CopyResult(List<String> copied, List<String> skipped, long blobsSent, long bytesSent, long blobsRead,
        Duration duration, int segmentsSent, List<String> packsMissing) {
    /** Copies the lists. */
    public CopyResult {
        copied = List.copyOf(copied);
        skipped = List.copyOf(skipped);
        packsMissing = List.copyOf(packsMissing);
    }

    /**
     * A result of a destination that lacked no pack.
     *
     * @param copied ids of the snapshots committed in the destination
     * @param skipped ids of the snapshots the destination held already
     * @param blobsSent blobs written
     * @param bytesSent bytes written
     * @param blobsRead data blobs read from the source
     * @param duration wall time
     * @param segmentsSent journal segments written
     */
    public CopyResult(List<String> copied, List<String> skipped, long blobsSent, long bytesSent, long blobsRead,
            Duration duration, int segmentsSent) {
        this(copied, skipped, blobsSent, bytesSent, blobsRead, duration, segmentsSent, List.of());
    }

    /**
     * A result without journal segments.
     *
     * @param copied ids of the snapshots committed in the destination
     * @param skipped ids of the snapshots the destination held already
     * @param blobsSent blobs written
     * @param bytesSent bytes written
     * @param blobsRead data blobs read from the source
     * @param duration wall time
     */
    public CopyResult(List<String> copied, List<String> skipped, long blobsSent, long bytesSent, long blobsRead,
            Duration duration) {
        this(copied, skipped, blobsSent, bytesSent, blobsRead, duration, 0, List.of());
    }
}
