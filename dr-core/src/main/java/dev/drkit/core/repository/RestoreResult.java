package dev.drkit.core.repository;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a restore did.
 *
 * @param files files written
 * @param directories directories created or updated
 * @param symlinks symbolic links created
 * @param skipped existing files left alone
 * @param bytes content bytes written
 * @param duration wall time
 * @param differing how many of the {@code skipped} files differ from the snapshot's in size or
 *     modification time: a file of another content, or one a restore killed before it finished
 *     left behind, which only {@link RestoreOptions#overwrite()} replaces
 * @param differingPaths the first few of those, as snapshot paths
 */
public record RestoreResult(long files, long directories, long symlinks, long skipped, long bytes, Duration duration,
        long differing, List<String> differingPaths) {

    /** How many of the differing files {@link #differingPaths()} names at most. */
    public static final int DIFFERING_NAMED = 3;

    /**
     * Checks the lists.
     *
     * @param files files written
     * @param directories directories created or updated
     * @param symlinks symbolic links created
     * @param skipped existing files left alone
     * @param bytes content bytes written
     * @param duration wall time
     * @param differing how many skipped files differ from the snapshot's
     * @param differingPaths the first few of those
     */
    public RestoreResult {
        Objects.requireNonNull(duration, "duration");
        differingPaths = List.copyOf(differingPaths);
    }

    /**
     * A result that kept no file differing from the snapshot's.
     *
     * @param files files written
     * @param directories directories created or updated
     * @param symlinks symbolic links created
     * @param skipped existing files left alone
     * @param bytes content bytes written
     * @param duration wall time
     */
    public RestoreResult(long files, long directories, long symlinks, long skipped, long bytes, Duration duration) {
        this(files, directories, symlinks, skipped, bytes, duration, 0, List.of());
    }
}
