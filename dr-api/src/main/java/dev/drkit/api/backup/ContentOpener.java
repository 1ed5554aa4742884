package dev.drkit.api.backup;

import java.io.IOException;
import java.io.InputStream;

/**
 * Opens an entry's content on demand, so that a backup can skip entries it already holds
 * without reading them. It is called at most once, possibly from a thread other than the
 * one that wrote the entry, while the source's view is still open. A
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
}
