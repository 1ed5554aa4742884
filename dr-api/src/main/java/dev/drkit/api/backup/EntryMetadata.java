package dev.drkit.api.backup;

import dev.drkit.api.DrException;
import java.time.Instant;
import java.util.Objects;

/**
 * The metadata of one entry of a snapshot.
 *
 * @param type file, directory or symbolic link
 * @param size the content length of a file, 0 otherwise
 * @param modified the last modification time
 * @param mode the POSIX permission bits (such as {@code 0644}), or {@link #NO_MODE} when unknown
 * @param inode a number that identifies the file on its device, 0 when unknown; with size and
 *     modification time it lets an incremental backup skip unchanged files without reading them
 */
public record EntryMetadata(EntryType type, long size, Instant modified, int mode, long inode) {

    /** The {@code mode} of an entry whose permissions are unknown. */
    public static final int NO_MODE = -1;

    /**
     * Validates the fields.
     *
     * @throws DrException {@code INVALID_ARGUMENT} for a negative size or a mode outside 0..07777
     */
    public EntryMetadata {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(modified, "modified");
        if (size < 0) {
            throw DrException.invalidArgument("size", "must be >= 0", size);
        }
        if (mode != NO_MODE && (mode < 0 || mode > 07777)) {
            throw DrException.invalidArgument("mode", "must be NO_MODE or within 0..07777", mode);
        }
    }

    /**
     * Returns the metadata of a file with unknown permissions and inode.
     *
     * @param size its length in bytes
     * @param modified its modification time
     * @return the metadata
     */
    public static EntryMetadata file(long size, Instant modified) {
        return new EntryMetadata(EntryType.FILE, size, modified, NO_MODE, 0);
    }
}
