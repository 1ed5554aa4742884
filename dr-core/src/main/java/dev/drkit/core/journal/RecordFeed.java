package dev.drkit.core.journal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.journal.Change;
import dev.drkit.api.journal.ChangeFeed;
import dev.drkit.api.journal.ChangeSink;
import dev.drkit.api.journal.FeedResume;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * A feed of an application's own keyed records: event logs, outboxes, caches worth keeping.
 * {@link #append} puts a record's whole value, {@link #delete} removes it; each returns the
 * change's position, and the record is durable once the journal's committed position reaches
 * it (or {@code Journal.flush()} returns). Keys are relative {@code /}-separated paths; a
 * restore writes each record as a file of that path.
 *
 * <p>Since a key is a file's path, no live key is a path prefix of another: {@code orders} and
 * {@code orders/123} cannot both be records, as a file {@code orders} and a directory
 * {@code orders} cannot both exist. An {@link #append} or {@link #rename} that would break this
 * is refused at once with {@code ALREADY_EXISTS}, naming both keys, before anything is queued
 * (and takes no position); delete or rename the other key first. Putting the same key again
 * replaces its value, and a rename onto a live key replaces that record, as a file rename does.
 * A {@link #delete} or {@link #rename} of a key prefix ({@code orders}) deletes or moves every
 * record below it ({@code orders/1}, {@code orders/2}). The feed keeps the live keys in memory,
 * from the journal's state at start on.
 *
 * <p>After a restart, positions continue from the last committed one, so an application that
 * keeps its own log replays what came after {@code Journal.committedPosition()}. Thread-safe.
 */
public final class RecordFeed implements ChangeFeed {
    private final String name;
    private final Clock clock;
    private @Nullable ChangeSink sink;
    private long position = FeedResume.NONE;
    /** The live keys: the journal's state at start with every change accepted since. */
    private final TreeSet<String> keys = new TreeSet<>();

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
        keys.clear();
        keys.addAll(resume.entries().keySet());
    }

    /**
     * Puts a record's whole value, replacing the record of the same key.
     *
     * @param key the record's key, a relative path
     * @param value its bytes, owned by the feed from now on
     * @return the change's position
     * @throws DrException {@code UNSAFE_PATH} naming a malformed key; {@code ALREADY_EXISTS}
     *     naming the key when it is a path prefix of a live key ({@code orders} while
     *     {@code orders/123} lives) or a live key is a path prefix of it, the message naming
     *     both; {@code ILLEGAL_STATE} when the feed is not started by a journal or the journal
     *     is closed
     */
    public synchronized long append(String key, byte[] value) {
        ChangeSink s = started(key);
        Objects.requireNonNull(value, "value");
        String inTheWay = inTheWay(key, keys);
        if (inTheWay != null) {
            throw conflict("Record key '" + key + "'", key, inTheWay);
        }
        s.accept(Change.put(position + 1, key, value, clock.instant()));
        keys.add(key);
        return ++position;
    }

    /**
     * Removes a record, or every record below a key prefix.
     *
     * @param key the record's key, or a key prefix
     * @return the change's position
     * @throws DrException {@code UNSAFE_PATH} and {@code ILLEGAL_STATE} as {@link #append}
     */
    public synchronized long delete(String key) {
        ChangeSink s = started(key);
        s.accept(Change.delete(position + 1, key));
        keys.remove(key);
        below(keys, key).clear();
        return ++position;
    }

    /**
     * Renames a record, or every record below a key prefix; a record already at the new key is
     * replaced, as a file rename replaces the file.
     *
     * @param key the current key
     * @param newKey the new key
     * @return the change's position
     * @throws DrException {@code UNSAFE_PATH} and {@code ILLEGAL_STATE} as {@link #append};
     *     {@code ALREADY_EXISTS} naming the new key when a record it moves would be a path prefix
     *     of a live key not moved, or have one as a path prefix, or when a key prefix would
     *     move onto a live record or live records, the message naming the keys
     */
    public synchronized long rename(String key, String newKey) {
        ChangeSink s = started(key);
        Change.checkPath(newKey);
        List<String> moved = new ArrayList<>();
        boolean record = keys.contains(key);
        if (record) {
            moved.add(key);
        } else {
            moved.addAll(below(keys, key));
        }
        if (!moved.isEmpty() && !key.equals(newKey)) {
            TreeSet<String> staying = new TreeSet<>(keys);
            moved.forEach(staying::remove);
            // A record lands on newKey, replacing one there; a key prefix's records land below
            // it, where the journal clears whatever lay at or below newKey first.
            String inTheWay = record ? inTheWay(newKey, staying)
                    : staying.contains(newKey) ? newKey : inTheWay(newKey, staying);
            if (inTheWay != null) {
                throw conflict("Renaming '" + key + "' to '" + newKey + "'", newKey, inTheWay);
            }
        }
        s.accept(Change.rename(position + 1, key, newKey));
        if (!key.equals(newKey)) {
            moved.forEach(keys::remove);
            for (String m : moved) {
                keys.add(newKey + m.substring(key.length()));
            }
        }
        return ++position;
    }

    /**
     * Returns a live key that is a path prefix of {@code key} or has it as a path prefix, or
     * null; {@code key} itself is not in the way.
     */
    private static @Nullable String inTheWay(String key, NavigableSet<String> live) {
        for (int i = key.indexOf('/'); i > 0; i = key.indexOf('/', i + 1)) {
            String above = key.substring(0, i);
            if (live.contains(above)) {
                return above;
            }
        }
        NavigableSet<String> below = below(live, key);
        return below.isEmpty() ? null : below.first();
    }

    /** The live keys below a key prefix: {@code '/' + 1} is {@code '0'}, so they all sort before {@code key + "0"}. */
    private static NavigableSet<String> below(NavigableSet<String> live, String key) {
        return live.subSet(key + "/", true, key + "0", false);
    }

    private DrException conflict(String what, String key, String inTheWay) {
        String relation = inTheWay.equals(key) ? "records would go below '" + key + "'"
                : inTheWay.length() < key.length() ? "'" + inTheWay + "' is a path prefix of '" + key + "'"
                : "'" + key + "' is a path prefix of '" + inTheWay + "'";
        return new DrException(ErrorCode.ALREADY_EXISTS, what + " of feed '" + name + "' is refused: the live "
                + "record '" + inTheWay + "' is in the way (" + relation + "; a restore writes each key as a "
                + "file, and a file cannot also be a directory). Delete or rename '" + inTheWay + "' first", key);
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
