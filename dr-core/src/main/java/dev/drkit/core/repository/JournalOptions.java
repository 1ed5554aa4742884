package dev.drkit.core.repository;

import dev.drkit.api.DrException;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Journal} commits and compacts.
 *
 * @param flushInterval the most time a change waits, from when the journal takes it, before its
 *     segment is written: the write is due this long after the first change waiting, so segments
 *     are written at most this often (plus on {@link Journal#flush()}), never empty and never
 *     while idle
 * @param compactEvery how old the journal's base snapshot may grow before the journal is
 *     compacted into a new snapshot
 * @param compactBytes how many bytes of segments trigger compaction before that
 */
public record JournalOptions(Duration flushInterval, Duration compactEvery, long compactBytes) {
    /**
     * The default flush interval: 500 ms, so that a file change is durable within one second
     * (a directory feed takes a file once it is stable, {@code DirectoryFeed.DEFAULT_STABLE_FOR},
     * 200 ms, checked every 50 ms; then this interval; then the segment's write).
     */
    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofMillis(500);
    /** The default compaction age: one hour. */
    public static final Duration DEFAULT_COMPACT_EVERY = Duration.ofHours(1);
    /** The default compaction size: 64 MiB of segments. */
    public static final long DEFAULT_COMPACT_BYTES = 64L << 20;
    /** The default options. */
    public static final JournalOptions DEFAULT = new JournalOptions(DEFAULT_FLUSH_INTERVAL, DEFAULT_COMPACT_EVERY,
            DEFAULT_COMPACT_BYTES);

    /**
     * Validates the fields.
     *
     * @throws DrException {@code INVALID_ARGUMENT} naming a field that is not positive
     */
    public JournalOptions {
        Objects.requireNonNull(flushInterval, "flushInterval");
        Objects.requireNonNull(compactEvery, "compactEvery");
        if (flushInterval.isNegative() || flushInterval.isZero()) {
            throw DrException.invalidArgument("flushInterval", "must be > 0", flushInterval);
        }
        if (compactEvery.isNegative() || compactEvery.isZero()) {
            throw DrException.invalidArgument("compactEvery", "must be > 0", compactEvery);
        }
        if (compactBytes <= 0) {
            throw DrException.invalidArgument("compactBytes", "must be > 0", compactBytes);
        }
    }

    /**
     * Returns these options with another flush interval.
     *
     * @param value the interval
     * @return the options
     */
    public JournalOptions withFlushInterval(Duration value) {
        return new JournalOptions(value, compactEvery, compactBytes);
    }

    /**
     * Returns these options with other compaction triggers.
     *
     * @param every the base snapshot's age that triggers compaction
     * @param bytes the segment bytes that trigger it
     * @return the options
     */
    public JournalOptions withCompaction(Duration every, long bytes) {
        return new JournalOptions(flushInterval, every, bytes);
    }
}
