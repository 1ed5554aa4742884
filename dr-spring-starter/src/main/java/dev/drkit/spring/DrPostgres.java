package dev.drkit.spring;

import dev.drkit.api.DrException;
import dev.drkit.core.repository.Replication;
import dev.drkit.core.repository.Repository;
import dev.drkit.postgres.BaseBackup;
import dev.drkit.postgres.PostgresBackups;
import dev.drkit.postgres.PostgresConnection;
import dev.drkit.postgres.WalStreamConfig;
import dev.drkit.postgres.WalStreamer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's PostgreSQL, streamed into the repository: the WAL streamer and the base
 * backups the {@code dr.postgres.*} properties ask for. Shown as {@code postgres} in
 * {@code GET /actuator/dr}.
 *
 * <p>With a secondary ({@code dr.replication.uri}) open at start, the WAL journal ships its
 * segments there as they become durable ({@code WalStreamer.start(Replication, ...)}), and each
 * base backup is copied there, with every other snapshot the secondary lacks, before
 * {@link #baseBackup()} returns; a copy that fails is logged and leaves the base backup
 * standing. A secondary opened only later gets the WAL journal's chain by its catch-up and by
 * each later copy, not segment by segment until the next start.
 */
public final class DrPostgres implements DrOverviewSection, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DrPostgres.class);
    private final Repository repository;
    private final PostgresBackups backups;
    /** The streamer now; replaced by a new one when the last stopped on a failure. */
    private volatile WalStreamer streamer;
    private final PostgresConnection connection;
    private final WalStreamConfig config;
    private final @Nullable Replication replication;
    /** The first wait before streaming is started again after a failure; it doubles up to {@link #MAX_RESTART_DELAY}. */
    private final Duration restartDelay;
    private static final Duration MAX_RESTART_DELAY = Duration.ofMinutes(1);
    private @Nullable ScheduledFuture<?> watchdog;
    private long nextRestart;
    private Duration nextDelay;
    private final AtomicLong restarts = new AtomicLong();
    private volatile boolean closed;
    private final @Nullable DrReplication secondary;
    private final AtomicReference<@Nullable BaseBackup> lastBaseBackup = new AtomicReference<>();
    private @Nullable ScheduledFuture<?> schedule;

    /**
     * Checks the server, starts streaming and takes or schedules base backups.
     *
     * @param repository the repository
     * @param connection the application's server, as the streaming role
     * @param properties the {@code dr.postgres.*} properties
     * @param scheduler runs the scheduled base backups
     * @throws DrException as {@link WalStreamer#start}, its message naming the {@code dr.postgres.*} property
     */
    public DrPostgres(Repository repository, PostgresConnection connection, DrProperties.Postgres properties,
            ScheduledExecutorService scheduler) {
        this(repository, connection, properties, scheduler, null);
    }

    /**
     * Checks the server, starts streaming and takes or schedules base backups.
     *
     * @param repository the repository
     * @param connection the application's server, as the streaming role
     * @param properties the {@code dr.postgres.*} properties
     * @param scheduler runs the scheduled base backups
     * @param secondary the secondary of {@code dr.replication.uri}, or null for none
     * @throws DrException as {@link WalStreamer#start}, its message naming the {@code dr.postgres.*} property
     */
    public DrPostgres(Repository repository, PostgresConnection connection, DrProperties.Postgres properties,
            ScheduledExecutorService scheduler, @Nullable DrReplication secondary) {
        this.repository = repository;
        this.secondary = secondary;
        PostgresBackups b = PostgresBackups.of(repository, connection);
        if (properties.dataDirectory() != null) {
            b = b.withDataDirectory(properties.dataDirectory());
        }
        this.backups = b;
        this.connection = connection;
        this.config = new WalStreamConfig(properties.slot(), properties.flushInterval(), properties.lagWarning());
        this.replication = secondary == null ? null : secondary.replicationOf(repository).orElse(null);
        this.restartDelay = properties.restartDelay();
        this.nextDelay = restartDelay;
        try {
            this.streamer = startStreaming();
            if (secondary != null && replication == null) {
                LOG.warn("The WAL of slot {} is not shipped to the secondary {}, which is not open yet; it is caught "
                        + "up when it opens and by each base backup after, and shipped from the next start",
                        properties.slot(), secondary.target());
                // Registers the repository, so that the secondary is caught up with it when it opens.
                secondary.whenOpen(repository, r -> { });
            }
        } catch (DrException e) {
            throw named(e);
        }
        List<BaseBackup> existing = backups.baseBackups();
        if (!existing.isEmpty()) {
            lastBaseBackup.set(existing.get(existing.size() - 1));
        }
        if (properties.baseBackupOnStart()) {
            baseBackup();
        }
        if (properties.baseBackupInterval() != null) {
            long every = properties.baseBackupInterval().toMillis();
            schedule = scheduler.scheduleWithFixedDelay(this::scheduledBaseBackup, every, every, TimeUnit.MILLISECONDS);
        }
        long check = Math.max(10, Math.min(restartDelay.toMillis(), 1000));
        watchdog = scheduler.scheduleWithFixedDelay(this::restartIfFailed, check, check, TimeUnit.MILLISECONDS);
    }

    private WalStreamer startStreaming() {
        Replication r = replication;
        return r == null ? WalStreamer.start(repository, connection, config) : WalStreamer.start(r, connection, config);
    }

    /**
     * Starts streaming again when the streamer stopped on a failure (the server restarted, the
     * connection dropped): the slot kept the WAL since the last acknowledged position, so the new
     * streamer goes on from there and nothing is lost. Tried after {@code dr.postgres.restart-delay},
     * then after twice as long each time it fails again, up to a minute. A streamer closed on
     * purpose is not started again.
     */
    private synchronized void restartIfFailed() {
        WalStreamer s = streamer;
        if (closed || s.isRunning() || s.failure().isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        if (nextRestart == 0) {
            nextRestart = now + nextDelay.toNanos();
            LOG.warn("WAL streaming from slot {} stopped ({}); starting it again in {}", config.slot(),
                    s.failure().map(Throwable::getMessage).orElse("?"), nextDelay);
            return;
        }
        if (now - nextRestart < 0) {
            return;
        }
        try {
            s.close(); // stores what it received and gives the journal back
            WalStreamer fresh = startStreaming();
            streamer = fresh;
            restarts.incrementAndGet();
            nextRestart = 0;
            nextDelay = restartDelay;
            LOG.info("WAL streaming from slot {} started again at {}", config.slot(), fresh.streamedLsn());
        } catch (RuntimeException e) {
            Duration doubled = nextDelay.multipliedBy(2);
            nextDelay = doubled.compareTo(MAX_RESTART_DELAY) > 0 ? MAX_RESTART_DELAY : doubled;
            nextRestart = now + nextDelay.toNanos();
            LOG.warn("Starting WAL streaming from slot {} again failed ({}); next try in {}", config.slot(),
                    e.getMessage(), nextDelay);
        }
    }

    /**
     * Returns how many times streaming was started again after it stopped on a failure.
     *
     * @return the count
     */
    public long restarts() {
        return restarts.get();
    }

    static DrException named(DrException e) {
        String input = e.input() == null ? "" : e.input();
        String property = switch (input) {
            case "slot" -> "dr.postgres.slot";
            case "password" -> "dr.postgres.password";
            case "user", "replication", "pg_backup_start" -> "dr.postgres.username";
            case "dataDirectory" -> "dr.postgres.data-directory";
            default -> null;
        };
        if (property == null) {
            return e;
        }
        return new DrException(e.code(), property + ": " + e.getMessage(), property, e);
    }

    private void scheduledBaseBackup() {
        try {
            baseBackup();
        } catch (RuntimeException e) {
            LOG.error("The scheduled PostgreSQL base backup failed: {}", e.toString());
        }
    }

    /**
     * Takes a base backup now.
     *
     * @return the base backup
     * @throws DrException as {@link PostgresBackups#baseBackup()}
     */
    public BaseBackup baseBackup() {
        BaseBackup b;
        try {
            b = backups.baseBackup();
            lastBaseBackup.set(b);
        } catch (DrException e) {
            throw named(e);
        }
        copyToSecondary();
        forgetUnneededWal();
        return b;
    }

    /** Copies what the secondary lacks, the new base backup and the WAL with it; a failure is only logged. */
    private void copyToSecondary() {
        DrReplication s = secondary;
        if (s == null) {
            return;
        }
        try {
            // Replication logs each secondary that fails at WARN; the next copy catches it up.
            s.replicationOf(repository).ifPresent(Replication::replicateNew);
        } catch (RuntimeException e) {
            LOG.warn("Copying the base backup to the secondary {} failed; the next copy catches it up: {}",
                    s.target(), e.toString());
        }
    }

    /**
     * Deletes from the WAL journal the WAL that no base backup left in the repository needs:
     * what ends before the oldest base backup of the streamed cluster and timeline (see
     * {@link WalStreamer#forgetWalBefore}). Runs after each base backup, so the WAL of base
     * backups that retention forgot leaves with them; its space is freed by prune. A failure
     * is logged: the WAL stays, and the next base backup tries again.
     *
     * @return how many WAL chunks were deleted
     */
    public int forgetUnneededWal() {
        try {
            Optional<BaseBackup> oldest = backups.baseBackups().stream()
                    .filter(b -> b.systemId().equals(streamer.systemId()) && b.timeline() == streamer.timeline())
                    .findFirst();
            int n = oldest.map(streamer::forgetWalBefore).orElse(0);
            if (n > 0) {
                LOG.info("Forgot {} WAL chunks older than base backup {}, the oldest kept", n,
                        oldest.get().snapshotId());
            }
            return n;
        } catch (RuntimeException e) {
            LOG.warn("Forgetting the WAL older than the oldest base backup failed: {}", e.toString());
            return 0;
        }
    }

    /** Returns the latest base backup. @return it, empty when the repository holds none */
    public Optional<BaseBackup> lastBaseBackup() {
        return Optional.ofNullable(lastBaseBackup.get());
    }

    /** Returns the WAL streamer. @return the streamer */
    public WalStreamer streamer() {
        return streamer;
    }

    /**
     * Registers the streamer's meters ({@code dr.postgres.slot.lag} and others).
     *
     * @param registry the registry
     */
    public void bindTo(MeterRegistry registry) {
        // Read through this object, so that the meters follow a streamer started again.
        Gauge.builder("dr.postgres.slot.lag", this, p -> p.streamer().slotLagBytes()).baseUnit("bytes")
                .tag("slot", config.slot()).description("WAL the replication slot holds back on the server")
                .register(registry);
        Gauge.builder("dr.postgres.wal.streamed", this, p -> p.streamer().streamedLsn().value())
                .tag("slot", config.slot()).description("Position up to which WAL is durable in the repository")
                .register(registry);
        Gauge.builder("dr.postgres.wal.chunks", this, p -> p.streamer().chunksStored()).tag("slot", config.slot())
                .description("WAL chunks stored by the current streamer").register(registry);
        Gauge.builder("dr.postgres.streaming.restarts", restarts, AtomicLong::get).tag("slot", config.slot())
                .description("Times WAL streaming was started again after it stopped on a failure")
                .register(registry);
    }

    @Override
    public String sectionName() {
        return "postgres";
    }

    @Override
    public Map<String, Object> sectionView() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("slot", streamer.slot());
        out.put("system", streamer.systemId());
        out.put("streaming", streamer.isRunning());
        out.put("streamedLsn", streamer.streamedLsn().toString());
        out.put("slotLagBytes", streamer.slotLagBytes());
        out.put("lastFlush", streamer.lastFlush().map(Object::toString).orElse(null));
        out.put("failure", streamer.failure().map(Throwable::getMessage).orElse(null));
        BaseBackup b = lastBaseBackup.get();
        if (b == null) {
            out.put("lastBaseBackup", null);
        } else {
            Map<String, Object> base = new LinkedHashMap<>();
            base.put("snapshot", b.snapshotId());
            base.put("startLsn", b.startLsn().toString());
            base.put("stopLsn", b.stopLsn().toString());
            base.put("stopTime", b.stopTime().toString());
            out.put("lastBaseBackup", base);
        }
        return out;
    }

    /** Stops the scheduled base backups and the streaming, storing what was received. */
    @Override
    public void close() {
        closed = true;
        ScheduledFuture<?> s = schedule;
        if (s != null) {
            s.cancel(false);
        }
        ScheduledFuture<?> w = watchdog;
        if (w != null) {
            w.cancel(false);
        }
        synchronized (this) {
            streamer.close();
        }
    }
}
