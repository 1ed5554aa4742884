package dev.drkit.core.backup;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.backup.BackupKind;
import dev.drkit.api.backup.BackupStrategy;
import dev.drkit.api.backup.RetentionPolicy;
import dev.drkit.api.backup.SnapshotSource;
import dev.drkit.core.coordination.FencedStore;
import dev.drkit.core.coordination.WriterLease;
import dev.drkit.core.repository.BackupRequest;
import dev.drkit.core.repository.BackupResult;
import dev.drkit.core.repository.Replication;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.Snapshot;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backs up a set of sources into a repository on a schedule: each run is full or incremental
 * as the {@link BackupStrategy} chooses (counting the incrementals already in the repository,
 * so that the first backup after a restart goes on from the newest snapshot), then the
 * retention policy forgets old snapshots. Remembers the newest successful backup, to be
 * measured against the recovery point objective.
 *
 * <pre>{@code
 * try (ScheduledBackups backups = ScheduledBackups.builder(repository)
 *         .source(DirectorySource.of("orders", Path.of("/var/lib/orders")))
 *         .schedule(BackupSchedule.every(Duration.ofMinutes(15)))
 *         .strategy(BackupStrategy.fullEvery(23))
 *         .rpo(Duration.ofHours(1))
 *         .build()) {
 *     backups.start();
 *     ...
 * }
 * }</pre>
 *
 * <p>With a {@linkplain Builder#replication replication} every backup, scheduled or
 * {@linkplain #backupNow on demand}, is copied to the replication's secondaries (with every
 * other snapshot they lack) before it returns and before retention forgets anything; a
 * secondary that fails is logged and counted ({@link #replicationFailures()},
 * {@link #lastReplicationError()}), never failing the backup, and is caught up by the next one.
 *
 * <p>Thread-safe; backups run one at a time. Time comes from the injected {@link Clock} and
 * runs from the injected {@link ScheduledExecutorService}, so tests control both.
 */
public final class ScheduledBackups implements AutoCloseable {
    /**
     * The retention applied after each backup unless another is set: the newest snapshot of each
     * of the last 24 hours, 7 days, 4 weeks and 12 months (at most 47 snapshots).
     */
    public static final RetentionPolicy DEFAULT_RETENTION = RetentionPolicy.builder().keepHourly(24).keepDaily(7)
            .keepWeekly(4).keepMonthly(12).build();
    /** The default recovery point objective: one hour. */
    public static final Duration DEFAULT_RPO = Duration.ofHours(1);
    /** The default strategy: a full backup, then 23 incrementals, then a full one again. */
    public static final BackupStrategy DEFAULT_STRATEGY = BackupStrategy.fullEvery(23);
    /** The tag of every scheduled snapshot. */
    public static final String SCHEDULED_TAG = "scheduled";
    /**
     * The tag of an operator's backup on demand (such as one taken before a migration), which
     * retention never forgets: it stays until forgotten by hand ({@code dr forget <id>}), so that
     * the next scheduled backup's retention does not take it away seconds later. The starter's
     * {@code POST /actuator/dr/backups/now} tags its backups so.
     */
    public static final String ON_DEMAND_TAG = "on-demand";

    private static final Logger LOG = LoggerFactory.getLogger(ScheduledBackups.class);

    private final Repository repository;
    private final List<SnapshotSource> sources;
    private final List<String> sourceNames;
    private final @Nullable BackupSchedule schedule;
    private final @Nullable Duration initialDelay;
    private final BackupStrategy strategy;
    private final @Nullable RetentionPolicy retention;
    private final Duration rpo;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final boolean ownScheduler;
    private final @Nullable WriterLease writer;
    private final boolean allowEmptySources;
    private long skippedRuns;
    private final Instant startedAt;
    private final Object lock = new Object();
    private @Nullable Snapshot latest;
    private @Nullable Instant lastSuccess;
    private @Nullable String lastError;
    private @Nullable Replication replication;
    private List<Replication.Outcome> lastReplicas = List.of();
    private @Nullable String lastReplicationError;
    private long replicationFailures;
    private int incrementalsSinceFull;
    private @Nullable ScheduledFuture<?> pending;
    private @Nullable Instant nextRun;
    private boolean started;
    private boolean closed;

    private ScheduledBackups(Builder b) {
        this.repository = b.repository;
        this.sources = List.copyOf(b.sources);
        this.sourceNames = sources.stream().map(SnapshotSource::name).toList();
        this.schedule = b.schedule;
        this.initialDelay = b.initialDelay;
        this.strategy = b.strategy;
        this.retention = b.retention == null ? null : keepingOnDemand(b.retention);
        this.rpo = b.rpo;
        this.clock = b.clock;
        this.writer = b.writer;
        this.allowEmptySources = b.allowEmptySources;
        this.replication = b.replication;
        this.ownScheduler = b.scheduler == null;
        this.scheduler = b.scheduler != null ? b.scheduler : Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dr-backup");
            t.setDaemon(true);
            return t;
        });
        this.startedAt = clock.instant();
        List<Snapshot> history = repository.snapshots();
        this.latest = BackupChain.newest(history, sourceNames).orElse(null);
        this.incrementalsSinceFull = BackupChain.incrementalsSinceFull(history, sourceNames);
    }

    /**
     * Starts a builder.
     *
     * @param repository the repository the backups go to
     * @return the builder
     */
    public static Builder builder(Repository repository) {
        return new Builder(repository);
    }

    /**
     * Schedules the first backup; without a schedule or sources nothing is scheduled.
     *
     * @throws DrException {@code ILLEGAL_STATE} when already started or closed
     */
    public void start() {
        synchronized (lock) {
            if (started || closed) {
                throw new DrException(ErrorCode.ILLEGAL_STATE, "scheduled backups were " + (closed ? "closed" : "started")
                        + " already", "backups");
            }
            started = true;
            BackupSchedule s = schedule;
            if (s == null || sources.isEmpty()) {
                return;
            }
            Instant now = clock.instant();
            Duration delay = initialDelay;
            scheduleAt(delay != null ? Optional.of(now.plus(delay)) : s.next(now));
        }
    }

    /** Cancels the next backup and lets a running one finish; shuts down a scheduler this object created. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            nextRun = null;
            ScheduledFuture<?> p = pending;
            if (p != null) {
                p.cancel(false);
            }
        }
        if (ownScheduler) {
            scheduler.shutdownNow();
        }
    }

    /**
     * Backs up now, full or incremental as the strategy chooses, copies the backup to the
     * secondaries of the {@linkplain Builder#replication replication} when there is one, then
     * applies retention.
     *
     * @param tags tags for the snapshot
     * @return the result
     * @throws DrException {@code ILLEGAL_STATE} without sources; whatever the repository throws
     */
    public BackupResult backupNow(String... tags) {
        synchronized (lock) {
            return backupNow(strategy.next(incrementalsSinceFull), tags);
        }
    }

    /**
     * Backs up now with the given kind, copies the backup to the secondaries of the
     * {@linkplain Builder#replication replication} when there is one, then applies retention.
     * A secondary that fails does not fail the backup: see {@link #lastReplicationError()}.
     *
     * @param kind full or incremental
     * @param tags tags for the snapshot
     * @return the result
     * @throws DrException {@code ILLEGAL_STATE} without sources; whatever the repository throws
     */
    public BackupResult backupNow(BackupKind kind, String... tags) {
        Objects.requireNonNull(kind, "kind");
        if (sources.isEmpty()) {
            throw new DrException(ErrorCode.ILLEGAL_STATE, "no backup sources are configured", "sources");
        }
        synchronized (lock) {
            BackupResult result;
            try {
                BackupRequest.Builder b = BackupRequest.builder().sources(sources).kind(kind)
                        .allowEmptySources(allowEmptySources);
                if (tags.length > 0) {
                    b.tags(tags);
                }
                result = repository.backup(b.build());
            } catch (RuntimeException e) {
                lastError = e.getMessage();
                throw e;
            }
            latest = result.snapshot();
            lastSuccess = result.snapshot().time();
            // The snapshot is whole, but the repository lost data older snapshots may need.
            lastError = result.packsMissing().isEmpty() ? null : "backup " + result.snapshot().shortId() + " found "
                    + result.packsMissing().size() + " pack(s) missing from the repository ("
                    + String.join(", ", result.packsMissing().stream().limit(3).toList())
                    + (result.packsMissing().size() > 3 ? ", ..." : "") + ") and stored their content again from the "
                    + "sources; run 'dr verify' for the snapshots taken before";
            incrementalsSinceFull = result.snapshot().parent() == null ? 0 : Math.max(incrementalsSinceFull, 0) + 1;
            replicate();
            applyRetention();
            return result;
        }
    }

    /** Copies what the secondaries lack; a failure is recorded, never thrown. Called under the lock. */
    private void replicate() {
        Replication r = replication;
        if (r == null) {
            return;
        }
        List<Replication.Outcome> outcomes;
        try {
            outcomes = r.replicateNew();
        } catch (RuntimeException e) {
            // replicateNew reports each secondary's DrException in its outcome; anything else lands here.
            replicationFailures++;
            lastReplicas = List.of();
            lastReplicationError = "replication failed: " + e;
            LOG.warn("DR backup replication of {} failed; the next backup copies what the secondaries lack: {}",
                    sourceNames, e.toString());
            return;
        }
        lastReplicas = List.copyOf(outcomes);
        String error = null;
        for (Replication.Outcome o : outcomes) {
            DrException e = o.error();
            if (e != null) {
                replicationFailures++;
                error = "secondary " + o.secondary() + " (repository " + r.secondaries().get(o.secondary()).id()
                        + "): " + e.getMessage();
            }
        }
        lastReplicationError = error;
    }

    /**
     * Copies every later backup to the secondaries of a replication, for one that could not be
     * made when this was built (a secondary that could not be reached then). What the
     * secondaries lack now is copied by the next backup, which copies every snapshot they lack,
     * or at once by {@link Replication#replicateNew()}.
     *
     * @param value the replication, whose primary is {@link #repository()}
     * @throws DrException {@code INVALID_ARGUMENT} naming {@code replication} when its primary
     *     is another repository; {@code ILLEGAL_STATE} naming it when there is a replication already
     */
    public void replicateTo(Replication value) {
        requirePrimary(value, repository);
        synchronized (lock) {
            if (replication != null) {
                throw new DrException(ErrorCode.ILLEGAL_STATE, "these backups are replicated already", "replication");
            }
            replication = value;
        }
    }

    private static void requirePrimary(Replication value, Repository repository) {
        Objects.requireNonNull(value, "replication");
        if (value.primary() != repository) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "replication must have the backups' repository "
                    + repository.id() + " as its primary, but its primary is repository " + value.primary().id(),
                    "replication");
        }
    }

    /**
     * Returns the replication every backup is copied through, when there is one.
     *
     * @return the replication, or empty
     */
    public Optional<Replication> replication() {
        synchronized (lock) {
            return Optional.ofNullable(replication);
        }
    }

    /**
     * Returns how copying the last backup to each secondary went.
     *
     * @return one outcome per secondary, in order; empty before the first replicated backup
     */
    public List<Replication.Outcome> lastReplicas() {
        synchronized (lock) {
            return lastReplicas;
        }
    }

    /**
     * Returns why copying the last backup to a secondary failed (the last failing secondary's
     * position, repository id and message), cleared when a later backup reaches every
     * secondary. The backup itself stands.
     *
     * @return the message, or empty
     */
    public Optional<String> lastReplicationError() {
        synchronized (lock) {
            return Optional.ofNullable(lastReplicationError);
        }
    }

    /**
     * Returns how many copies of backups to a secondary failed since this was built, one per
     * secondary and backup.
     *
     * @return the count
     */
    public long replicationFailures() {
        synchronized (lock) {
            return replicationFailures;
        }
    }

    /** The policy, also keeping every snapshot tagged {@link #ON_DEMAND_TAG}. */
    private static RetentionPolicy keepingOnDemand(RetentionPolicy r) {
        if (r.keepTags().contains(ON_DEMAND_TAG)) {
            return r;
        }
        Set<String> tags = new HashSet<>(r.keepTags());
        tags.add(ON_DEMAND_TAG);
        return new RetentionPolicy(r.keepLast(), r.keepHourly(), r.keepDaily(), r.keepWeekly(), r.keepMonthly(),
                r.keepYearly(), r.keepWithin(), tags, r.groupBy());
    }

    private void applyRetention() {
        RetentionPolicy r = retention;
        if (r == null) {
            return;
        }
        try {
            repository.forget(r, false);
        } catch (RuntimeException e) {
            lastError = "retention failed: " + e.getMessage();
            LOG.warn("DR backup retention failed: {}", e.getMessage());
        }
    }

    private void run() {
        try {
            BackupKind kind;
            synchronized (lock) {
                if (closed) {
                    return;
                }
                kind = strategy.next(incrementalsSinceFull);
            }
            WriterLease w = writer;
            BackupResult r;
            if (w == null) {
                r = backupNow(kind, SCHEDULED_TAG);
            } else {
                Optional<BackupResult> done = w.runIfWriter(() -> backupNow(kind, SCHEDULED_TAG));
                if (done.isEmpty()) {
                    skipped();
                    return;
                }
                r = done.get();
            }
            LOG.info("DR backup {} ({}) of {} files took {}", r.snapshot().shortId(), kind, r.snapshot().files(),
                    r.duration());
            if (!r.complete()) {
                BackupResult.UnreadableEntry first = r.unreadable().get(0);
                LOG.warn("DR backup {} of {} left out {} entries it could not read, such as {} ({})",
                        r.snapshot().shortId(), sourceNames, r.unreadableCount(), first.path(), first.reason());
            }
        } catch (RuntimeException e) {
            LOG.warn("DR backup of {} failed: {}", sourceNames, e.getMessage());
        } finally {
            synchronized (lock) {
                BackupSchedule s = schedule;
                if (!closed && s != null) {
                    scheduleAt(s.next(clock.instant()));
                }
            }
        }
    }

    /** Counts a run left to the writer, and takes the newest snapshot it made as this instance's latest. */
    private void skipped() {
        synchronized (lock) {
            skippedRuns++;
        }
        List<Snapshot> history = repository.snapshots();
        synchronized (lock) {
            BackupChain.newest(history, sourceNames).ifPresent(s -> {
                Snapshot mine = latest;
                if (mine == null || s.time().isAfter(mine.time())) {
                    latest = s;
                    lastSuccess = s.time();
                    incrementalsSinceFull = BackupChain.incrementalsSinceFull(history, sourceNames);
                }
            });
        }
        LOG.debug("DR backup of {} left to the writer of {}", sourceNames, Objects.requireNonNull(writer).name());
    }

    /**
     * Returns how many scheduled runs were left to another instance because this one did not
     * hold the {@linkplain Builder#writer writer lease}.
     *
     * @return the count, 0 without a writer lease
     */
    public long skippedRuns() {
        synchronized (lock) {
            return skippedRuns;
        }
    }

    private void scheduleAt(Optional<Instant> at) {
        if (at.isEmpty() || closed) {
            nextRun = null;
            return;
        }
        nextRun = at.get();
        long delay = Math.max(0, Duration.between(clock.instant(), at.get()).toMillis());
        try {
            pending = scheduler.schedule(this::run, delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            nextRun = null;
            LOG.debug("DR backups not rescheduled: the scheduler is shut down");
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
     * Returns the recovery point objective the newest backup is measured against.
     *
     * @return the objective
     */
    public Duration rpo() {
        return rpo;
    }

    /**
     * Returns the newest snapshot of the sources: taken by this object, or found in the repository at start.
     *
     * @return the snapshot, or empty when there is none
     */
    public Optional<Snapshot> latest() {
        synchronized (lock) {
            return Optional.ofNullable(latest);
        }
    }

    /**
     * Returns when the newest successful backup of the sources was taken, whether by this object
     * or, before its first backup, by an earlier run found in the repository.
     *
     * @return the instant, or empty when the sources were never backed up
     */
    public Optional<Instant> lastSuccess() {
        synchronized (lock) {
            Instant t = lastSuccess;
            Snapshot s = latest;
            return Optional.ofNullable(t != null ? t : s == null ? null : s.time());
        }
    }

    /**
     * Returns the message of the last failed backup or retention, or of the last backup that found
     * packs missing from the repository ({@link BackupResult#packsMissing()}), cleared by the next
     * backup that succeeds without finding any.
     *
     * @return the message, or empty
     */
    public Optional<String> lastError() {
        synchronized (lock) {
            return Optional.ofNullable(lastError);
        }
    }

    /**
     * Returns how many entries the newest snapshot of the sources ({@link #latest()}) lacks
     * because its backup could not read them (see {@link Snapshot#unreadable()}); the backup
     * still counts as a success, its snapshot is committed. The snapshot records the count, so a
     * restarted application still reports it.
     *
     * @return the count, 0 when there is no snapshot or it is complete
     */
    public long lastUnreadableCount() {
        synchronized (lock) {
            return latest == null ? 0 : latest.unreadable();
        }
    }

    /**
     * Returns the age of the newest successful backup.
     *
     * @return the age, or empty when the sources were never backed up
     */
    public Optional<Duration> age() {
        Instant now = clock.instant();
        return lastSuccess().map(t -> Duration.between(t, now));
    }

    /**
     * Returns whether the recovery point objective holds: the newest backup is at most
     * {@link #rpo()} old, or, before the first backup, this object was created less than
     * {@code rpo} ago.
     *
     * @return true while the objective holds
     */
    public boolean rpoMet() {
        Instant now = clock.instant();
        Instant since = lastSuccess().orElse(startedAt);
        return Duration.between(since, now).compareTo(rpo) <= 0;
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
     * Returns when the next scheduled backup runs.
     *
     * @return the instant, or empty when none is scheduled
     */
    public Optional<Instant> nextRun() {
        synchronized (lock) {
            return Optional.ofNullable(nextRun);
        }
    }

    /**
     * Returns the kind the strategy chooses for the next backup.
     *
     * @return FULL or INCREMENTAL
     */
    public BackupKind nextKind() {
        synchronized (lock) {
            return strategy.next(incrementalsSinceFull);
        }
    }

    /**
     * Returns whether backups are scheduled: started, with a schedule and sources, and not closed.
     *
     * @return true while scheduled
     */
    public boolean isScheduled() {
        synchronized (lock) {
            return nextRun != null && !closed;
        }
    }

    /** Builds {@link ScheduledBackups}; not thread-safe. */
    public static final class Builder {
        private final Repository repository;
        private final List<SnapshotSource> sources = new ArrayList<>();
        private @Nullable BackupSchedule schedule;
        private @Nullable Duration initialDelay;
        private BackupStrategy strategy = DEFAULT_STRATEGY;
        private @Nullable RetentionPolicy retention = DEFAULT_RETENTION;
        private Duration rpo = DEFAULT_RPO;
        private Clock clock = Clock.systemUTC();
        private @Nullable ScheduledExecutorService scheduler;
        private @Nullable WriterLease writer;
        private @Nullable Replication replication;
        private boolean allowEmptySources;

        private Builder(Repository repository) {
            this.repository = Objects.requireNonNull(repository, "repository");
        }

        /**
         * Adds a source.
         *
         * @param source the source
         * @return this builder
         */
        public Builder source(SnapshotSource source) {
            sources.add(Objects.requireNonNull(source, "source"));
            return this;
        }

        /**
         * Adds sources.
         *
         * @param values the sources
         * @return this builder
         */
        public Builder sources(List<? extends SnapshotSource> values) {
            values.forEach(this::source);
            return this;
        }

        /**
         * Sets when backups run; without a schedule, backups run only through {@link #backupNow}.
         *
         * @param value the schedule
         * @return this builder
         */
        public Builder schedule(BackupSchedule value) {
            this.schedule = Objects.requireNonNull(value, "schedule");
            return this;
        }

        /**
         * Sets the wait before the first scheduled backup, instead of the schedule's first run.
         *
         * @param value the wait, >= 0
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} for a negative wait
         */
        public Builder initialDelay(Duration value) {
            Objects.requireNonNull(value, "initialDelay");
            if (value.isNegative()) {
                throw DrException.invalidArgument("initialDelay", "must be >= 0", value);
            }
            this.initialDelay = value;
            return this;
        }

        /**
         * Sets the choice of full or incremental; {@link #DEFAULT_STRATEGY} by default.
         *
         * @param value the strategy
         * @return this builder
         */
        public Builder strategy(BackupStrategy value) {
            this.strategy = Objects.requireNonNull(value, "strategy");
            return this;
        }

        /**
         * Sets the retention applied after each backup; {@link #DEFAULT_RETENTION} by default.
         * Snapshots tagged {@link #ON_DEMAND_TAG} are kept whatever the policy says.
         *
         * @param value the policy
         * @return this builder
         */
        public Builder retention(RetentionPolicy value) {
            this.retention = Objects.requireNonNull(value, "retention");
            return this;
        }

        /**
         * Keeps every snapshot: no retention after backups.
         *
         * @return this builder
         */
        public Builder keepEverything() {
            this.retention = null;
            return this;
        }

        /**
         * Sets the recovery point objective; {@link #DEFAULT_RPO} by default.
         *
         * @param value the objective, > 0
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} when not positive
         */
        public Builder rpo(Duration value) {
            Objects.requireNonNull(value, "rpo");
            if (value.isNegative() || value.isZero()) {
                throw DrException.invalidArgument("rpo", "must be > 0", value);
            }
            this.rpo = value;
            return this;
        }

        /**
         * Sets the clock; the system's UTC clock by default.
         *
         * @param value the clock
         * @return this builder
         */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * Sets the scheduler the backups run on; by default one daemon thread that
         * {@link ScheduledBackups#close()} shuts down. A given scheduler is left running.
         *
         * @param value the scheduler
         * @return this builder
         */
        public Builder scheduler(ScheduledExecutorService value) {
            this.scheduler = Objects.requireNonNull(value, "scheduler");
            return this;
        }

        /**
         * Runs the scheduled backups and their retention only on the holder of a writer lease,
         * so that a fleet of instances backs up once per schedule: the other instances skip
         * each run (counted in {@link ScheduledBackups#skippedRuns()}) and take the writer's
         * newest snapshot as theirs for the RPO. A run pins the token of the holding it started
         * under; open the repository on a {@link FencedStore} of
         * the same lease so that a holder that was paused past its lease cannot commit.
         * {@link ScheduledBackups#backupNow} is not gated: an operator's backup runs anywhere.
         *
         * @param value the writer lease, campaigning already
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} when set twice
         */
        public Builder writer(WriterLease value) {
            Objects.requireNonNull(value, "writer");
            if (writer != null) {
                throw new DrException(ErrorCode.INVALID_ARGUMENT, "writer is set twice", "writer");
            }
            this.writer = value;
            return this;
        }

        /**
         * Lets a source that comes out empty be saved although the previous snapshot held
         * entries in it; by default such a backup fails and saves nothing (see
         * {@link BackupRequest.Builder#allowEmptySources}), which the health shows as the last
         * error, so that an unmounted volume does not replace the good snapshots under retention.
         *
         * @param value true to save empty sources
         * @return this builder
         */
        public Builder allowEmptySources(boolean value) {
            this.allowEmptySources = value;
            return this;
        }

        /**
         * Copies every backup, scheduled or on demand, to the secondaries of a replication
         * before the backup returns (see {@link Replication#backup}): the primary is backed up,
         * then every snapshot a secondary lacks is copied to it, then retention runs on the
         * primary. A secondary that fails is logged and counted
         * ({@link ScheduledBackups#lastReplicationError()}), never failing the backup.
         *
         * @param value the replication, whose primary is this builder's repository
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} naming {@code replication} when its primary
         *     is another repository, or when set twice
         */
        public Builder replication(Replication value) {
            requirePrimary(value, repository);
            if (replication != null) {
                throw new DrException(ErrorCode.INVALID_ARGUMENT, "replication is set twice", "replication");
            }
            this.replication = value;
            return this;
        }

        /**
         * Builds the service; reads the repository's snapshots to go on from the newest one.
         *
         * @return the service, not yet started
         * @throws DrException {@code INVALID_ARGUMENT} for two sources of one name; a repository failure
         */
        public ScheduledBackups build() {
            List<String> names = new ArrayList<>();
            for (SnapshotSource s : sources) {
                if (names.contains(s.name())) {
                    throw DrException.invalidArgument("sources", "must have distinct names", s.name());
                }
                names.add(s.name());
            }
            return new ScheduledBackups(this);
        }
    }
}
