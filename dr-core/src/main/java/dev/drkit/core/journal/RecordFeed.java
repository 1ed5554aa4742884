package dev.drkit.core.journal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.journal.Change;
import dev.drkit.api.journal.ChangeFeed;
import dev.drkit.api.journal.ChangeSink;
import dev.drkit.api.journal.FeedResume;
import java.time.Clock;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A feed of an application's own keyed records: event logs, outboxes, caches worth keeping.
 * {@link #append} puts a record's whole value, {@link #delete} removes it; each returns the
 * change's position, and the record is durable once the journal's committed position reaches
 * it (or {@code Journal.flush()} returns). Keys are relative {@code /}-separated paths; a
 * restore writes each record as a file of that path.
 *
 * <p>After a restart, positions continue from the last committed one, so an application that
 * keeps its own log replays what came after {@code Journal.committedPosition()}. Thread-safe.
 */
public final class RecordFeed implements ChangeFeed {
    private final String name;
    private final Clock clock;
    private @Nullable ChangeSink sink;
    private long position = FeedResume.NONE;

    private RecordFeed(String name, Clock clock) {
        this.name = Objects.requireNonNull(name, "name");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Returns a feed whose records carry the system clock's time as modification time.
     *
     * @param name the source's name
     * @return the feed
     */
    public static RecordFeed named(String name) {
        return new RecordFeed(name, Clock.systemUTC());
    }

    /**
     * Returns a feed whose records carry a clock's time as modification time.
     *
     * @param name the source's name
     * @param clock the clock
     * @return the feed
     */
    public static RecordFeed named(String name, Clock clock) {
        return new RecordFeed(name, clock);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public synchronized void start(FeedResume resume, ChangeSink changes) {
        if (sink != null) {
            throw new DrException(ErrorCode.ILLEGAL_STATE, "Record feed '" + name + "' is started already", name);
        }
        this.sink = changes;
        this.position = resume.position();
    }

    /**
     * Puts a record's whole value.
     *
     * @param key the record's key, a relative path
     * @param value its bytes, owned by the feed from now on
     * @return the change's position
     * @throws DrException {@code UNSAFE_PATH} naming a malformed key; {@code ILLEGAL_STATE} when
     *     the feed is not started by a journal or the journal is closed
     */
    public synchronized long append(String key, byte[] value) {
        ChangeSink s = started(key);
        Change change = Change.put(position + 1, key, Objects.requireNonNull(value, "value"), clock.instant());
        s.accept(change);
        return ++position;
    }

    /**
     * Removes a record.
     *
     * @param key the record's key
     * @return the change's position
     * @throws DrException as {@link #append}
     */
    public synchronized long delete(String key) {
        ChangeSink s = started(key);
        s.accept(Change.delete(position + 1, key));
        return ++position;
    }

    /**
     * Renames a record, or every record below a key prefix.
     *
     * @param key the current key
     * @param newKey the new key
     * @return the change's position
     * @throws DrException as {@link #append}
     */
    public synchronized long rename(String key, String newKey) {
        ChangeSink s = started(key);
        s.accept(Change.rename(position + 1, key, newKey));
        return ++position;
    }

    private ChangeSink started(String key) {
        Change.checkPath(key);
        if (sink == null) {
            throw new DrException(ErrorCode.ILLEGAL_STATE, "Record feed '" + name
                    + "' is not started: pass it to Repository.journal first", key);
        }
        return sink;
    }

    @Override
    public synchronized void close() {
        sink = null;
    }
}
