package dev.drkit.api.journal;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Where a feed resumes: the last position its journal made durable and the state the journal
 * holds at that position, so that a feed that cannot replay (a directory watch) compares the
 * source with it and emits only the differences.
 *
 * @param position the last committed position, or {@link #NONE} when nothing was committed
 * @param entries each file or record the journal holds, by path
 * @param syncedUpTo when the journal's last segment (a change or a heartbeat) was taken, so the
 *     last instant its writer is known to have been running; a change made after it, while no
 *     writer ran, may be missing from {@code entries} even when a file's size and modification
 *     time equal the entry's (a tool that puts the time back). {@code null} when unknown.
 */
public record FeedResume(long position, Map<String, Entry> entries, @Nullable Instant syncedUpTo) {
    /** The position of a journal that has committed nothing. */
    public static final long NONE = -1;

    /** Copies the map. */
    public FeedResume {
        entries = Map.copyOf(Objects.requireNonNull(entries, "entries"));
    }

    /**
     * A resume point without the time the journal was last in sync.
     *
     * @param position the last committed position, or {@link #NONE}
     * @param entries each file or record the journal holds, by path
     */
    public FeedResume(long position, Map<String, Entry> entries) {
        this(position, entries, null);
    }

    /**
     * Returns the resume point of a new journal.
     *
     * @return position {@link #NONE} and no entries
     */
    public static FeedResume empty() {
        return new FeedResume(NONE, Map.of());
    }

    /**
     * What the journal holds of one file or record.
     *
     * @param size its length in bytes
     * @param modified its modification time as put
     */
    public record Entry(long size, Instant modified) {
    }
}
