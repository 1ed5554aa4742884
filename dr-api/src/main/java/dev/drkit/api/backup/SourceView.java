package dev.drkit.api.backup;

import java.io.IOException;

/**
 * A {@link SnapshotSource} held at one point in time, open until closed.
 *
 * <p>Not thread-safe: the backup engine calls {@link #writeTo} once, then {@link #close}.
 */
public interface SourceView extends AutoCloseable {

    /**
     * Writes every entry of the view.
     *
     * @param out where the entries go
     * @throws IOException when the state cannot be read or stored
     */
    void writeTo(EntryWriter out) throws IOException;

    /**
     * Releases the view: a paused source resumes, a point-in-time copy is dropped.
     *
     * @throws IOException when releasing fails; the snapshot is still committed
     */
    @Override
    void close() throws IOException;
}
