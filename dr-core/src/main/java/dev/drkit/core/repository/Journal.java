package dev.drkit.core.repository;

import dev.drkit.api.DrException;
import dev.drkit.core.repository.internal.JournalWriter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Continuous protection of one source: the changes a {@link dev.drkit.api.journal.ChangeFeed}
 * emits are written as journal segments (compressed, sealed and deduplicated as packs are),
 * chained to a base snapshot, at most once per flush interval and never when nothing changed;
 * the chain is compacted into a new base snapshot by age or size. A restore replays the chain
 * to any instant ({@link Repository#restore(java.time.Instant, java.nio.file.Path, RestoreOptions)}).
 *
 * <pre>{@code
 * RecordFeed outbox = RecordFeed.named("outbox");
 * try (Journal journal = repo.journal(outbox, JournalOptions.DEFAULT)) {
 *     outbox.append("orders/42", bytes);
 *     journal.flush(); // durable when this returns
 * }
 * }</pre>
 *
 * <p>Thread-safe. Publishes the gauge {@code dr.backup.journal.lag} (seconds, tag {@code source})
 * when the repository has a meter registry.
 */
public final class Journal implements AutoCloseable {
    private final JournalWriter writer;
    private final @Nullable MeterRegistry meters;
    private final List<Meter> registered;

    Journal(JournalWriter writer, @Nullable MeterRegistry meters) {
        this.writer = writer;
        this.meters = meters;
        if (meters != null) {
            String source = writer.status().source();
            registered = List.of(Gauge.builder("dr.backup.journal.lag", writer, w -> w.lag().toNanos() / 1e9)
                    .tag("source", source).baseUnit("seconds")
                    .description("How long the oldest change not yet durable has waited").register(meters));
        } else {
            registered = List.of();
        }
    }

    /**
     * Writes every change taken so far and returns once the segments are durable in the
     * store; writes nothing when nothing changed.
     *
     * @return the number of segments written
     * @throws DrException a storage failure; the changes stay queued and the next flush retries
     */
    public int flush() {
        int n = writer.flush();
        if (meters != null && n > 0) {
            meters.counter("dr.backup.journal.segments", "source", writer.status().source()).increment(n);
        }
        return n;
    }

    /**
     * Compacts the journal now: writes what waits, then takes the state at the chain's end as a
     * new base snapshot from which the next segments chain.
     *
     * @return the id of the base snapshot the journal continues from
     * @throws DrException a storage failure; the chain is left as it was
     */
    public String compact() {
        return writer.compact();
    }

    /**
     * Returns how long the oldest change not yet durable has waited: the data a crash now
     * would lose.
     *
     * @return the lag, zero when everything taken is durable
     */
    public Duration lag() {
        return writer.lag();
    }

    /**
     * Returns the last feed position that is durable, from which the feed resumes after a restart.
     *
     * @return the position, or -1 when none
     */
    public long committedPosition() {
        return writer.committedPosition();
    }

    /** Returns where the journal stands. @return the status */
    public JournalStatus status() {
        JournalWriter.Status s = writer.status();
        return new JournalStatus(s.source(), s.base(), s.segments(), s.committedPosition(), s.lastDurable(),
                s.pending(), s.lag(), s.chainBytes(), s.lastError());
    }

    /**
     * Stops the feed, writes what it emitted and stops flushing.
     *
     * @throws DrException a storage failure of the last flush
     */
    @Override
    public void close() {
        try {
            writer.close();
        } finally {
            if (meters != null) {
                registered.forEach(meters::remove);
            }
        }
    }
}
