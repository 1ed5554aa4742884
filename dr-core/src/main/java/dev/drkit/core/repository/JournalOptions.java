package dev.drkit.core.repository;

import dev.drkit.api.DrException;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Journal} commits and compacts.
 *
 * @param flushInterval the most time a change waits, from when the journal takes it, before its
 *     segment is written: the write is due this long after the first change waiting, so segments
 *     are written at most this often (plus on {@link Journal#flush()}); while idle, only
 *     heartbeats are written
 * @param compactEvery how old the journal's base snapshot may grow before the journal is
 *     compacted into a new snapshot
 * @param compactBytes how many bytes of segments trigger compaction before that
 * @param heartbeatEvery how long a journal with nothing to flush waits before it writes a
 *     heartbeat: a segment without changes whose end is the time it is written, so that the
 *     chain covers (and a point-in-time restore accepts) every instant up to it, and a live idle
 *     journal can be told from one that stopped; an idle journal costs one small write (a PUT)
 *     per interval. A cleanly closed journal also writes one at its close, so that its chain
 *     covers up to its stop. Heartbeats are segments, so an idle journal is still compacted by age
 */
public record JournalOptions(Duration flushInterval, Duration compactEvery, long compactBytes,
        Duration heartbeatEvery) {
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
    /**
     * The default heartbeat interval: one minute, so that an idle journal's chain covers up to at
     * most a minute ago, for one small write a minute (the writer lock is refreshed as often).
     */
    public static final Duration DEFAULT_HEARTBEAT_EVERY = Duration.ofMinutes(1);
    /** The default options. */
    public static final JournalOptions DEFAULT = new JournalOptions(DEFAULT_FLUSH_INTERVAL, DEFAULT_COMPACT_EVERY,
            DEFAULT_COMPACT_BYTES, DEFAULT_HEARTBEAT_EVERY);

    /**
     * Validates the fields.
     *
     * @throws DrException {@code INVALID_ARGUMENT} naming a field that is not positive
     */
    public JournalOptions {
        Objects.requireNonNull(flushInterval, "flushInterval");
        Objects.requireNonNull(compactEvery, "compactEvery");
        Objects.requireNonNull(heartbeatEvery, "heartbeatEvery");
        if (flushInterval.isNegative() || flushInterval.isZero()) {
            throw DrException.invalidArgument("flushInterval", "must be > 0", flushInterval);
        }
        if (compactEvery.isNegative() || compactEvery.isZero()) {
            throw DrException.invalidArgument("compactEvery", "must be > 0", compactEvery);
        }
        if (compactBytes <= 0) {
            throw DrException.invalidArgument("compactBytes", "must be > 0", compactBytes);
        }
        if (heartbeatEvery.isNegative() || heartbeatEvery.isZero()) {
            throw DrException.invalidArgument("heartbeatEvery", "must be > 0", heartbeatEvery);
        }
    }

    /**
     * Creates options with the default heartbeat interval, {@link #DEFAULT_HEARTBEAT_EVERY}.
     *
     * @param flushInterval the most time a change waits before its segment is written
     * @param compactEvery the base snapshot's age that triggers compaction
     * @param compactBytes the segment bytes that trigger it
     * @throws DrException {@code INVALID_ARGUMENT} naming a field that is not positive
     */
    public JournalOptions(Duration flushInterval, Duration compactEvery, long compactBytes) {
        this(flushInterval, compactEvery, compactBytes, DEFAULT_HEARTBEAT_EVERY);
    }

    /**
     * Returns these options with another flush interval.
     *
     * @param value the interval
     * @return the options
     * @throws DrException {@code INVALID_ARGUMENT} when the interval is not positive
     */
    public JournalOptions withFlushInterval(Duration value) {
        return new JournalOptions(value, compactEvery, compactBytes, heartbeatEvery);
    }

    /**
     * Returns these options with other compaction triggers.
     *
     * @param every the base snapshot's age that triggers compaction
     * @param bytes the segment bytes that trigger it
     * @return the options
     * @throws DrException {@code INVALID_ARGUMENT} naming a trigger that is not positive
     */
    public JournalOptions withCompaction(Duration every, long bytes) {
        return new JournalOptions(flushInterval, every, bytes, heartbeatEvery);
    }

    /**
     * Returns these options with another heartbeat interval.
     *
     * @param value how long a journal with nothing to flush waits before it writes a heartbeat
     * @return the options
     * @throws DrException {@code INVALID_ARGUMENT} when the interval is not positive
     */
    public JournalOptions withHeartbeatEvery(Duration value) {
        return new JournalOptions(flushInterval, compactEvery, compactBytes, value);
    }
}
