package dev.drkit.api.backup;

import java.io.IOException;

/**
 * Something whose state a snapshot captures: a directory tree, a stream, or an application's
 * own state written as named entries.
 *
 * <p>To take several sources as one consistent cut, the backup engine calls {@link #begin()}
 * on every source of a snapshot before it reads any of them, then writes each view and
 * closes them all. A source that can pause its writers does so in {@code begin()} and
 * resumes in {@link SourceView#close()}; one that can hand over a point-in-time copy (a
 * database snapshot, a copy-on-write clone) returns a view of that copy and need not pause.
 *
 * <p>Implementations are called from one backup at a time per source.
 */
public interface SnapshotSource {

    /**
     * Returns the source's name, unique within a snapshot; restores and listings use it.
     *
     * @return a name made of letters, digits, {@code .}, {@code _} and {@code -}
     */
    String name();

    /**
     * Holds the source at one point in time and returns a view of that state.
     *
     * @return the view, which the caller closes
     * @throws IOException when the source cannot be paused or copied
     */
    SourceView begin() throws IOException;
}
