package dev.drkit.api.backup;

import java.io.IOException;
import java.io.InputStream;

/**
 * Opens an entry's content on demand, so that a backup can skip entries it already holds
 * without reading them.
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
