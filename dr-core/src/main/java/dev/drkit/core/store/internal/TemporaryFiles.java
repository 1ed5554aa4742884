package dev.drkit.core.store.internal;

import dev.drkit.api.DrException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * A store that writes each object to a temporary file and then renames it into place, so that
 * a writer killed in between leaves the temporary file behind. Such a file is never read,
 * listed or renamed by anyone else; only maintenance that holds the repository exclusively
 * removes it, and only once it is old enough that no live writer can still be about to rename
 * it (a writer whose file is removed fails its write, it does not lose data silently).
 *
 * <p>Not part of the {@link dev.drkit.api.store.SnapshotStore} SPI: object stores write whole
 * objects in one request and leave no such files (an interrupted multipart upload is the
 * bucket's lifecycle rules' business).
 */
public interface TemporaryFiles {
    /** How the name of every temporary file starts; the rest is a random UUID. */
    String PREFIX = ".tmp-";

    /**
     * One temporary file.
     *
     * @param path where it is
     * @param size its length in bytes
     * @param lastModified when it was last written
     */
    record TemporaryFile(Path path, long size, Instant lastModified) {
    }

    /**
     * Lists the temporary files in the store, those of writes running now included.
     *
     * @return the files, in no particular order
     * @throws DrException {@code IO_FAILURE} or {@code ACCESS_DENIED} when the store's
     *     directories cannot be read
     */
    List<TemporaryFile> temporaryFiles();

    /**
     * Deletes the temporary files last written before a moment.
     *
     * @param modifiedBefore files written at or after this stay
     * @return how many were deleted
     * @throws DrException {@code IO_FAILURE} or {@code ACCESS_DENIED} naming the file that could
     *     not be deleted
     */
    int deleteTemporaryFiles(Instant modifiedBefore);
}
