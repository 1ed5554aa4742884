package dev.drkit.spring;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.backup.BackupStrategy;
import dev.drkit.api.backup.RetentionPolicy;
import dev.drkit.api.recovery.RecoveryObjectives;
import dev.drkit.api.store.RedactedUri;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.audit.AuditLog;
import dev.drkit.core.audit.AuditLogConfig;
import dev.drkit.core.audit.AuditVerification;
import dev.drkit.core.audit.AuditVerifier;
import dev.drkit.core.backup.BackupSchedule;
import dev.drkit.core.backup.ScheduledBackups;
import dev.drkit.core.coordination.CoordinatorConfig;
import dev.drkit.core.repository.KdfParams;
import dev.drkit.core.rollback.GuardConfig;
import dev.drkit.core.rollback.RollbackConfig;
import dev.drkit.core.rollback.RollbackConfigJson;
import dev.drkit.core.store.SnapshotStores;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.core.env.Environment;
import org.springframework.scheduling.support.CronExpression;

/**
 * The {@code dr.*} properties turned into the core's model at start-up: the guards' {@link
 * RollbackConfig}, the key derivation's cost, the backup schedule, strategy and retention, the
 * plans' objectives and the audit log's settings. The core checks each value once; a wrong one
 * stops the application with a message that names the property in kebab-case, with the file and
 * line it was set in when Spring knows them. So does a {@code dr.*} property that does not
 * exist (with the nearest one that does), a backup source that cannot be read, and backup
 * sources without a schedule.
 */
public final class DrSettings {
    /** Guard settings the starter takes in the short form of its first versions. */
    private static final Map<String, String> GUARD_ALIASES = Map.of("steps", "plan.steps", "min-calls",
            "plan.min-calls", "min-duration", "plan.min-duration", "judge.baseline", "judge.baseline-source");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,127}");
    /** The shortest backup interval: a bare number in the properties is milliseconds, rarely meant. */
    private static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
    private static final Pattern PROBE_BEANS = Pattern.compile("probes(?:\\[\\d+]|\\.\\d+)?");
    /**
     * The duration settings without a lower limit of their own, where a bare number under 1000
     * (milliseconds to Spring) is nearly always seconds meant.
     */
    private static final List<String> DURATIONS = List.of("dr.backup.schedule.initial-delay",
            "dr.backup.restore-test.initial-delay", "dr.backup.restore-test.max-age",
            "dr.backup.continuous.flush-interval", "dr.backup.continuous.stable-for",
            "dr.backup.continuous.compact-every", "dr.backup.continuous.rpo", "dr.backup.continuous.heartbeat-every",
            "dr.backup.retention.keep-within", "dr.console.refresh", "dr.coordination.ttl",
            "dr.coordination.renew-interval", "dr.coordination.poll-interval", "dr.coordination.connect-timeout",
            "dr.security.login-window", "dr.postgres.flush-interval", "dr.postgres.base-backup-interval",
            "dr.postgres.restart-delay");
    private static final Pattern BARE_NUMBER = Pattern.compile("\\s*\\d+\\s*");

    private final DrProperties properties;
    private final PropertyOrigins origins;
    private final RollbackConfig guards;
    private final Map<String, List<String>> probeBeans = new LinkedHashMap<>();
    private final KdfParams kdf;
    private final RetentionPolicy retention;
    private final @Nullable BackupSchedule schedule;
    private final BackupStrategy strategy;
    private final Map<String, RecoveryObjectives> plans = new LinkedHashMap<>();
    private final AuditLogConfig audit;
    private final CoordinatorConfig coordination;
    private final String group;

    /**
     * Checks the properties and converts them.
     *
     * @param properties the bound properties
     * @param environment where they came from, for unknown names and origins; null to skip those
     * @throws DrException {@code INVALID_CONFIG} naming the first wrong property
     */
    public DrSettings(DrProperties properties, @Nullable Environment environment) {
        this.properties = properties;
        this.origins = new PropertyOrigins(environment);
        UnknownProperties.reject(origins);
        refuseBareMilliseconds(properties);
        DrProperties.Repository repository = properties.repository();
        checkRepository(repository);
        checkReplication(properties.replication(), repository);
        DrProperties.Kdf k = repository.kdf();
        this.kdf = origins.check("dr.repository.kdf", () -> new KdfParams(k.memoryKib(), k.iterations(),
                k.parallelism()));
        DrProperties.Backup backup = properties.backup();
        this.retention = retention(backup.retention());
        this.schedule = schedule(backup.schedule());
        int fullEvery = backup.schedule().fullEvery();
        if (fullEvery < 1) {
            throw origins.invalid("dr.backup.schedule.full-every", "must be >= 1", fullEvery);
        }
        this.strategy = BackupStrategy.fullEvery(fullEvery - 1);
        checkBackup(backup, repository);
        checkConsole(properties.console());
        this.guards = origins.check("dr.guards", () -> RollbackConfigJson.fromProperties("dr.guards",
                guardSettings(properties.guards())));
        properties.plans().forEach((name, plan) -> plans.put(name, origins.check("dr.plans." + name,
                () -> new RecoveryObjectives(plan.rto(), plan.rpo()))));
        DrProperties.Audit a = properties.audit();
        byte @Nullable [] key = auditKey(a);
        try {
            this.audit = origins.check("dr.audit", () -> {
                AuditLogConfig.Builder b = AuditLogConfig.builder().durability(a.durability())
                        .digestEvery(a.digestEvery());
                if (key != null) {
                    b.hmacKey(key);
                }
                return b.build();
            });
        } finally {
            if (key != null) {
                Arrays.fill(key, (byte) 0);
            }
        }
        if (a.file() != null && Files.isDirectory(a.file())) {
            throw origins.invalid("dr.audit.file", "must be a file, not a directory", a.file());
        }
        this.coordination = coordination(properties.coordination());
        String app = environment == null ? null : environment.getProperty("spring.application.name");
        String g = properties.coordination().group();
        this.group = g != null ? origins.check("dr.coordination", () -> CoordinatorConfig.requireName("group", g))
                : app != null && NAME.matcher(app).matches() ? app : "dr";
        DrProperties.Alertmanager am = properties.alertmanager();
        if (!am.path().startsWith("/")) {
            throw origins.invalid("dr.alertmanager.path", "must start with '/'", "'" + am.path() + "'");
        }
        if (am.enabled() && (am.token() == null || am.token().isBlank())) {
            throw origins.invalid("dr.alertmanager.token", "must be set when dr.alertmanager.enabled is true", null);
        }
    }

    /**
     * Reads the key in {@code dr.audit.key-file} as the CLI's {@code --key-file} does: the whole
     * file, at least one byte. The key itself never appears in a message.
     */
    private byte @Nullable [] auditKey(DrProperties.Audit a) {
        Path keyFile = a.keyFile();
        if (keyFile == null) {
            return null;
        }
        if (a.file() == null) {
            throw origins.invalid("dr.audit.key-file", "keys the audit log of dr.audit.file; set dr.audit.file too",
                    null);
        }
        byte[] key;
        try {
            key = Files.readAllBytes(keyFile);
        } catch (NoSuchFileException e) {
            throw origins.invalid("dr.audit.key-file", "does not exist", keyFile.toAbsolutePath());
        } catch (AccessDeniedException e) {
            throw origins.invalid("dr.audit.key-file", "cannot be read (permission denied)", keyFile.toAbsolutePath());
        } catch (IOException e) {
            throw origins.invalid("dr.audit.key-file", "cannot be read (" + e.getMessage() + ")",
                    keyFile.toAbsolutePath());
        }
        if (key.length == 0) {
            throw origins.invalid("dr.audit.key-file", "is empty: an HMAC key needs at least one byte",
                    keyFile.toAbsolutePath());
        }
        return key;
    }

    /**
     * Refuses an existing audit log that was not written with the key of {@code dr.audit.key-file}
     * (written unkeyed, or with another key), and an HMAC-keyed log when {@code dr.audit.key-file}
     * is not set: records appended with another key, or with none, would break its chain. The
     * starter calls this before it opens the log, so nothing is appended to a refused log.
     *
     * @param file the audit log file of {@code dr.audit.file}
     * @throws DrException {@code INTEGRITY} naming {@code dr.audit.key-file} and the log (and the
     *     key file when set), when the log's first record does not verify with the key, or
     *     without one
     */
    public void checkAuditKey(Path file) {
        byte @Nullable [] key = audit.hmacKey();
        Path keyFile = properties.audit().keyFile();
        if (!Files.isRegularFile(file)) {
            if (key != null) {
                Arrays.fill(key, (byte) 0);
            }
            return;
        }
        try {
            String first;
            try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                first = r.readLine();
            } catch (IOException e) {
                return; // opening the log reports a log that cannot be read
            }
            if (first == null || first.isBlank()) {
                return;
            }
            // A key that is not the log's shows in its first record already: reading on would cost
            // a start-up as long as the log.
            AuditVerification v = AuditVerifier.verify(new StringReader(first + "\n"), key, null);
            if (v.keyMismatch() && (key == null || keyFile == null)) {
                throw new DrException(ErrorCode.INTEGRITY, "audit log " + file + " (dr.audit.file) is HMAC-keyed, "
                        + "but dr.audit.key-file is not set: records appended without its key would break its "
                        + "chain (" + v.problem() + "); nothing was appended. Set dr.audit.key-file to the file "
                        + "that holds the log's key, or set dr.audit.file to a new log"
                        + origins.at("dr.audit.file"), "dr.audit.key-file");
            }
            if (v.keyMismatch()) {
                throw new DrException(ErrorCode.INTEGRITY, "dr.audit.key-file " + keyFile.toAbsolutePath() + " is "
                        + "not the key audit log " + file + " (dr.audit.file) was written with: " + v.problem()
                        + "; nothing was appended. Give the log's own key, or set dr.audit.file to a new log"
                        + origins.at("dr.audit.key-file"), "dr.audit.key-file");
            }
        } finally {
            if (key != null) {
                Arrays.fill(key, (byte) 0);
            }
        }
    }

    /**
     * Opens the audit log of {@code dr.audit.file} with the {@code dr.audit.*} settings. A log
     * that another writer holds (another instance of the application given the same file, or
     * another {@link AuditLog} of this one) stops the application naming the property: one
     * writer per file keeps the chain whole.
     *
     * @param file the audit log file of {@code dr.audit.file}
     * @return the open log
     * @throws DrException {@code LOCKED} naming {@code dr.audit.file} and the log when another
     *     writer holds it; the other errors of {@link AuditLog#file(Path, AuditLogConfig)}
     */
    public AuditLog openAuditLog(Path file) {
        try {
            return AuditLog.file(file, audit);
        } catch (DrException e) {
            if (e.code() != ErrorCode.LOCKED) {
                throw e;
            }
            throw new DrException(ErrorCode.LOCKED, "audit log " + file + " (dr.audit.file) is written by another "
                    + "process, or another AuditLog of this one: one writer per file keeps the chain whole, so give "
                    + "each instance its own dr.audit.file" + origins.at("dr.audit.file") + " (" + e.getMessage()
                    + ")", "dr.audit.file", e);
        }
    }

    private CoordinatorConfig coordination(DrProperties.Coordination c) {
        if (c.uri() != null && c.uri().isBlank()) {
            throw origins.invalid("dr.coordination.uri", "must not be blank", "'" + c.uri() + "'");
        }
        requirePositive("dr.coordination.ttl", c.ttl());
        requirePositive("dr.coordination.poll-interval", c.pollInterval());
        requirePositive("dr.coordination.connect-timeout", c.connectTimeout());
        Duration renew = c.renewInterval();
        if (renew != null) {
            requirePositive("dr.coordination.renew-interval", renew);
            if (c.ttl().compareTo(renew) <= 0) {
                throw origins.invalid("dr.coordination.ttl", "must be longer than dr.coordination.renew-interval ("
                        + renew + "), so that a holder renews before its lease lapses", c.ttl());
            }
        }
        origins.check("dr.coordination", () -> CoordinatorConfig.requireName("lease", c.lease()));
        String memberId = c.memberId() != null ? c.memberId() : defaultMemberId();
        return origins.check("dr.coordination", () -> {
            CoordinatorConfig.Builder b = CoordinatorConfig.builder(memberId).ttl(c.ttl()).pollInterval(c.pollInterval());
            if (renew != null) {
                b.renewInterval(renew);
            }
            return b.build();
        });
    }

    private void requirePositive(String property, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw origins.invalid(property, "must be > 0", value);
        }
    }

    /** The host name and process id, such as {@code web-7f9c-4242}, kept to the characters member ids allow. */
    private static String defaultMemberId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "host";
        }
        String id = (host + "-" + ProcessHandle.current().pid()).replaceAll("[^A-Za-z0-9._@-]", "-");
        id = id.replaceFirst("^[^A-Za-z0-9]+", "");
        return id.length() > 128 ? id.substring(id.length() - 128).replaceFirst("^[^A-Za-z0-9]+", "") : id;
    }

    private void checkRepository(DrProperties.Repository repository) {
        String uri = repository.uri();
        if (uri != null && uri.isBlank()) {
            throw origins.invalid("dr.repository.uri", "must not be blank", "'" + uri + "'");
        }
        if (repository.password() != null && repository.passwordFile() != null) {
            throw origins.invalid("dr.repository.password", "and dr.repository.password-file must not both be set; "
                    + "keep one", null);
        }
        Path file = repository.passwordFile();
        if (file != null && !Files.isReadable(file)) {
            throw origins.invalid("dr.repository.password-file", "must be a readable file", file);
        }
    }

    private void checkReplication(DrProperties.Replication replication, DrProperties.Repository repository) {
        String uri = replication.uri();
        if (uri == null) {
            if (replication.password() != null || replication.passwordFile() != null || replication.initIfMissing()) {
                throw origins.invalid("dr.replication.uri", "must be set when other dr.replication.* properties "
                        + "are", null);
            }
            return;
        }
        if (uri.isBlank()) {
            throw origins.invalid("dr.replication.uri", "must not be blank", "'" + uri + "'");
        }
        if (uri.strip().equals(repository.uri() == null ? null : repository.uri().strip())) {
            throw origins.invalid("dr.replication.uri", "names the repository of dr.repository.uri itself; give "
                    + "another store", null);
        }
        if (replication.password() != null && replication.passwordFile() != null) {
            throw origins.invalid("dr.replication.password", "and dr.replication.password-file must not both be set; "
                    + "keep one", null);
        }
        Path file = replication.passwordFile();
        if (file != null && !Files.isReadable(file)) {
            throw origins.invalid("dr.replication.password-file", "must be a readable file", file);
        }
    }

    private void checkConsole(DrProperties.Console console) {
        if (!console.path().startsWith("/") || console.path().length() < 2 || console.path().endsWith("/")) {
            throw origins.invalid("dr.console.path", "must start with / and not end with /",
                    "'" + console.path() + "'");
        }
        if (console.refresh().isNegative() || console.refresh().isZero()) {
            throw origins.invalid("dr.console.refresh", "must be > 0", console.refresh());
        }
    }

    private void checkBackup(DrProperties.Backup backup, DrProperties.Repository repository) {
        Duration rpo = backup.rpo();
        if (rpo.isNegative() || rpo.isZero()) {
            throw origins.invalid("dr.backup.rpo", "must be > 0", rpo);
        }
        requireAtLeastOneSecond("dr.backup.rpo", rpo);
        DrProperties.RestoreTest restoreTest = backup.restoreTest();
        if (restoreTest.interval().isNegative() || restoreTest.interval().isZero()) {
            throw origins.invalid("dr.backup.restore-test.interval", "must be > 0", restoreTest.interval());
        }
        requireAtLeastOneSecond("dr.backup.restore-test.interval", restoreTest.interval());
        if (restoreTest.maxAge().isNegative() || restoreTest.maxAge().isZero()) {
            throw origins.invalid("dr.backup.restore-test.max-age", "must be > 0", restoreTest.maxAge());
        }
        if (restoreTest.initialDelay().isNegative()) {
            throw origins.invalid("dr.backup.restore-test.initial-delay", "must be >= 0", restoreTest.initialDelay());
        }
        if (backup.schedule().initialDelay().isNegative()) {
            throw origins.invalid("dr.backup.schedule.initial-delay", "must be >= 0", backup.schedule().initialDelay());
        }
        List<Path> sources = backup.sources();
        if (sources.isEmpty()) {
            return;
        }
        if (repository.uri() == null) {
            throw origins.invalid("dr.backup.sources", "need dr.repository.uri to be set", sources);
        }
        if (schedule == null) {
            throw origins.invalid("dr.backup.sources", "are set but no backup is scheduled: set "
                    + "dr.backup.schedule.interval (such as 15m) or dr.backup.schedule.cron", null);
        }
    }

    /**
     * Checks that every backup source exists and can be read. The starter calls this when the
     * backups start, after the application's own beans had the chance to create their directories.
     *
     * @throws DrException {@code INVALID_CONFIG} naming {@code dr.backup.sources[i]}, with its origin
     */
    public void checkSources() {
        List<Path> sources = properties.backup().sources();
        for (int i = 0; i < sources.size(); i++) {
            Path p = sources.get(i);
            if (!Files.exists(p)) {
                throw origins.invalid("dr.backup.sources[" + i + "]", "does not exist", p.toAbsolutePath());
            }
            if (!Files.isReadable(p)) {
                throw origins.invalid("dr.backup.sources[" + i + "]", "cannot be read", p.toAbsolutePath());
            }
        }
    }

    private RetentionPolicy retention(DrProperties.Retention r) {
        if (r.isEmpty() && r.groupBy() == null) {
            return ScheduledBackups.DEFAULT_RETENTION;
        }
        return origins.check("dr.backup.retention", () -> {
            Set<RetentionPolicy.GroupBy> groups = r.groupBy() == null ? RetentionPolicy.DEFAULT_GROUP_BY
                    : RetentionPolicy.GroupBy.parse(r.groupBy());
            if (r.isEmpty()) {
                RetentionPolicy d = ScheduledBackups.DEFAULT_RETENTION;
                return new RetentionPolicy(d.keepLast(), d.keepHourly(), d.keepDaily(), d.keepWeekly(),
                        d.keepMonthly(), d.keepYearly(), d.keepWithin(), d.keepTags(), groups);
            }
            RetentionPolicy.Builder b = RetentionPolicy.builder().groupBy(groups);
            Optional.ofNullable(r.keepLast()).ifPresent(b::keepLast);
            Optional.ofNullable(r.keepHourly()).ifPresent(b::keepHourly);
            Optional.ofNullable(r.keepDaily()).ifPresent(b::keepDaily);
            Optional.ofNullable(r.keepWeekly()).ifPresent(b::keepWeekly);
            Optional.ofNullable(r.keepMonthly()).ifPresent(b::keepMonthly);
            Optional.ofNullable(r.keepYearly()).ifPresent(b::keepYearly);
            Duration within = r.keepWithin();
            if (within != null && (within.isZero() || within.isNegative())) {
                throw DrException.invalidArgument("keepWithin", "must be > 0", within);
            }
            Optional.ofNullable(within).ifPresent(b::keepWithin);
            return b.build();
        });
    }

    private @Nullable BackupSchedule schedule(DrProperties.Schedule s) {
        String cron = s.cron();
        Duration interval = s.interval();
        if (cron != null && interval != null) {
            throw origins.invalid("dr.backup.schedule.cron", "and dr.backup.schedule.interval must not both be set",
                    cron);
        }
        if (cron != null) {
            if (!CronExpression.isValidExpression(cron)) {
                throw origins.invalid("dr.backup.schedule.cron", "must be a cron expression of six fields",
                        "'" + cron + "'");
            }
            CronExpression expression = CronExpression.parse(cron);
            ZoneId zone = ZoneId.systemDefault();
            return now -> Optional.ofNullable(expression.next(now.atZone(zone))).map(ZonedDateTime::toInstant);
        }
        if (interval != null) {
            requireAtLeastOneSecond("dr.backup.schedule.interval", interval);
        }
        return interval == null ? null : origins.check("dr.backup.schedule", () -> BackupSchedule.every(interval));
    }

    /**
     * Refuses a duration under one second, which in these settings is nearly always a bare
     * number that Spring read as milliseconds.
     */
    private void requireAtLeastOneSecond(String property, Duration value) {
        if (value.compareTo(MIN_INTERVAL) < 0) {
            Object raw = origins.rawValue(property);
            throw origins.invalid(property, "must be at least 1s (a bare number means milliseconds: write 15m or "
                    + "15s)", raw == null || raw.toString().equals(value.toString())
                            ? value : raw + " (" + value.toMillis() + " ms)");
        }
    }

    /**
     * Refuses a duration written as a bare number from 1 to 999: Spring reads it as milliseconds,
     * so {@code dr.coordination.ttl=15} would be a 15 ms lease. A unit says what is meant
     * ({@code 15s}, or {@code 15ms} when milliseconds are).
     */
    private void refuseBareMilliseconds(DrProperties properties) {
        List<String> names = new ArrayList<>(DURATIONS);
        properties.plans().keySet().forEach(plan -> {
            names.add("dr.plans." + plan + ".rto");
            names.add("dr.plans." + plan + ".rpo");
        });
        for (String name : names) {
            Object raw = origins.rawValue(name);
            if (raw == null || !BARE_NUMBER.matcher(raw.toString()).matches()) {
                continue;
            }
            long millis = Long.parseLong(raw.toString().trim());
            if (millis > 0 && millis < MIN_INTERVAL.toMillis()) {
                throw origins.invalid(name, "is a bare number, which means milliseconds: write " + millis + "s, or "
                        + millis + "ms if milliseconds are meant", raw + " (" + millis + " ms)");
            }
        }
    }

    /** Takes out the probe bean names and spells the short forms out, leaving the core's settings. */
    private Map<String, Map<String, String>> guardSettings(Map<String, Map<String, String>> all) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        all.forEach((guard, settings) -> {
            Map<String, String> core = new LinkedHashMap<>();
            List<String> beans = new ArrayList<>();
            settings.forEach((key, value) -> {
                if (PROBE_BEANS.matcher(key).matches()) {
                    for (String bean : value.split(",")) {
                        if (!bean.isBlank()) {
                            beans.add(bean.trim());
                        }
                    }
                    return;
                }
                String name = alias(key);
                if (!name.equals(key) && settings.containsKey(name)) {
                    throw origins.invalid("dr.guards." + guard + "." + key, "and dr.guards." + guard + "." + name
                            + " set the same thing; keep one", null);
                }
                core.put(name, value);
            });
            probeBeans.put(guard, List.copyOf(beans));
            out.put(guard, core);
        });
        return out;
    }

    private static String alias(String key) {
        for (Map.Entry<String, String> e : GUARD_ALIASES.entrySet()) {
            if (key.equals(e.getKey()) || key.startsWith(e.getKey() + ".") || key.startsWith(e.getKey() + "[")) {
                return e.getValue() + key.substring(e.getKey().length());
            }
        }
        return key;
    }

    /**
     * Returns the bound properties.
     *
     * @return the properties
     */
    public DrProperties properties() {
        return properties;
    }

    /**
     * Returns the coordinator's settings of {@code dr.coordination.*}: member id, TTL, renew
     * and poll intervals.
     *
     * @return the settings
     */
    public CoordinatorConfig coordination() {
        return coordination;
    }

    /**
     * Returns the group every instance joins: {@code dr.coordination.group}, else
     * {@code spring.application.name}, else {@code dr}.
     *
     * @return the group's name
     */
    public String coordinationGroup() {
        return group;
    }

    /**
     * Returns the guards' settings of {@code dr.guards.*}.
     *
     * @return the configuration of every configured guard
     */
    public RollbackConfig guards() {
        return guards;
    }

    /**
     * Returns one guard's settings, or the defaults when it is not configured.
     *
     * @param name the guard's name
     * @return the settings
     */
    public GuardConfig guard(String name) {
        return guards.guards().getOrDefault(name, GuardConfig.DEFAULT);
    }

    /**
     * Returns the names of the HealthProbe beans a guard's candidate is watched with.
     *
     * @param guard the guard's name
     * @return the bean names, from {@code dr.guards.<name>.probes}
     */
    public List<String> probeBeans(String guard) {
        return probeBeans.getOrDefault(guard, List.of());
    }

    /**
     * Returns the key derivation's cost for a repository the starter creates.
     *
     * @return the cost
     */
    public KdfParams kdf() {
        return kdf;
    }

    /**
     * Returns the retention after each backup: the configured one, or the core's default.
     *
     * @return the policy
     */
    public RetentionPolicy retention() {
        return retention;
    }

    /**
     * Returns the backup schedule.
     *
     * @return the schedule, or empty when backups run only on demand
     */
    public Optional<BackupSchedule> schedule() {
        return Optional.ofNullable(schedule);
    }

    /**
     * Returns the wait before the first interval backup.
     *
     * @return the wait, or empty for a cron schedule (which starts at its next time)
     */
    public Optional<Duration> initialDelay() {
        DrProperties.Schedule s = properties.backup().schedule();
        return s.cron() == null ? Optional.of(s.initialDelay()) : Optional.empty();
    }

    /**
     * Returns the choice of full or incremental backups: every {@code full-every}-th full.
     *
     * @return the strategy
     */
    public BackupStrategy strategy() {
        return strategy;
    }

    /**
     * Returns a plan's objectives, or the defaults (RTO 15 minutes, RPO 1 hour) when it is not configured.
     *
     * @param name the plan's name
     * @return the objectives
     */
    public RecoveryObjectives objectives(String name) {
        RecoveryObjectives o = plans.get(name);
        return o != null ? o : new RecoveryObjectives(DrProperties.Plan.DEFAULT.rto(), DrProperties.Plan.DEFAULT.rpo());
    }

    /**
     * Returns the audit log's settings.
     *
     * @return the settings
     */
    public AuditLogConfig audit() {
        return audit;
    }

    /**
     * Returns the repository password and says where it came from, for a message about a wrong one.
     *
     * @return the password and its source
     * @throws DrException {@code INVALID_CONFIG} when neither property is set or the file cannot be read
     */
    public Password password() {
        DrProperties.Repository r = properties.repository();
        Password p = password("dr.repository", r.password(), r.passwordFile());
        if (p == null) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "set dr.repository.password or "
                    + "dr.repository.password-file", "dr.repository.password");
        }
        return p;
    }

    /**
     * Returns the password of the secondary repository of {@code dr.replication.uri}: its own
     * when {@code dr.replication.password} or {@code password-file} is set, else the repository's.
     *
     * @return the password and its source
     * @throws DrException {@code INVALID_CONFIG} when no password is set or the file cannot be read
     */
    public Password replicationPassword() {
        DrProperties.Replication r = properties.replication();
        Password p = password("dr.replication", r.password(), r.passwordFile());
        return p != null ? p : password();
    }

    private @Nullable Password password(String prefix, @Nullable String password, @Nullable Path file) {
        if (password != null && !password.isEmpty()) {
            return new Password(password.toCharArray(), origins.describe(prefix + ".password"));
        }
        if (file == null) {
            return null;
        }
        String source = origins.describe(prefix + ".password-file") + " = " + file;
        try {
            List<String> lines = Files.readAllLines(file);
            if (!lines.isEmpty() && !lines.get(0).isEmpty()) {
                return new Password(lines.get(0).toCharArray(), source);
            }
        } catch (IOException e) {
            throw new DrException(ErrorCode.INVALID_CONFIG, source + " cannot be read: " + e.getMessage(),
                    prefix + ".password-file=" + file, e);
        }
        throw new DrException(ErrorCode.INVALID_CONFIG, source + " has an empty first line",
                prefix + ".password-file=" + file);
    }

    /**
     * Returns a property's name with its origin, for messages.
     *
     * @param property the property
     * @return the name, followed by the file and line in parentheses when known
     */
    public String describe(String property) {
        return origins.describe(property);
    }

    /**
     * Returns where a property was set, for the end of a message.
     *
     * @param property the property
     * @return {@code " (origin)"} with the file and line when known, or an empty string
     */
    public String at(String property) {
        return origins.at(property);
    }

    /** Whether a property is set in the environment, in any spelling Spring binds. */
    boolean isSet(String property) {
        return origins.rawValue(property) != null;
    }

    /**
     * Opens the store a URI property names, refusing a URI no store provider takes as a
     * configuration error that names the property and where it was set.
     *
     * @param property the property, such as {@code dr.repository.uri}
     * @param uri its value
     * @return the open store
     * @throws DrException {@code INVALID_CONFIG} naming the property for an unusable URI; a
     *     store failure otherwise
     */
    public SnapshotStore openStore(String property, String uri) {
        try {
            return SnapshotStores.open(uri);
        } catch (DrException e) {
            if (e.code() != ErrorCode.INVALID_ARGUMENT && e.code() != ErrorCode.INVALID_CONFIG
                    && e.code() != ErrorCode.UNKNOWN_SCHEME) {
                throw e;
            }
            throw new DrException(ErrorCode.INVALID_CONFIG, property + " is not a usable store URI: "
                    + e.getMessage() + at(property), property + "=" + RedactedUri.of(uri), e);
        }
    }

    /**
     * The repository password and where it came from.
     *
     * @param chars the password; the caller clears it after use
     * @param source the property (and its origin) or file it was read from
     */
    public record Password(char[] chars, String source) {
        @Override
        public String toString() {
            return "Password[source=" + source + "]";
        }
    }
}
