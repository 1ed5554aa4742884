package dev.drkit.api.backup;

import dev.drkit.api.DrException;
import java.io.IOException;

/**
 * Receives the entries of a {@link SourceView}. Paths are relative, {@code /}-separated and
 * may not contain empty, {@code .} or {@code ..} segments; a parent directory need not be
 * written before its children.
 *
 * <p>A view that walks a tree depth first should call {@link #directoryEnd} after the last entry
 * below each directory: the backup then writes that directory's tree at once and lets go of its
 * entries, so that its memory follows the depth of the tree, not the number of files. A view
 * that does not call it is backed up the same, with the whole tree held until the view is done.
 *
 * <p>Not thread-safe: a view writes its entries from one thread.
 */
public interface EntryWriter {

    /**
     * Adds a directory.
     *
     * @param path its relative path
     * @param metadata its metadata, of type {@link EntryType#DIRECTORY}
     * @throws IOException when the backup cannot store the entry
     * @throws DrException {@code UNSAFE_PATH} for a path that is absolute or has {@code ..}
     */
    void directory(String path, EntryMetadata metadata) throws IOException;

    /**
     * Adds a file; its content is read only when the backup does not already hold it. The
     * backup may call {@code content} after this method returns and from another thread, but
     * always before the view is closed, so that several files are read at once.
     *
     * @param path its relative path
     * @param metadata its metadata, of type {@link EntryType#FILE}
     * @param content opens the file's bytes
     * @throws IOException when the content cannot be read or stored
     * @throws DrException {@code UNSAFE_PATH} for a path that is absolute or has {@code ..}
     */
    void file(String path, EntryMetadata metadata, ContentOpener content) throws IOException;

    /**
     * Adds a symbolic link, kept as a link.
     *
     * @param path its relative path
     * @param target the link's target, as stored in the link
     * @param metadata its metadata, of type {@link EntryType#SYMLINK}
     * @throws IOException when the backup cannot store the entry
     * @throws DrException {@code UNSAFE_PATH} for a path that is absolute or has {@code ..}
     */
    void symlink(String path, String target, EntryMetadata metadata) throws IOException;

    /**
     * Says that every entry at and below a directory has been written: nothing more may be
     * written below {@code path}, and the directory itself may not be written again. Optional;
     * the default does nothing.
     *
     * @param path the directory's relative path, or {@code ""} for the view's root
     * @throws IOException when the backup cannot store the directory's tree
     * @throws DrException {@code INVALID_ARGUMENT} for a path that was not written as a
     *     directory, or that has ended before; {@code UNSAFE_PATH} for an unsafe path
     */
    default void directoryEnd(String path) throws IOException {
    }

    /**
     * Says that an entry could not be read and is left out of the snapshot, instead of failing
     * the backup: a view calls it for a file or directory it is refused, such as one it has no
     * permission to read ({@link java.nio.file.AccessDeniedException}). The backup warns naming
     * the path and the reason, goes on with every other entry, commits the snapshot and counts
     * the entry in its result. Nothing may be written at or below {@code path}. The default
     * throws {@code reason}, so a writer that does not leave entries out fails as the view's
     * own exception would.
     *
     * @param path the entry's relative path
     * @param reason why it could not be read
     * @throws IOException {@code reason}, from a writer that does not leave entries out
     * @throws DrException {@code UNSAFE_PATH} for a path that is empty, absolute or has {@code ..}
     */
    default void unreadable(String path, IOException reason) throws IOException {
        throw reason;
    }

    /**
     * Says that an entry of a kind a snapshot does not keep (a FIFO, a socket, a block or
     * character device) is skipped: the backup counts it and names the first such entries in its
     * result, so that what is missing from the snapshot is said. Nothing is written at
     * {@code path}. The default does nothing.
     *
     * @param path the entry's relative path
     * @throws DrException {@code UNSAFE_PATH} for a path that is empty, absolute or has {@code ..}
     */
    default void special(String path) {
    }
}
