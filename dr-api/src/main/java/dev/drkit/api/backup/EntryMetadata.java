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
 * @param changed the file's status change time (POSIX {@code ctime}) in nanoseconds since the
 *     epoch, 0 when unknown. Writing a file sets it, and no program can set it back (as a
 *     program can its modification time), so an incremental backup reads a file whose
 *     {@code changed} moved even when its size and modification time are as before
 * @param uid the numeric id of the entry's owner, or {@link #NO_ID} when unknown; a restore run
 *     as root gives the entry this owner again
 * @param gid the numeric id of the entry's group, or {@link #NO_ID} when unknown
 */
public record EntryMetadata(EntryType type, long size, Instant modified, int mode, long inode, long changed,
        long uid, long gid) {

    /** The {@code mode} of an entry whose permissions are unknown. */
    public static final int NO_MODE = -1;

    /** The {@code uid} or {@code gid} of an entry whose owner or group is unknown. */
    public static final long NO_ID = -1;

    /** The largest user or group id: {@code 2^32 - 2}, as {@code 2^32 - 1} means "no change" to chown. */
    public static final long MAX_ID = 0xFFFF_FFFEL;

    /**
     * Validates the fields.
     *
     * @throws DrException {@code INVALID_ARGUMENT} for a negative size, a mode outside 0..07777,
     *     or a uid or gid that is neither {@link #NO_ID} nor within 0..{@link #MAX_ID}
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
        if (uid != NO_ID && (uid < 0 || uid > MAX_ID)) {
            throw DrException.invalidArgument("uid", "must be NO_ID or within 0.." + MAX_ID, uid);
        }
        if (gid != NO_ID && (gid < 0 || gid > MAX_ID)) {
            throw DrException.invalidArgument("gid", "must be NO_ID or within 0.." + MAX_ID, gid);
        }
    }

    /**
     * Metadata whose owner and group are unknown.
     *
     * @param type file, directory or symbolic link
     * @param size the content length of a file, 0 otherwise
     * @param modified the last modification time
     * @param mode the POSIX permission bits, or {@link #NO_MODE}
     * @param inode the inode number, 0 when unknown
     * @param changed the status change time in nanoseconds since the epoch, 0 when unknown
     * @throws DrException as the canonical constructor
     */
    public EntryMetadata(EntryType type, long size, Instant modified, int mode, long inode, long changed) {
        this(type, size, modified, mode, inode, changed, NO_ID, NO_ID);
    }

    /**
     * Metadata whose status change time, owner and group are unknown.
     *
     * @param type file, directory or symbolic link
     * @param size the content length of a file, 0 otherwise
     * @param modified the last modification time
     * @param mode the POSIX permission bits, or {@link #NO_MODE}
     * @param inode the inode number, 0 when unknown
     * @throws DrException as the canonical constructor
     */
    public EntryMetadata(EntryType type, long size, Instant modified, int mode, long inode) {
        this(type, size, modified, mode, inode, 0);
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
