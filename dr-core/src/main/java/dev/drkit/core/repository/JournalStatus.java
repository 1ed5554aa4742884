package dev.drkit.core.repository;

import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Where a {@link Journal} stands.
 *
 * @param source the journaled source
 * @param baseSnapshotId the snapshot the current chain starts from
 * @param segments segments in the current chain, heartbeats included
 * @param committedPosition the last durable feed position, -1 when none
 * @param lastDurable the end of the last durable segment, a heartbeat's included: up to when a
 *     restore can reach; {@code null} when the chain has none
 * @param pending changes taken but not yet durable
 * @param lag how long the oldest of them has waited; zero when none waits
 * @param chainBytes bytes of segments in the current chain
 * @param lastError the last flush's failure, {@code null} after a success
 */
public record JournalStatus(String source, String baseSnapshotId, long segments, long committedPosition,
        @Nullable Instant lastDurable, int pending, Duration lag, long chainBytes, @Nullable String lastError) {
}
