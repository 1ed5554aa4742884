package dev.drkit.core.repository;

import dev.drkit.api.DrException;
import dev.drkit.core.repository.internal.JournalWriter;
import dev.drkit.core.repository.internal.SegmentShipper;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continuous protection of one source: the changes a {@link dev.drkit.api.journal.ChangeFeed}
 * emits are written as journal segments (compressed, sealed and deduplicated as packs are),
 * chained to a base snapshot, at most once per flush interval; the chain is compacted into a new
 * base snapshot by age or size. A restore replays the chain to any instant up to its end
 * ({@link Repository#restore(java.time.Instant, java.nio.file.Path, RestoreOptions)}).
 *
 * <p>A segment's end is the time it was written. So that the chain's end does not stay at the
 * last change while the source is idle, a journal that has had nothing to flush for
 * {@link JournalOptions#heartbeatEvery()} (one minute by default) writes a heartbeat: a small
 * segment without changes ending then (one PUT per interval); {@link #close()} writes one at the
 * close time. A chain that ends well before now therefore belongs to a journal that stopped (or
 * lost its writer lock) then, and a restore names that time when it refuses a later instant.
 * A {@link Repository#manualJournal manual} journal writes a heartbeat only at close.
 *
 * <pre>{@code
 * RecordFeed outbox = RecordFeed.named("outbox");
 * try (Journal journal = repo.journal(outbox, JournalOptions.DEFAULT)) {
 *     outbox.append("orders/42", bytes);
 *     journal.flush(); // durable when this returns
 * }
 * }</pre>
 *
 * <p>A journal started by {@link Replication#journal(dev.drkit.api.journal.ChangeFeed, JournalOptions)}
 * also ships each segment to every secondary as soon as it is durable in the primary
 * ({@link #replicas()}).
 *
 * <p>A journal is its source's only writer: it holds the source's writer lock in the
 * repository from start to {@link #close()}, and a second journal of the source, in this
 * process or another, on any host, is refused at start (see
 * {@link Repository#journal(dev.drkit.api.journal.ChangeFeed, JournalOptions)}).
 *
 * <p>Thread-safe. Publishes the gauge {@code dr.backup.journal.lag} (seconds, tag {@code source})
 * when the repository has a meter registry, and for a replicated journal
 * {@code dr.backup.journal.replica.lag} (seconds, tags {@code source} and {@code secondary}).
 */
public final class Journal implements AutoCloseable {
    /**
     * Journaled sources whose name begins with this prefix are the kit's own (such as
     * PostgreSQL's streamed WAL, {@code _pgwal-<system id>}): a restore of every journaled source
     * to an instant, and the newest instant they can be restored to, leave them out; naming
     * one restores it.
     */
    public static final String PRIVATE_SOURCE_PREFIX = "_";
    /** How long {@link #close()} waits for secondaries to receive the last segments. */
    public static final Duration CLOSE_REPLICA_WAIT = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(Journal.class);
    private final JournalWriter writer;
    private final List<SegmentShipper> shippers;
    private final @Nullable MeterRegistry meters;
    private final List<Meter> registered;

    Journal(JournalWriter writer, @Nullable MeterRegistry meters) {
        this(writer, List.of(), meters);
    }

    Journal(JournalWriter writer, List<SegmentShipper> shippers, @Nullable MeterRegistry meters) {
        this.writer = writer;
        this.shippers = List.copyOf(shippers);
        this.meters = meters;
        if (meters != null) {
            String source = writer.status().source();
            List<Meter> gauges = new ArrayList<>();
            gauges.add(Gauge.builder("dr.backup.journal.lag", writer, w -> w.lag().toNanos() / 1e9)
                    .tag("source", source).baseUnit("seconds")
                    .description("How long the oldest change not yet durable has waited").register(meters));
            for (int i = 0; i < this.shippers.size(); i++) {
                gauges.add(Gauge.builder("dr.backup.journal.replica.lag", this.shippers.get(i),
                        x -> x.status().lag().toNanos() / 1e9).tag("source", source)
                        .tag("secondary", Integer.toString(i)).baseUnit("seconds")
                        .description("How long the oldest durable segment a secondary lacks has waited")
                        .register(meters));
            }
            registered = List.copyOf(gauges);
        } else {
            registered = List.of();
        }
    }

    /**
     * Writes every change taken so far and returns once the segments are durable in the
     * store; writes nothing when nothing changed (heartbeats are the journal's own, not a flush's).
     *
     * @return the number of segments written, heartbeats not included
     * @throws DrException a storage failure; the changes stay queued and the next flush retries;
     *     {@code LOCKED} naming the new holder when another writer took the source's writer lock
     *     over after this journal left it unrefreshed past its expiry (nothing is written then)
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
     * @throws DrException a storage failure; the chain is left as it was; {@code LOCKED} as
     *     {@link #flush()}
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

    /**
     * Registers a listener told once when another writer took this journal's writer lock over
     * (the journal left it unrefreshed past its expiry, or it was removed, and another journal of
     * the source started): from then on this journal writes no more, its flushes fail
     * {@code LOCKED} and its changes only queue up, so that an application or a command running
     * it can stop or alert instead of losing its recovery point unnoticed. The listener is told on
     * the thread that finds out: the journal's own, at its lock refresh every minute, or one that
     * flushes; at once, on the calling thread, when the journal found out already. Its status's
     * {@link JournalStatus#lastError()} names the new holder as well.
     *
     * @param listener told the new holder: {@code owner on host (pid 4242, since <instant>)}
     * @throws NullPointerException when the listener is null
     */
    public void onWriterLockLost(Consumer<String> listener) {
        writer.onLockLost(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Returns where the journal stands: its {@link JournalStatus#lastDurable()} moves with each
     * heartbeat as well, while pending changes, lag and committed position count changes only.
     *
     * @return the status
     */
    public JournalStatus status() {
        JournalWriter.Status s = writer.status();
        return new JournalStatus(s.source(), s.base(), s.segments(), s.committedPosition(), s.lastDurable(),
                s.pending(), s.lag(), s.chainBytes(), s.lastError());
    }

    /**
     * Returns how far each secondary of a replicated journal is behind the primary.
     *
     * @return one status per secondary in {@link Replication#secondaries()} order; empty for a
     *     journal that is not replicated
     */
    public List<ReplicaStatus> replicas() {
        return shippers.stream().map(SegmentShipper::status).toList();
    }

    /**
     * Waits until every secondary holds every segment the primary held when this was called.
     *
     * @param timeout how long to wait
     * @return true when they do; false when one still lags after the timeout
     * @throws InterruptedException when interrupted while waiting
     */
    public boolean awaitReplicas(Duration timeout) throws InterruptedException {
        return awaitReplicas(timeout, false);
    }

    private boolean awaitReplicas(Duration timeout, boolean untilFailure) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean all = true;
        for (SegmentShipper s : shippers) { // every one, so that a lagging secondary does not hold up the others
            all &= s.drain(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())), untilFailure);
        }
        return all;
    }

    /**
     * Stops the feed, writes what it emitted, then a heartbeat ending now unless the chain ends
     * now already (a heartbeat that fails is logged: every change is durable), and stops
     * flushing; a replicated journal then
     * ships what its secondaries lack, waiting up to {@link #CLOSE_REPLICA_WAIT} or until a
     * shipment fails (what was not shipped is shipped by the next journal or copy). Releases
     * the source's writer lock, even when the last flush fails, unless another writer took it over.
     *
     * @throws DrException a storage failure of the last flush; {@code LOCKED} as {@link #flush()}
     */
    @Override
    public void close() {
        try {
            writer.close();
            if (!shippers.isEmpty() && !awaitReplicas(CLOSE_REPLICA_WAIT, true)) {
                LOG.warn("Journal '{}' closed with secondaries behind: {}", writer.status().source(), replicas());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            shippers.forEach(SegmentShipper::close);
            if (meters != null) {
                registered.forEach(meters::remove);
            }
        }
    }
}
