package dev.drkit.postgres;

import java.nio.file.Path;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A data directory laid out for point-in-time recovery: start PostgreSQL on it and it
 * replays the WAL to the target, then promotes itself.
 *
 * @param dataDirectory the directory
 * @param baseBackup the base backup it starts from
 * @param recoveryTargetTime the {@code recovery_target_time} written, or {@code null} when
 *     recovery replays all the WAL laid out (every transaction in it ended by the instant asked for)
 * @param walEnd the position after the last WAL byte laid out
 * @param dataAsOf the instant the restored data reflects: the one asked for, or for the
 *     latest restore the time the last WAL chunk was received
 */
public record RestoredCluster(Path dataDirectory, BaseBackup baseBackup, @Nullable Instant recoveryTargetTime,
        Lsn walEnd, Instant dataAsOf) {
}
