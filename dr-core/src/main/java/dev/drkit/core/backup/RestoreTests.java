package dev.drkit.core.backup;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.Ticker;
import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.api.audit.AuditSink;
import dev.drkit.api.backup.RestoreValidator;
import dev.drkit.api.backup.RestoredSnapshot;
import dev.drkit.api.backup.ValidationResult;
import dev.drkit.api.health.ProbeResult;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RestoreOptions;
import dev.drkit.core.repository.RestoreResult;
import dev.drkit.core.repository.Snapshot;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proves that backups restore: a restore test restores the latest (or a sampled) snapshot
 * into a sandbox, runs the {@link RestoreValidator}s over it, measures the restore's time as
 * the RTO a real restore would need, records the result in the audit log
 * ({@code restore.test}) and as {@code dr.restore.test.*} meters, and deletes the sandbox.
 * The live data is never touched: the sandbox is a new directory under the configured root.
 *
 * <pre>{@code
 * RestoreTests tests = RestoreTests.builder(repository)
 *         .sandbox(Path.of("/var/tmp/dr-restore-tests"))
 *         .validator(RestoreValidators.rowCount("orders/ledger.csv", 1, 1000))
 *         .schedule(BackupSchedule.every(Duration.ofDays(1)))
 *         .maxAge(Duration.ofDays(2))
 *         .build();
 * tests.start();
 * }</pre>
 *
 * <p>Thread-safe; tests run one at a time. Time comes from the injected {@link Clock} and
 * {@link Ticker}, runs from the injected {@link ScheduledExecutorService}.
 */
public final class RestoreTests implements AutoCloseable {
    /** How old the last passing test may be before {@link #health()} is DOWN, unless set: eight days. */
    public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(8);
    /** The audit action of a restore test. */
    public static final String AUDIT_ACTION = "restore.test";

    private static final Logger LOG = LoggerFactory.getLogger(RestoreTests.class);

    private final Repository repository;
    private final List<RestoreValidator> validators;
    private final Path sandboxRoot;
    private final @Nullable RandomGenerator sampler;
    private final @Nullable BackupSchedule schedule;
    private final @Nullable Duration initialDelay;
    private final Duration maxAge;
    private final Clock clock;
    private final Ticker ticker;
    private final @Nullable ScheduledExecutorService scheduler;
    private final @Nullable AuditSink audit;
    private final String actor;
    private final Instant createdAt;
    private final Object lock = new Object();
    private final @Nullable Counter passedRuns;
    private final @Nullable Counter failedRuns;
    private final @Nullable Timer restoreTimer;
    private @Nullable RestoreTestResult last;
    private @Nullable Instant lastPassedAt;
    private @Nullable ScheduledFuture<?> pending;
    private @Nullable Instant nextRun;
    private boolean started;
    private boolean closed;

    private RestoreTests(Builder b) {
        this.repository = b.repository;
        this.validators = List.copyOf(b.validators);
        this.sandboxRoot = b.sandbox != null ? b.sandbox : Path.of(System.getProperty("java.io.tmpdir"),
                "dr-restore-tests");
        this.sampler = b.sampler;
        this.schedule = b.schedule;
        this.initialDelay = b.initialDelay;
        this.maxAge = b.maxAge;
        this.clock = b.clock;
        this.ticker = b.ticker;
        this.scheduler = b.scheduler;
        this.audit = b.audit;
        this.actor = b.actor;
        this.createdAt = clock.instant();
        MeterRegistry meters = b.meters;
        if (meters != null) {
            passedRuns = Counter.builder("dr.restore.test.runs").tag("outcome", "passed")
                    .description("Restore tests run, by outcome").register(meters);
            failedRuns = Counter.builder("dr.restore.test.runs").tag("outcome", "failed")
                    .description("Restore tests run, by outcome").register(meters);
            restoreTimer = Timer.builder("dr.restore.test.duration")
                    .description("How long the restore of a restore test took: the projected RTO").register(meters);
            Gauge.builder("dr.restore.test.projected.rto", this, t -> t.last().map(r -> seconds(r.restoreTime()))
                    .orElse(Double.NaN)).baseUnit("seconds")
                    .description("The restore time of the last restore test").register(meters);
            Gauge.builder("dr.restore.test.age", this, t -> t.lastPassedAt().map(at -> seconds(Duration.between(at,
                    t.clock.instant()))).orElse(Double.NaN)).baseUnit("seconds")
                    .description("Time since the last passing restore test").register(meters);
            Gauge.builder("dr.restore.test.last.passed", this, t -> t.last().map(r -> r.passed() ? 1.0 : 0.0)
                    .orElse(Double.NaN)).description("1 when the last restore test passed, 0 when it failed")
                    .register(meters);
        } else {
            passedRuns = null;
            failedRuns = null;
            restoreTimer = null;
        }
    }

    /**
     * Starts a builder over a repository.
     *
     * @param repository the repository whose snapshots are tested
     * @return the builder
     */
    public static Builder builder(Repository repository) {
        return new Builder(repository);
    }

    /**
     * Schedules the first test; without a schedule nothing is scheduled.
     *
     * @throws DrException {@code ILLEGAL_STATE} when already started or closed, or when a
     *     schedule was given without a scheduler
     */
    public void start() {
        synchronized (lock) {
            if (started || closed) {
                throw new DrException(ErrorCode.ILLEGAL_STATE, "restore tests were " + (closed ? "closed" : "started")
                        + " already", "restore-tests");
            }
            started = true;
            if (schedule != null) {
                if (scheduler == null) {
                    throw new DrException(ErrorCode.ILLEGAL_STATE, "scheduled restore tests need a scheduler",
                            "scheduler");
                }
                Instant now = clock.instant();
                scheduleAt(initialDelay != null ? Optional.of(now.plus(initialDelay)) : schedule.next(now));
            }
        }
    }

    /**
     * Runs a restore test now, of the latest snapshot or, when sampling, of a random one.
     *
     * @return the result; a failure is a result, not an exception
     */
    public RestoreTestResult runNow() {
        return run(null);
    }

    /**
     * Runs a restore test of one snapshot now.
     *
     * @param snapshotId the snapshot's id, unique prefix or {@code latest}
     * @return the result; a failure (an unknown snapshot too) is a result, not an exception
     */
    public RestoreTestResult runNow(String snapshotId) {
        return run(Objects.requireNonNull(snapshotId, "snapshotId"));
    }

    private RestoreTestResult run(@Nullable String requested) {
        synchronized (lock) {
            Instant startedAt = clock.instant();
            Snapshot snapshot;
            try {
                snapshot = choose(requested);
            } catch (RuntimeException e) {
                return record(new RestoreTestResult(null, null, startedAt, Duration.ZERO, 0, 0, List.of(), false,
                        "no snapshot to test: " + e.getMessage()));
            }
            Path sandbox;
            try {
                Files.createDirectories(sandboxRoot);
                sandbox = Files.createTempDirectory(sandboxRoot, "restore-test-" + snapshot.shortId() + "-")
                        .toRealPath();
            } catch (IOException e) {
                return record(new RestoreTestResult(snapshot.id(), snapshot.time(), startedAt, Duration.ZERO, 0, 0,
                        List.of(), false, "cannot make a sandbox under " + sandboxRoot + ": " + e.getMessage()));
            }
            try {
                long t0 = ticker.read();
                RestoreResult restored;
                try {
                    restored = repository.restore(snapshot.id(), sandbox, RestoreOptions.all());
                } catch (RuntimeException e) {
                    return record(new RestoreTestResult(snapshot.id(), snapshot.time(), startedAt,
                            Duration.ofNanos(ticker.read() - t0), 0, 0, List.of(), false,
                            "the restore failed: " + e.getMessage()));
                }
                Duration took = Duration.ofNanos(ticker.read() - t0);
                RestoredSnapshot view = new RestoredSnapshot(snapshot.id(), snapshot.time(), snapshot.sources(), sandbox,
                        restored.files(), restored.bytes());
                List<RestoreTestResult.Check> checks = new ArrayList<>();
                String reason = "";
                for (RestoreValidator v : validators) {
                    RestoreTestResult.Check c = check(v, view);
                    checks.add(c);
                    if (!c.passed() && reason.isEmpty()) {
                        reason = "validator " + c.validator() + " failed: " + c.detail();
                    }
                }
                return record(new RestoreTestResult(snapshot.id(), snapshot.time(), startedAt, took, restored.files(),
                        restored.bytes(), checks, reason.isEmpty(), reason));
            } finally {
                delete(sandbox);
            }
        }
    }

    private Snapshot choose(@Nullable String requested) {
        if (requested != null) {
            return repository.snapshot(requested);
        }
        List<Snapshot> all = repository.snapshots();
        if (all.isEmpty()) {
            throw new DrException(ErrorCode.NOT_FOUND, "the repository has no snapshots", "snapshots");
        }
        if (sampler != null) {
            return all.get(sampler.nextInt(all.size()));
        }
        return all.stream().max(Comparator.comparing(Snapshot::time)).orElseThrow();
    }

    private static RestoreTestResult.Check check(RestoreValidator v, RestoredSnapshot view) {
        String name;
        try {
            name = v.name();
        } catch (RuntimeException e) {
            name = v.getClass().getName();
        }
        try {
            ValidationResult r = v.validate(view);
            if (r == null) {
                return new RestoreTestResult.Check(name, false, "the validator returned no result");
            }
            return new RestoreTestResult.Check(name, r.passed(), r.detail());
        } catch (Exception e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return new RestoreTestResult.Check(name, false, message);
        }
    }

    private RestoreTestResult record(RestoreTestResult r) {
        last = r;
        if (r.passed()) {
            lastPassedAt = r.startedAt();
        }
        if (passedRuns != null && failedRuns != null && restoreTimer != null) {
            (r.passed() ? passedRuns : failedRuns).increment();
            if (r.snapshotId() != null && !r.restoreTime().isZero()) {
                restoreTimer.record(r.restoreTime());
            }
        }
        if (audit != null) {
            Map<String, String> d = new LinkedHashMap<>();
            d.put("projectedRto", r.restoreTime().toString());
            d.put("files", Long.toString(r.files()));
            d.put("bytes", Long.toString(r.bytes()));
            if (r.snapshotTime() != null) {
                d.put("snapshotTime", r.snapshotTime().toString());
            }
            for (RestoreTestResult.Check c : r.checks()) {
                d.put("validator." + c.validator(), (c.passed() ? "passed: " : "FAILED: ") + c.detail());
            }
            if (!r.reason().isEmpty()) {
                d.put("reason", r.reason());
            }
            try {
                audit.append(new AuditEvent(clock.instant(), actor, AUDIT_ACTION, r.snapshotId() == null ? "-"
                        : r.snapshotId(), r.passed() ? AuditOutcome.SUCCESS : AuditOutcome.FAILURE, d));
            } catch (RuntimeException e) {
                LOG.warn("cannot write the audit record of a restore test: {}", e.getMessage());
            }
        }
        if (r.passed()) {
            LOG.info("DR restore test of snapshot {} passed: {} files restored in {}", r.snapshotId(), r.files(),
                    r.restoreTime());
        } else {
            LOG.warn("DR restore test failed: {}", r.reason());
        }
        return r;
    }

    private static void delete(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warn("cannot delete the restore test's sandbox {}: {}", dir, e.getMessage());
        }
    }

    private void runScheduled() {
        try {
            synchronized (lock) {
                if (closed) {
                    return;
                }
            }
            runNow();
        } catch (RuntimeException e) {
            LOG.warn("DR restore test failed to run: {}", e.getMessage());
        } finally {
            synchronized (lock) {
                BackupSchedule s = schedule;
                if (!closed && s != null) {
                    scheduleAt(s.next(clock.instant()));
                }
            }
        }
    }

    private void scheduleAt(Optional<Instant> at) {
        ScheduledExecutorService s = scheduler;
        if (at.isEmpty() || closed || s == null) {
            nextRun = null;
            return;
        }
        nextRun = at.get();
        long delay = Math.max(0, Duration.between(clock.instant(), at.get()).toMillis());
        try {
            pending = s.schedule(this::runScheduled, delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            nextRun = null;
        }
    }

    /**
     * Returns the last test's result.
     *
     * @return the result, or empty before the first test
     */
    public Optional<RestoreTestResult> last() {
        synchronized (lock) {
            return Optional.ofNullable(last);
        }
    }

    /**
     * Returns when the last passing test started.
     *
     * @return the instant, or empty when none passed
     */
    public Optional<Instant> lastPassedAt() {
        synchronized (lock) {
            return Optional.ofNullable(lastPassedAt);
        }
    }

    /**
     * Returns when the next scheduled test runs.
     *
     * @return the instant, or empty when none is scheduled
     */
    public Optional<Instant> nextRun() {
        synchronized (lock) {
            return Optional.ofNullable(nextRun);
        }
    }

    /**
     * Returns how old the last passing test may be before {@link #health()} is DOWN.
     *
     * @return the maximum age
     */
    public Duration maxAge() {
        return maxAge;
    }

    /**
     * Says whether restores are proven: DOWN when the last test failed, or when no test passed
     * within {@link #maxAge()} (counted from creation while none has run); DEGRADED while no
     * test has run yet; UP otherwise.
     *
     * @return the verdict with its reason
     */
    public ProbeResult health() {
        synchronized (lock) {
            Instant now = clock.instant();
            RestoreTestResult r = last;
            if (r != null && !r.passed()) {
                return ProbeResult.down("the last restore test failed: " + r.reason());
            }
            if (r == null) {
                Duration waited = Duration.between(createdAt, now);
                return waited.compareTo(maxAge) > 0 ? ProbeResult.down("no restore test has run in " + waited
                        + " (max age " + maxAge + ")") : ProbeResult.degraded("no restore test has run yet");
            }
            Duration age = Duration.between(r.startedAt(), now);
            if (age.compareTo(maxAge) > 0) {
                return ProbeResult.down("the last restore test is " + age + " old (max age " + maxAge + ")");
            }
            return ProbeResult.up("snapshot " + r.snapshotId() + " restored in " + r.restoreTime() + ", "
                    + r.checks().size() + " validators passed, " + age + " ago");
        }
    }

    /** Cancels the next test and lets a running one finish. */
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
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    /** Builds {@link RestoreTests}. */
    public static final class Builder {
        private final Repository repository;
        private final List<RestoreValidator> validators = new ArrayList<>();
        private @Nullable Path sandbox;
        private @Nullable RandomGenerator sampler;
        private @Nullable BackupSchedule schedule;
        private @Nullable Duration initialDelay;
        private Duration maxAge = DEFAULT_MAX_AGE;
        private Clock clock = Clock.systemUTC();
        private Ticker ticker = Ticker.system();
        private @Nullable ScheduledExecutorService scheduler;
        private @Nullable AuditSink audit;
        private @Nullable MeterRegistry meters;
        private String actor = "restore-test";

        private Builder(Repository repository) {
            this.repository = Objects.requireNonNull(repository, "repository");
        }

        /**
         * Adds a validator; they run in the order added.
         *
         * @param validator the validator
         * @return this builder
         */
        public Builder validator(RestoreValidator validator) {
            validators.add(Objects.requireNonNull(validator, "validator"));
            return this;
        }

        /**
         * Adds validators; they run in the order given.
         *
         * @param values the validators
         * @return this builder
         */
        public Builder validators(List<? extends RestoreValidator> values) {
            values.forEach(this::validator);
            return this;
        }

        /**
         * Sets the directory under which each test makes its sandbox (default: {@code dr-restore-tests}
         * in the temporary directory). It must not hold live data.
         *
         * @param root the directory
         * @return this builder
         */
        public Builder sandbox(Path root) {
            this.sandbox = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
            return this;
        }

        /**
         * Tests a snapshot drawn at random instead of the latest, so that old snapshots are proven too.
         *
         * @param random the source of the draws
         * @return this builder
         */
        public Builder sample(RandomGenerator random) {
            this.sampler = Objects.requireNonNull(random, "random");
            return this;
        }

        /**
         * Sets when tests run after {@link RestoreTests#start()}.
         *
         * @param value the schedule
         * @return this builder
         */
        public Builder schedule(BackupSchedule value) {
            this.schedule = Objects.requireNonNull(value, "schedule");
            return this;
        }

        /**
         * Sets the wait before the first scheduled test (by default the schedule's first time).
         *
         * @param value a duration >= 0
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} when negative
         */
        public Builder initialDelay(Duration value) {
            if (value.isNegative()) {
                throw DrException.invalidArgument("initialDelay", "must be >= 0", value);
            }
            this.initialDelay = value;
            return this;
        }

        /**
         * Sets how old the last passing test may be before the health is DOWN.
         *
         * @param value a positive duration
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} when not positive
         */
        public Builder maxAge(Duration value) {
            if (value.isNegative() || value.isZero()) {
                throw DrException.invalidArgument("maxAge", "must be > 0", value);
            }
            this.maxAge = value;
            return this;
        }

        /**
         * Sets the clock of the results and the health.
         *
         * @param value the clock
         * @return this builder
         */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * Sets the ticker that times restores.
         *
         * @param value the ticker
         * @return this builder
         */
        public Builder ticker(Ticker value) {
            this.ticker = Objects.requireNonNull(value, "ticker");
            return this;
        }

        /**
         * Sets the scheduler of scheduled tests; the caller owns and shuts it down.
         *
         * @param value the scheduler
         * @return this builder
         */
        public Builder scheduler(ScheduledExecutorService value) {
            this.scheduler = Objects.requireNonNull(value, "scheduler");
            return this;
        }

        /**
         * Records every test in an audit log.
         *
         * @param value the log
         * @return this builder
         */
        public Builder audit(AuditSink value) {
            this.audit = Objects.requireNonNull(value, "audit");
            return this;
        }

        /**
         * Registers the {@code dr.restore.test.*} meters.
         *
         * @param value the registry
         * @return this builder
         */
        public Builder meterRegistry(MeterRegistry value) {
            this.meters = Objects.requireNonNull(value, "meterRegistry");
            return this;
        }

        /**
         * Sets who the audit records name (default {@code restore-test}).
         *
         * @param value the actor
         * @return this builder
         */
        public Builder actor(String value) {
            this.actor = Objects.requireNonNull(value, "actor");
            return this;
        }

        /**
         * Builds the restore tests; nothing runs until {@link RestoreTests#start()} or {@link RestoreTests#runNow()}.
         *
         * @return the restore tests
         */
        public RestoreTests build() {
            return new RestoreTests(this);
        }
    }
}
