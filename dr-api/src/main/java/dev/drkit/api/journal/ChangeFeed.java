package dev.drkit.api.journal;

import java.io.IOException;

/**
 * A source that emits its changes as they happen, for continuous protection: a directory
 * watch, an application's records, a database's write-ahead log.
 *
 * <p>The journal calls {@link #checkCanStart} and then {@link #start} once with where to
 * resume, then {@link #committed} each time changes became durable, then {@link #close}. A
 * feed emits changes with strictly increasing positions, starting after {@link
 * FeedResume#position()}.
 */
public interface ChangeFeed extends AutoCloseable {

    /**
     * Returns the name of the source the feed changes, unique within a repository.
     *
     * @return a name made of letters, digits, {@code .}, {@code _} and {@code -}
     */
    String name();

    /**
     * Checks, before the journal writes anything for the feed, that it can start: a directory
     * feed, that its directory exists. A journal of a new source writes its first base snapshot
     * before {@link #start}, so a feed that cannot start would leave it behind otherwise.
     *
     * @throws RuntimeException (a {@code DrException} naming what is missing) when it cannot
     *     start; the default checks nothing
     */
    default void checkCanStart() {
    }

    /**
     * Starts emitting changes into a sink, from the given resume point on; may return before
     * the first change (a watch runs on its own threads).
     *
     * @param resume the last committed position and the state at it
     * @param sink where changes go
     * @throws IOException when the source cannot be read
     */
    void start(FeedResume resume, ChangeSink sink) throws IOException;

    /**
     * Tells the feed that every change up to a position is durable; a feed that keeps changes
     * for replay may drop them.
     *
     * @param position the last durable position
     */
    default void committed(long position) {
    }

    /**
     * Stops emitting changes.
     *
     * @throws IOException when releasing the source fails
     */
    @Override
    void close() throws IOException;
}
