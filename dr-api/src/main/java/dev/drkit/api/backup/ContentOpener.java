package dev.drkit.api.backup;

import java.io.IOException;
import java.io.InputStream;
import org.jspecify.annotations.Nullable;

/**
 * Opens an entry's content on demand, so that a backup can skip entries it already holds
 * without reading them. It is called once, possibly from a thread other than the one that wrote
 * the entry, while the source's view is still open; and again, a bounded number of times, when
 * {@link #current()} says the entry changed while it was read. A
 * {@link java.nio.file.NoSuchFileException} means the entry vanished and is left out; an
 * {@link java.nio.file.AccessDeniedException} means it cannot be read and is left out with a
 * warning, as {@link EntryWriter#unreadable} says; any other failure fails the backup.
 */
@FunctionalInterface
public interface ContentOpener {

    /**
     * Opens the content; the caller closes the stream.
     *
     * @return a stream of exactly the entry's bytes
     * @throws IOException when the content cannot be read
     */
    InputStream open() throws IOException;

    /**
     * Returns the entry's metadata as it is now, which a backup compares after reading the
     * content with the metadata the entry was written with: another size, modification time,
     * status change time or inode means the content changed while it was read (a torn read),
     * and the backup reads it again. A backup asks only where it cannot tell otherwise: after a
     * content longer than one chunk, or one whose length is not the listed size. The default
     * returns {@code null}: the source cannot tell.
     *
     * @return the metadata now, or {@code null} when the source cannot tell
     * @throws IOException when the entry cannot be examined ({@link java.nio.file.NoSuchFileException}
     *     when it was deleted meanwhile)
     */
    default @Nullable EntryMetadata current() throws IOException {
        return null;
    }
}
