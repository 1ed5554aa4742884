package dev.drkit.api.backup;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A snapshot restored into a sandbox for a restore test, as its validators see it.
 *
 * @param snapshotId the snapshot's id
 * @param capturedAt when the snapshot's data was captured
 * @param sources the names of the snapshot's sources; each is restored into {@code directory/<source>}
 * @param directory the sandbox the snapshot was restored into
 * @param files how many files were restored
 * @param bytes how many bytes were restored
 */
public record RestoredSnapshot(String snapshotId, Instant capturedAt, List<String> sources, Path directory,
        long files, long bytes) {
    /** Checks the fields and copies the sources. */
    public RestoredSnapshot {
        Objects.requireNonNull(snapshotId, "snapshotId");
        Objects.requireNonNull(capturedAt, "capturedAt");
        Objects.requireNonNull(directory, "directory");
        sources = List.copyOf(sources);
    }
}
