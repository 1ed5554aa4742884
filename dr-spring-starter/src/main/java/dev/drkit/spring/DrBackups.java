package dev.drkit.spring;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.backup.BackupKind;
import dev.drkit.api.backup.RetentionPolicy;
import dev.drkit.api.backup.SnapshotSource;
import dev.drkit.core.repository.BackupRequest;
import dev.drkit.core.repository.BackupResult;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.Snapshot;
import dev.drkit.core.source.DirectorySource;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.support.CronExpression;

/**
 * Backs up the configured sources into the repository: on the schedule of
 * {@code dr.backup.schedule} (every {@code full-every}-th backup full, the others
 * incremental), on demand through {@link #backupNow}, and applies the retention policy
 * after each success. Remembers the newest successful snapshot for the health contributor.
 *
 * <p>Thread-safe; backups run one at a time.
 */
public final class DrBackups implements SmartLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(DrBackups.class);

    private final Repository repository;
    private final List<SnapshotSource> sources;
    private final DrProperties.Backup settings;
    private final Clock clock;
    private final Instant startedAt;
    private final AtomicReference<@Nullable Snapshot> latest = new AtomicReference<>();
    private final AtomicReference<@Nullable String> lastError = new AtomicReference<>();
    private final AtomicLong count = new AtomicLong();
    private final Object lock = new Object();
    private @Nullable ScheduledExecutorService scheduler;

    /**
     * Creates the backups of the configured sources.
     *
     * @param repository the repository
     * @param settings the {@code dr.backup} settings
     * @param clock the clock
     * @throws DrException a repository failure while reading its snapshots
     */
    public DrBackups(Repository repository, DrProperties.Backup settings, Clock clock) {
        this.repository = repository;
        this.settings = settings;
        this.clock = clock;
        this.startedAt = clock.instant();
        List<SnapshotSource> list = new ArrayList<>();
        for (Path p : settings.getSources()) {
            Path abs = p.toAbsolutePath().normalize();
            Path name = abs.getFileName();
            list.add(DirectorySource.of(name == null ? "root" : name.toString(), abs));
        }
        this.sources = List.copyOf(list);
        List<Snapshot> existing = repository.snapshots();
        if (!existing.isEmpty()) {
            latest.set(existing.get(existing.size() - 1));
        }
    }

    /**
     * Returns the repository the backups go to.
     *
     * @return the repository
     */
    public Repository repository() {
        return repository;
    }

    /**
     * Returns the recovery point objective backups are measured against.
     *
     * @return the objective
     */
    public Duration rpo() {
        return settings.getRpo();
    }

    /**
     * Backs up the configured sources now.
     *
     * @param kind full or incremental
     * @param tags tags for the snapshot
     * @return the result
     * @throws DrException {@code ILLEGAL_STATE} when no sources are configured; whatever the repository throws
     */
    public BackupResult backupNow(BackupKind kind, String... tags) {
        if (sources.isEmpty()) {
            throw new DrException(ErrorCode.ILLEGAL_STATE, "no backup sources are configured; set dr.backup.sources",
                    "dr.backup.sources");
        }
        synchronized (lock) {
            try {
                BackupRequest.Builder b = BackupRequest.builder().sources(sources).kind(kind);
                if (tags.length > 0) {
                    b.tags(tags);
                }
                BackupResult result = repository.backup(b.build());
                latest.set(result.snapshot());
                lastError.set(null);
                count.incrementAndGet();
                applyRetention();
                return result;
            } catch (RuntimeException e) {
                lastError.set(e.getMessage());
                throw e;
            }
        }
    }

    /**
     * Returns the newest successful snapshot.
     *
     * @return the snapshot, or empty before the first backup
     */
    public Optional<Snapshot> latest() {
        return Optional.ofNullable(latest.get());
    }

    /**
     * Returns the message of the last failed backup, cleared by the next success.
     *
     * @return the message, or empty
     */
    public Optional<String> lastError() {
        return Optional.ofNullable(lastError.get());
    }

    /**
     * Returns when this object was created, the start of the RPO clock before the first backup.
     *
     * @return the instant
     */
    public Instant startedAt() {
        return startedAt;
    }

    /**
     * Returns the age of the newest successful backup, or the time since start when there is none.
     *
     * @return the age
     */
    public Duration age() {
        Snapshot s = latest.get();
        return Duration.between(s == null ? startedAt : s.time(), clock.instant());
    }

    private void applyRetention() {
        DrProperties.Retention r = settings.getRetention();
        if (r.getKeepLast() == null && r.getKeepHourly() == null && r.getKeepDaily() == null
                && r.getKeepWeekly() == null && r.getKeepMonthly() == null && r.getKeepYearly() == null
                && r.getKeepWithin() == null) {
            return;
        }
        RetentionPolicy.Builder b = RetentionPolicy.builder();
        if (r.getKeepLast() != null) {
            b.keepLast(r.getKeepLast());
        }
        if (r.getKeepHourly() != null) {
            b.keepHourly(r.getKeepHourly());
        }
        if (r.getKeepDaily() != null) {
            b.keepDaily(r.getKeepDaily());
        }
        if (r.getKeepWeekly() != null) {
            b.keepWeekly(r.getKeepWeekly());
        }
        if (r.getKeepMonthly() != null) {
            b.keepMonthly(r.getKeepMonthly());
        }
        if (r.getKeepYearly() != null) {
            b.keepYearly(r.getKeepYearly());
        }
        if (r.getKeepWithin() != null) {
            b.keepWithin(r.getKeepWithin());
        }
        repository.forget(b.build(), false);
    }

    private void scheduled() {
        int fullEvery = settings.getSchedule().getFullEvery();
        BackupKind kind = count.get() % fullEvery == 0 ? BackupKind.FULL : BackupKind.INCREMENTAL;
        try {
            BackupResult r = backupNow(kind, "scheduled");
            LOG.info("DR backup {} ({}) of {} files took {}", r.snapshot().shortId(), kind, r.snapshot().files(),
                    r.duration());
        } catch (RuntimeException e) {
            LOG.warn("DR backup failed: {}", e.getMessage());
        } finally {
            scheduleNext();
        }
    }

    private void scheduleNext() {
        scheduleNext(null);
    }

    private void scheduleNext(@Nullable Duration firstDelay) {
        ScheduledExecutorService s = scheduler;
        if (s == null || s.isShutdown()) {
            return;
        }
        DrProperties.Schedule schedule = settings.getSchedule();
        long delayMillis;
        if (schedule.getCron() != null) {
            ZonedDateTime now = ZonedDateTime.now(clock);
            ZonedDateTime next = CronExpression.parse(schedule.getCron()).next(now);
            if (next == null) {
                return;
            }
            delayMillis = Duration.between(now, next).toMillis();
        } else if (schedule.getInterval() != null) {
            delayMillis = (firstDelay != null ? firstDelay : schedule.getInterval()).toMillis();
        } else {
            return;
        }
        try {
            s.schedule(this::scheduled, Math.max(0, delayMillis), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // stopping
        }
    }

    @Override
    public void start() {
        DrProperties.Schedule schedule = settings.getSchedule();
        if (sources.isEmpty() || (schedule.getCron() == null && schedule.getInterval() == null)) {
            return;
        }
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dr-backup");
            t.setDaemon(true);
            return t;
        });
        scheduler = s;
        scheduleNext(schedule.getInitialDelay());
    }

    @Override
    public void stop() {
        ScheduledExecutorService s = scheduler;
        scheduler = null;
        if (s != null) {
            s.shutdownNow();
        }
    }

    @Override
    public boolean isRunning() {
        return scheduler != null;
    }
}
