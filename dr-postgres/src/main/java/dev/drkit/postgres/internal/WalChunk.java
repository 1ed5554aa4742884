package dev.drkit.postgres.internal;

import dev.drkit.postgres.Lsn;
import java.time.Instant;

/**
 * A run of WAL bytes as the server streamed them, stored as one unit.
 *
 * @param id the stored chunk's id, empty before it is stored
 * @param systemId the cluster's system identifier
 * @param timeline the timeline the bytes belong to
 * @param segmentSize the cluster's WAL segment size
 * @param start the position of the first byte
 * @param end the position after the last byte
 * @param received when the last byte was received
 */
public record WalChunk(String id, String systemId, int timeline, long segmentSize, Lsn start, Lsn end,
        Instant received) {
    /** Returns how many bytes the chunk holds. @return the length */
    public long length() {
        return end.minus(start);
    }
}
