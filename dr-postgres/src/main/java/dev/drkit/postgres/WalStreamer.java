package dev.drkit.postgres;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.core.repository.JournalOptions;
import dev.drkit.core.repository.Replication;
import dev.drkit.core.repository.Repository;
import dev.drkit.postgres.internal.JournalWalSink;
import dev.drkit.postgres.internal.Server;
import dev.drkit.postgres.internal.WalChunk;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams a cluster's WAL over a physical replication slot into the repository's change
 * journal (source {@code _pgwal-<system id>}), in chunks that each cover at most the flush
 * interval; the slot's flush position is acknowledged only after a chunk's journal segment is
 * durable, so the server keeps every byte that is not yet backed up. The journal compacts
 * itself as any journal does (see {@link JournalOptions}).
 *
 * <pre>{@code
 * try (WalStreamer wal = WalStreamer.start(repository, connection, WalStreamConfig.of("dr"))) {
 *     ...   // the service runs; WAL reaches the repository within about a second
 * }
 * }</pre>
 *
 * <p>Streaming begins at the start of the WAL segment where the repository's WAL of this
 * cluster ends, or else where the slot's reserved WAL begins. When the connection fails (the
 * server stopped or crashed) the bytes already received are stored, then streaming stops:
 * {@link #failure()} says why and {@link #isRunning()} turns false; start a new streamer
 * when the server is back. Thread-safe.
 */
public final class WalStreamer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WalStreamer.class);
    private static final int MAX_CHUNK_BYTES = 16 << 20;
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final JournalWalSink sink;
    private final PostgresConnection connection;
    private final WalStreamConfig config;
    private final Clock clock;
    private final String systemId;
    private final int timeline;
    private final long segmentSize;
    private final Connection sql;
    private final Connection replication;
    private final PGReplicationStream stream;
    private final Thread thread;
    private final AtomicLong streamed = new AtomicLong();
    private final AtomicLong lagBytes = new AtomicLong();
    private final AtomicLong chunks = new AtomicLong();
    private final AtomicReference<@Nullable Instant> lastFlush = new AtomicReference<>();
    private final AtomicReference<@Nullable Throwable> failure = new AtomicReference<>();
    private volatile boolean closing;
    private volatile boolean lagWarned;

    private WalStreamer(Repository repository, Function<String, JournalWalSink> sinks, PostgresConnection connection,
            WalStreamConfig config, Clock clock) {
        this.connection = connection;
        this.config = config;
        this.clock = clock;
        Connection opened = Server.open(connection);
        Connection repl = null;
        JournalWalSink opening = null;
        try {
            Server.requireWalLevel(opened);
            Server.requireReplicationRole(opened, connection.user());
            Optional<Lsn> restart = Server.requirePhysicalSlot(opened, config.slot());
            this.systemId = Server.systemIdentifier(opened);
            this.timeline = Server.timeline(opened);
            this.segmentSize = Server.walSegmentSize(opened);
            Lsn from = startPosition(JournalWalSink.reading(repository), restart.orElseGet(() -> Lsn.parse(
                    Server.query(opened, "SELECT pg_current_wal_lsn()::text"))));
            repl = Server.openReplication(connection);
            this.stream = repl.unwrap(PGConnection.class).getReplicationAPI().replicationStream().physical()
                    .withSlotName(config.slot())
                    .withStartPosition(LogSequenceNumber.valueOf(from.value()))
                    .withStatusInterval(10, TimeUnit.SECONDS)
                    .start();
            // The journal opens once the server accepted the stream: a refused start writes nothing.
            opening = sinks.apply(systemId);
            this.sink = opening;
            this.streamed.set(from.value());
            this.sql = opened;
            this.replication = repl;
        } catch (SQLException | RuntimeException e) {
            closeQuietly(repl);
            closeQuietly(opened);
            closeQuietly(opening);
            if (e instanceof DrException d) {
                throw d;
            }
            String message = e.getMessage() == null ? "" : e.getMessage();
            if (message.contains("slot") && message.contains("active")) {
                throw new DrException(ErrorCode.LOCKED, "Replication slot '" + config.slot()
                        + "' is in use by another connection (setting: slot): " + message, "slot", e);
            }
            throw new DrException(ErrorCode.UNAVAILABLE, "Cannot start WAL streaming from slot '" + config.slot()
                    + "': " + message, "slot", e);
        }
        measureLag();
        this.thread = new Thread(this::run, "dr-postgres-wal-" + config.slot());
        this.thread.setDaemon(true);
        this.thread.start();
        LOG.info("Streaming WAL of cluster {} timeline {} from {} over slot {}", systemId, timeline, streamedLsn(),
                config.slot());
    }

    /**
     * Checks the server and the slot, and starts streaming into the repository.
     *
     * @param repository where WAL goes
     * @param connection a role with the REPLICATION attribute, allowed in {@code pg_hba.conf}
     *     for replication connections
     * @param config the slot and flush interval
     * @return the running streamer
     * @throws DrException {@code ACCESS_DENIED} naming the password, user or
     *     {@code replication}; {@code INVALID_CONFIG} naming {@code wal_level};
     *     {@code NOT_FOUND} naming {@code slot} when the slot does not exist; {@code LOCKED}
     *     when another connection streams from it; {@code UNAVAILABLE} when the server fails
     */
    public static WalStreamer start(Repository repository, PostgresConnection connection, WalStreamConfig config) {
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(config, "config");
        Clock clock = Clock.systemUTC();
        return new WalStreamer(repository, id -> JournalWalSink.writing(repository, id, journalOptions(config), clock),
                connection, config, clock);
    }

    /**
     * Checks the server and the slot, and starts streaming into a replication's primary; the
     * WAL journal ships each segment to the secondaries as soon as it is durable in the
     * primary, so a secondary can restore the cluster within seconds of the primary (see
     * {@link Replication#journal}). The slot is acknowledged on the primary's durability: a
     * secondary that cannot be reached falls behind and catches up, it does not hold the
     * server's WAL back. Base backups reach the secondaries by {@link Replication#replicateNew()}
     * or {@code dr copy}.
     *
     * @param replication the primary, where WAL goes first, and its secondaries
     * @param connection a role with the REPLICATION attribute
     * @param config the slot and flush interval
     * @return the running streamer
     * @throws DrException as {@link #start(Repository, PostgresConnection, WalStreamConfig)}
     */
    public static WalStreamer start(Replication replication, PostgresConnection connection, WalStreamConfig config) {
        Objects.requireNonNull(replication, "replication");
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(config, "config");
        Clock clock = Clock.systemUTC();
        return new WalStreamer(replication.primary(), id -> JournalWalSink.writing(replication, id,
                journalOptions(config), clock), connection, config, clock);
    }

    private static JournalOptions journalOptions(WalStreamConfig config) {
        return JournalOptions.DEFAULT.withFlushInterval(config.flushInterval());
    }

    /**
     * Deletes from the WAL journal the WAL that no kept base backup needs: every chunk that ends
     * at or before the start of the WAL segment where the oldest base backup kept starts. Call it
     * after retention removed the older base backups; restores to instants before that base
     * backup are then no longer possible once retention removes the journal's older chains
     * (forget, then prune), which is when the space is freed.
     *
     * @param oldestKept the oldest base backup that is kept
     * @return how many chunks were deleted
     * @throws DrException {@code INVALID_ARGUMENT} naming {@code oldestKept} when it belongs to
     *     another cluster or timeline; a storage failure
     */
    public int forgetWalBefore(BaseBackup oldestKept) {
        Objects.requireNonNull(oldestKept, "oldestKept");
        if (!oldestKept.systemId().equals(systemId) || oldestKept.timeline() != timeline) {
            throw DrException.invalidArgument("oldestKept", "must be a base backup of cluster " + systemId
                    + " timeline " + timeline, oldestKept.systemId() + " timeline " + oldestKept.timeline());
        }
        // Whole segments only: the restore lays out the segment the backup starts in from its start.
        return sink.forgetBefore(oldestKept.startLsn().segmentStart(segmentSize));
    }

    private Lsn startPosition(JournalWalSink stored, Lsn slotStart) {
        Lsn from = slotStart;
        List<WalChunk> chunks = stored.chunks(systemId);
        for (WalChunk c : chunks) {
            if (c.timeline() == timeline && c.end().compareTo(from) > 0) {
                from = c.end();
            }
        }
        if (from.compareTo(slotStart) > 0 || chunks.isEmpty()) {
            return from.segmentStart(segmentSize);
        }
        return slotStart.segmentStart(segmentSize);
    }

    private void run() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        long bufferStart = 0;
        long firstByteAt = 0;
        long lagMeasuredAt = System.nanoTime();
        try {
            while (!closing) {
                ByteBuffer message = stream.readPending();
                if (message != null && message.hasRemaining()) {
                    long end = stream.getLastReceiveLSN().asLong();
                    int n = message.remaining();
                    long begin = end - n;
                    if (buffer.size() > 0 && begin != bufferStart + buffer.size()) {
                        flush(buffer, bufferStart);
                    }
                    if (buffer.size() == 0) {
                        bufferStart = begin;
                        firstByteAt = System.nanoTime();
                    }
                    byte[] bytes = new byte[n];
                    message.get(bytes);
                    buffer.write(bytes, 0, n);
                }
                long now = System.nanoTime();
                if (buffer.size() > 0 && (now - firstByteAt >= config.flushInterval().toNanos()
                        || buffer.size() >= MAX_CHUNK_BYTES)) {
                    flush(buffer, bufferStart);
                }
                if (now - lagMeasuredAt >= config.flushInterval().toNanos()) {
                    measureLag();
                    lagMeasuredAt = now;
                }
                if (message == null) {
                    LockSupport.parkNanos(IDLE_PARK_NANOS);
                }
            }
            if (buffer.size() > 0) {
                flush(buffer, bufferStart);
            }
        } catch (Throwable e) {
            if (buffer.size() > 0) {
                try {
                    flush(buffer, bufferStart);
                } catch (Throwable second) {
                    e.addSuppressed(second);
                }
            }
            if (!closing) {
                failure.set(e);
                LOG.error("WAL streaming from slot {} stopped at {}: {}", config.slot(), streamedLsn(), e.toString());
            }
        } finally {
            closeQuietly(replication);
            closeQuietly(sql);
            closeQuietly(sink); // writes what the journal holds; a new streamer opens it again
        }
    }

    private void flush(ByteArrayOutputStream buffer, long start) throws SQLException {
        byte[] bytes = buffer.toByteArray();
        Lsn from = new Lsn(start);
        Lsn to = from.plus(bytes.length);
        Instant received = clock.instant();
        sink.append(new WalChunk("", systemId, timeline, segmentSize, from, to, received), bytes);
        buffer.reset();
        streamed.set(to.value());
        chunks.incrementAndGet();
        lastFlush.set(received);
        if (!stream.isClosed()) {
            LogSequenceNumber durable = LogSequenceNumber.valueOf(to.value());
            stream.setFlushedLSN(durable);
            stream.setAppliedLSN(durable);
            stream.forceUpdateStatus();
        }
    }

    private void measureLag() {
        try (PreparedStatement st = sql.prepareStatement("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)"
                + "::bigint FROM pg_replication_slots WHERE slot_name = ?")) {
            st.setString(1, config.slot());
            try (ResultSet rs = st.executeQuery()) {
                if (rs.next()) {
                    long lag = rs.getLong(1);
                    lagBytes.set(lag);
                    if (lag > config.lagWarningBytes() && !lagWarned) {
                        lagWarned = true;
                        LOG.warn("Replication slot {} holds back {} bytes of WAL on the server (warning at {}): the "
                                + "repository is not keeping up, and the server's disk fills", config.slot(), lag,
                                config.lagWarningBytes());
                    } else if (lag <= config.lagWarningBytes()) {
                        lagWarned = false;
                    }
                }
            }
        } catch (SQLException e) {
            LOG.debug("Cannot measure the lag of slot {}: {}", config.slot(), e.toString());
        }
    }

    /**
     * Returns the position up to which WAL is durable in the repository.
     *
     * @return the position
     */
    public Lsn streamedLsn() {
        return new Lsn(streamed.get());
    }

    /**
     * Returns how much WAL the slot held back on the server when last measured (once per flush interval).
     *
     * @return bytes between the server's current WAL position and the slot's restart position
     */
    public long slotLagBytes() {
        return lagBytes.get();
    }

    /**
     * Returns when a chunk was last stored.
     *
     * @return the time, empty before the first chunk
     */
    public Optional<Instant> lastFlush() {
        return Optional.ofNullable(lastFlush.get());
    }

    /**
     * Returns how many chunks this streamer stored.
     *
     * @return the count
     */
    public long chunksStored() {
        return chunks.get();
    }

    /**
     * Returns why streaming stopped, if it stopped on an error.
     *
     * @return the error
     */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure.get());
    }

    /**
     * Says whether the stream is still running.
     *
     * @return {@code true} until it is closed or fails
     */
    public boolean isRunning() {
        return thread.isAlive();
    }

    /** Returns the slot's name. @return the name */
    public String slot() {
        return config.slot();
    }

    /** Returns the cluster's system identifier. @return the identifier */
    public String systemId() {
        return systemId;
    }

    /** Returns the timeline the streamer follows. @return the timeline */
    public int timeline() {
        return timeline;
    }

    /**
     * Waits until WAL up to {@code lsn} is durable in the repository.
     *
     * @param lsn the position, such as {@code pg_current_wal_flush_lsn()} after a commit
     * @param timeout how long to wait
     * @return whether it was reached in time
     * @throws DrException {@code UNAVAILABLE} when streaming stopped on an error first
     */
    public boolean awaitStreamed(Lsn lsn, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (streamedLsn().compareTo(lsn) < 0) {
            Throwable failed = failure.get();
            if (failed != null) {
                throw new DrException(ErrorCode.UNAVAILABLE, "WAL streaming stopped at " + streamedLsn() + ": "
                        + failed.getMessage(), config.slot(), failed);
            }
            if (System.nanoTime() - deadline > 0 || !isRunning()) {
                return streamedLsn().compareTo(lsn) >= 0;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        return true;
    }

    /**
     * Registers {@code dr.postgres.slot.lag} (bytes the slot holds back), {@code dr.postgres.wal.streamed}
     * (the durable position) and {@code dr.postgres.wal.chunks}, tagged with the slot.
     *
     * @param registry the registry
     */
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("dr.postgres.slot.lag", lagBytes, AtomicLong::get).baseUnit("bytes").tag("slot", config.slot())
                .description("WAL the replication slot holds back on the server").register(registry);
        Gauge.builder("dr.postgres.wal.streamed", streamed, AtomicLong::get).tag("slot", config.slot())
                .description("Position up to which WAL is durable in the repository").register(registry);
        Gauge.builder("dr.postgres.wal.chunks", chunks, AtomicLong::get).tag("slot", config.slot())
                .description("WAL chunks stored by this streamer").register(registry);
    }

    /** Stores what was received, stops streaming and closes the connections. */
    @Override
    public void close() {
        closing = true;
        try {
            thread.join(TimeUnit.MINUTES.toMillis(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeQuietly(replication);
        closeQuietly(sql);
        closeQuietly(sink); // the streaming thread closed it unless it is still stuck
    }

    @Override
    public String toString() {
        return "WalStreamer[slot=" + config.slot() + ", streamed=" + streamedLsn() + ", " + connection + "]";
    }

    private static void closeQuietly(@Nullable AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                // closing after the fact
            }
        }
    }
}
