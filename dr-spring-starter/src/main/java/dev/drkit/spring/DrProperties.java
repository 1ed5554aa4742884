package dev.drkit.spring;

import dev.drkit.api.DrException;
import dev.drkit.core.audit.AuditDurability;
import dev.drkit.core.rollback.BaselineSource;
import dev.drkit.core.rollback.JudgeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.scheduling.support.CronExpression;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * The {@code dr.*} properties: the backup repository, backups, guards, recovery plans, the
 * audit log, the Alertmanager webhook and security.
 *
 * <p>The properties validate themselves when they are bound: a wrong value stops the
 * application with a message that names the property and the value. Secrets (the repository
 * password and the webhook token) never appear in {@link #toString()}, and the starter masks
 * them in {@code /actuator/env} and {@code /actuator/configprops}.
 */
@ConfigurationProperties(DrProperties.PREFIX)
public class DrProperties implements Validator {

    /** The prefix of every property. */
    public static final String PREFIX = "dr";

    /** Whether DR Kit's auto-configuration is on. */
    private boolean enabled = true;

    private final Repository repository = new Repository();
    private final Backup backup = new Backup();
    /** Guarded releases by name: their rollout steps, judge and probes. */
    private final Map<String, GuardSpec> guards = new LinkedHashMap<>();
    /** Recovery plans by name: their description and objectives. */
    private final Map<String, PlanSpec> plans = new LinkedHashMap<>();
    private final Audit audit = new Audit();
    private final Alertmanager alertmanager = new Alertmanager();
    private final Security security = new Security();

    /**
     * Returns whether DR Kit's auto-configuration is on.
     *
     * @return true unless switched off
     */
    public boolean isEnabled() {
        return enabled;
    }

    /**
     * Switches DR Kit's auto-configuration on or off.
     *
     * @param enabled true to switch it on
     */
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /**
     * Returns the backup repository settings.
     *
     * @return the settings
     */
    public Repository getRepository() {
        return repository;
    }

    /**
     * Returns the backup settings.
     *
     * @return the settings
     */
    public Backup getBackup() {
        return backup;
    }

    /**
     * Returns the guards by name.
     *
     * @return the guards
     */
    public Map<String, GuardSpec> getGuards() {
        return guards;
    }

    /**
     * Returns the recovery plans by name.
     *
     * @return the plans
     */
    public Map<String, PlanSpec> getPlans() {
        return plans;
    }

    /**
     * Returns the audit log settings.
     *
     * @return the settings
     */
    public Audit getAudit() {
        return audit;
    }

    /**
     * Returns the Alertmanager webhook settings.
     *
     * @return the settings
     */
    public Alertmanager getAlertmanager() {
        return alertmanager;
    }

    /**
     * Returns the security settings.
     *
     * @return the settings
     */
    public Security getSecurity() {
        return security;
    }

    @Override
    public boolean supports(Class<?> type) {
        return DrProperties.class.isAssignableFrom(type);
    }

    /**
     * Checks every value and reports each wrong one against its property, with the value
     * (secrets excepted).
     *
     * @param target these properties
     * @param errors where the problems go
     */
    @Override
    public void validate(Object target, Errors errors) {
        DrProperties p = (DrProperties) target;
        p.repository.validate(errors);
        p.backup.validate(errors, p.repository);
        p.guards.forEach((name, g) -> g.validate(errors, "guards[" + name + "]"));
        p.plans.forEach((name, plan) -> plan.validate(errors, "plans[" + name + "]"));
        p.audit.validate(errors);
        p.alertmanager.validate(errors);
    }

    @Override
    public String toString() {
        return "DrProperties[enabled=" + enabled + ", repository=" + repository + ", guards=" + guards.keySet()
                + ", plans=" + plans.keySet() + ", audit=" + audit.file + ", alertmanager.enabled="
                + alertmanager.enabled + "]";
    }

    private static void reject(Errors errors, String field, String requirement, @Nullable Object value) {
        errors.rejectValue(field, "dr.invalid", new Object[] {value},
                PREFIX + "." + field + " " + requirement + ", but was " + value);
    }

    private static void rejectSecret(Errors errors, String field, String requirement) {
        errors.reject("dr.invalid", PREFIX + "." + field + " " + requirement);
    }

    private static boolean positive(@Nullable Duration d) {
        return d == null || !(d.isNegative() || d.isZero());
    }

    /** Where backups are kept and how the repository is opened. */
    public static class Repository {
        /**
         * The store that holds the repository: file:/path, mem:name, s3://bucket/prefix or
         * azblob://container/prefix (the last two need dr-storage-s3 or dr-storage-azure).
         */
        private @Nullable String uri;
        /** The repository password. Prefer password-file or an environment variable. */
        private @Nullable String password;
        /** A file whose first line is the repository password. */
        private @Nullable Path passwordFile;
        /** Create the repository when the store holds none (otherwise the application does not start). */
        private boolean initIfMissing = false;
        /**
         * The cost of the password's key derivation (Argon2id) for a repository the starter
         * creates; a repository keeps the cost it was created with.
         */
        private final Kdf kdf = new Kdf();

        /**
         * Returns the key derivation's cost.
         *
         * @return the cost, for a repository the starter creates
         */
        public Kdf getKdf() {
            return kdf;
        }

        /**
         * Returns whether a missing repository is created.
         *
         * @return whether a missing repository is created
         */
        public boolean isInitIfMissing() {
            return initIfMissing;
        }

        /**
         * Sets whether a missing repository is created.
         *
         * @param initIfMissing whether a missing repository is created
         */
        public void setInitIfMissing(boolean initIfMissing) {
            this.initIfMissing = initIfMissing;
        }

        /**
         * Returns the store URI.
         *
         * @return the URI, or null when no repository is configured
         */
        public @Nullable String getUri() {
            return uri;
        }

        /**
         * Sets the store URI.
         *
         * @param uri the URI
         */
        public void setUri(@Nullable String uri) {
            this.uri = uri;
        }

        /**
         * Returns the password.
         *
         * @return the password, or null
         */
        public @Nullable String getPassword() {
            return password;
        }

        /**
         * Sets the password.
         *
         * @param password the password
         */
        public void setPassword(@Nullable String password) {
            this.password = password;
        }

        /**
         * Returns the password file.
         *
         * @return the file, or null
         */
        public @Nullable Path getPasswordFile() {
            return passwordFile;
        }

        /**
         * Sets the password file.
         *
         * @param passwordFile the file
         */
        public void setPasswordFile(@Nullable Path passwordFile) {
            this.passwordFile = passwordFile;
        }

        /**
         * Returns the password from {@code password} or the first line of {@code password-file}.
         *
         * @return the password characters
         * @throws DrException {@code INVALID_CONFIG} when neither is set or the file cannot be read
         */
        public char[] resolvePassword() {
            if (password != null && !password.isEmpty()) {
                return password.toCharArray();
            }
            if (passwordFile != null) {
                try {
                    List<String> lines = Files.readAllLines(passwordFile);
                    if (!lines.isEmpty() && !lines.get(0).isEmpty()) {
                        return lines.get(0).toCharArray();
                    }
                } catch (java.io.IOException e) {
                    throw new DrException(dev.drkit.api.ErrorCode.INVALID_CONFIG,
                            "dr.repository.password-file cannot be read: " + e.getMessage(),
                            "dr.repository.password-file=" + passwordFile, e);
                }
                throw new DrException(dev.drkit.api.ErrorCode.INVALID_CONFIG,
                        "dr.repository.password-file has an empty first line", "dr.repository.password-file="
                        + passwordFile);
            }
            throw new DrException(dev.drkit.api.ErrorCode.INVALID_CONFIG,
                    "set dr.repository.password or dr.repository.password-file", "dr.repository.password");
        }

        void validate(Errors errors) {
            if (uri != null && uri.isBlank()) {
                reject(errors, "repository.uri", "must not be blank", "'" + uri + "'");
            }
            if (password != null && passwordFile != null) {
                rejectSecret(errors, "repository.password",
                        "and dr.repository.password-file must not both be set; keep one");
            }
            if (passwordFile != null && !Files.isReadable(passwordFile)) {
                reject(errors, "repository.passwordFile", "must be a readable file", passwordFile);
            }
            kdf.validate(errors);
        }

        @Override
        public String toString() {
            return "Repository[uri=" + (uri == null ? null : dev.drkit.api.store.RedactedUri.of(uri))
                    + ", password=" + (password == null ? "unset" : "******") + ", passwordFile=" + passwordFile + "]";
        }
    }

    /** The {@code dr.repository.kdf.*} properties: the cost of the password's key derivation. */
    public static class Kdf {
        /** Memory per derivation, in KiB (8 to 4194304). */
        private int memoryKib = dev.drkit.core.repository.KdfParams.DEFAULT.memoryKiB();
        /** Passes over the memory (1 to 100). */
        private int iterations = dev.drkit.core.repository.KdfParams.DEFAULT.iterations();
        /** Lanes (1 to 64). */
        private int parallelism = dev.drkit.core.repository.KdfParams.DEFAULT.parallelism();

        /**
         * Returns the memory per derivation.
         *
         * @return KiB
         */
        public int getMemoryKib() {
            return memoryKib;
        }

        /**
         * Sets the memory per derivation.
         *
         * @param memoryKib KiB
         */
        public void setMemoryKib(int memoryKib) {
            this.memoryKib = memoryKib;
        }

        /**
         * Returns the passes over the memory.
         *
         * @return the passes
         */
        public int getIterations() {
            return iterations;
        }

        /**
         * Sets the passes over the memory.
         *
         * @param iterations the passes
         */
        public void setIterations(int iterations) {
            this.iterations = iterations;
        }

        /**
         * Returns the lanes.
         *
         * @return the lanes
         */
        public int getParallelism() {
            return parallelism;
        }

        /**
         * Sets the lanes.
         *
         * @param parallelism the lanes
         */
        public void setParallelism(int parallelism) {
            this.parallelism = parallelism;
        }

        /**
         * Returns these as the core's parameters.
         *
         * @return the parameters
         * @throws dev.drkit.api.DrException {@code INVALID_ARGUMENT} for a value out of range
         */
        public dev.drkit.core.repository.KdfParams toParams() {
            return new dev.drkit.core.repository.KdfParams(memoryKib, iterations, parallelism);
        }

        void validate(Errors errors) {
            if (memoryKib < 8 || memoryKib > 4 * 1024 * 1024) {
                reject(errors, "repository.kdf.memoryKib", "must be within 8..4194304", memoryKib);
            }
            if (iterations < 1 || iterations > 100) {
                reject(errors, "repository.kdf.iterations", "must be within 1..100", iterations);
            }
            if (parallelism < 1 || parallelism > 64) {
                reject(errors, "repository.kdf.parallelism", "must be within 1..64", parallelism);
            }
        }

        @Override
        public String toString() {
            return "Kdf[memoryKib=" + memoryKib + ", iterations=" + iterations + ", parallelism=" + parallelism + "]";
        }
    }

    /** What is backed up, when, and how long snapshots are kept. */
    public static class Backup {
        /** Directories and files to back up. */
        private List<Path> sources = new ArrayList<>();
        /** The recovery point objective: the health contributor is DOWN when the newest successful backup is older. */
        private Duration rpo = Duration.ofHours(1);
        private final Schedule schedule = new Schedule();
        private final Retention retention = new Retention();

        /**
         * Returns the sources.
         *
         * @return the paths
         */
        public List<Path> getSources() {
            return sources;
        }

        /**
         * Sets the sources.
         *
         * @param sources the paths
         */
        public void setSources(List<Path> sources) {
            this.sources = sources;
        }

        /**
         * Returns the recovery point objective.
         *
         * @return the objective
         */
        public Duration getRpo() {
            return rpo;
        }

        /**
         * Sets the recovery point objective.
         *
         * @param rpo the objective
         */
        public void setRpo(Duration rpo) {
            this.rpo = rpo;
        }

        /**
         * Returns the schedule.
         *
         * @return the schedule
         */
        public Schedule getSchedule() {
            return schedule;
        }

        /**
         * Returns the retention policy.
         *
         * @return the policy
         */
        public Retention getRetention() {
            return retention;
        }

        void validate(Errors errors, Repository repository) {
            if (!sources.isEmpty() && (repository.uri == null || repository.uri.isBlank())) {
                reject(errors, "backup.sources", "need dr.repository.uri to be set", sources);
            }
            if (!positive(rpo)) {
                reject(errors, "backup.rpo", "must be > 0", rpo);
            }
            schedule.validate(errors);
            retention.validate(errors);
        }
    }

    /** When backups run: a cron expression or a fixed interval, and how often a full backup is taken. */
    public static class Schedule {
        /** A Spring cron expression of six fields, such as "0 0/15 * * * *"; set this or interval, not both. */
        private @Nullable String cron;
        /** A fixed interval between backups, such as 15m; set this or cron, not both. */
        private @Nullable Duration interval;
        /** Every n-th scheduled backup re-reads every file (full); the others are incremental. */
        private int fullEvery = 24;
        /** How long after start the first scheduled backup runs (with an interval schedule). */
        private Duration initialDelay = Duration.ofSeconds(10);

        /**
         * Returns the delay before the first scheduled backup.
         *
         * @return the delay before the first scheduled backup
         */
        public Duration getInitialDelay() {
            return initialDelay;
        }

        /**
         * Sets the delay before the first scheduled backup.
         *
         * @param initialDelay the delay before the first scheduled backup
         */
        public void setInitialDelay(Duration initialDelay) {
            this.initialDelay = initialDelay;
        }

        /**
         * Returns the cron expression.
         *
         * @return the expression, or null
         */
        public @Nullable String getCron() {
            return cron;
        }

        /**
         * Sets the cron expression.
         *
         * @param cron the expression
         */
        public void setCron(@Nullable String cron) {
            this.cron = cron;
        }

        /**
         * Returns the interval.
         *
         * @return the interval, or null
         */
        public @Nullable Duration getInterval() {
            return interval;
        }

        /**
         * Sets the interval.
         *
         * @param interval the interval
         */
        public void setInterval(@Nullable Duration interval) {
            this.interval = interval;
        }

        /**
         * Returns how often a full backup is taken.
         *
         * @return every n-th backup
         */
        public int getFullEvery() {
            return fullEvery;
        }

        /**
         * Sets how often a full backup is taken.
         *
         * @param fullEvery every n-th backup, at least 1
         */
        public void setFullEvery(int fullEvery) {
            this.fullEvery = fullEvery;
        }

        void validate(Errors errors) {
            if (cron != null && interval != null) {
                reject(errors, "backup.schedule.cron", "and dr.backup.schedule.interval must not both be set", cron);
            }
            if (cron != null && !CronExpression.isValidExpression(cron)) {
                reject(errors, "backup.schedule.cron", "must be a cron expression of six fields", "'" + cron + "'");
            }
            if (!positive(interval)) {
                reject(errors, "backup.schedule.interval", "must be > 0", interval);
            }
            if (fullEvery < 1) {
                reject(errors, "backup.schedule.fullEvery", "must be >= 1", fullEvery);
            }
            if (initialDelay.isNegative()) {
                reject(errors, "backup.schedule.initialDelay", "must be >= 0", initialDelay);
            }
        }
    }

    /** Which snapshots are kept when old ones are forgotten. */
    public static class Retention {
        /** Keep the newest n snapshots. */
        private @Nullable Integer keepLast;
        /** Keep the newest snapshot of each of the last n hours. */
        private @Nullable Integer keepHourly;
        /** Keep the newest snapshot of each of the last n days. */
        private @Nullable Integer keepDaily;
        /** Keep the newest snapshot of each of the last n weeks. */
        private @Nullable Integer keepWeekly;
        /** Keep the newest snapshot of each of the last n months. */
        private @Nullable Integer keepMonthly;
        /** Keep the newest snapshot of each of the last n years. */
        private @Nullable Integer keepYearly;
        /** Keep every snapshot younger than this. */
        private @Nullable Duration keepWithin;

        /**
         * Returns keep-last.
         *
         * @return keep-last, or null
         */
        public @Nullable Integer getKeepLast() {
            return keepLast;
        }

        /**
         * Sets keep-last.
         *
         * @param v keep-last
         */
        public void setKeepLast(@Nullable Integer v) {
            this.keepLast = v;
        }

        /**
         * Returns keep-hourly.
         *
         * @return keep-hourly, or null
         */
        public @Nullable Integer getKeepHourly() {
            return keepHourly;
        }

        /**
         * Sets keep-hourly.
         *
         * @param v keep-hourly
         */
        public void setKeepHourly(@Nullable Integer v) {
            this.keepHourly = v;
        }

        /**
         * Returns keep-daily.
         *
         * @return keep-daily, or null
         */
        public @Nullable Integer getKeepDaily() {
            return keepDaily;
        }

        /**
         * Sets keep-daily.
         *
         * @param v keep-daily
         */
        public void setKeepDaily(@Nullable Integer v) {
            this.keepDaily = v;
        }

        /**
         * Returns keep-weekly.
         *
         * @return keep-weekly, or null
         */
        public @Nullable Integer getKeepWeekly() {
            return keepWeekly;
        }

        /**
         * Sets keep-weekly.
         *
         * @param v keep-weekly
         */
        public void setKeepWeekly(@Nullable Integer v) {
            this.keepWeekly = v;
        }

        /**
         * Returns keep-monthly.
         *
         * @return keep-monthly, or null
         */
        public @Nullable Integer getKeepMonthly() {
            return keepMonthly;
        }

        /**
         * Sets keep-monthly.
         *
         * @param v keep-monthly
         */
        public void setKeepMonthly(@Nullable Integer v) {
            this.keepMonthly = v;
        }

        /**
         * Returns keep-yearly.
         *
         * @return keep-yearly, or null
         */
        public @Nullable Integer getKeepYearly() {
            return keepYearly;
        }

        /**
         * Sets keep-yearly.
         *
         * @param v keep-yearly
         */
        public void setKeepYearly(@Nullable Integer v) {
            this.keepYearly = v;
        }

        /**
         * Returns keep-within.
         *
         * @return keep-within, or null
         */
        public @Nullable Duration getKeepWithin() {
            return keepWithin;
        }

        /**
         * Sets keep-within.
         *
         * @param v keep-within
         */
        public void setKeepWithin(@Nullable Duration v) {
            this.keepWithin = v;
        }

        void validate(Errors errors) {
            checkCount(errors, "keepLast", keepLast);
            checkCount(errors, "keepHourly", keepHourly);
            checkCount(errors, "keepDaily", keepDaily);
            checkCount(errors, "keepWeekly", keepWeekly);
            checkCount(errors, "keepMonthly", keepMonthly);
            checkCount(errors, "keepYearly", keepYearly);
            if (!positive(keepWithin)) {
                reject(errors, "backup.retention.keepWithin", "must be > 0", keepWithin);
            }
        }

        private static void checkCount(Errors errors, String field, @Nullable Integer value) {
            if (value != null && value < 0) {
                reject(errors, "backup.retention." + field, "must be >= 0", value);
            }
        }
    }

    /** One guarded release: how its candidate is rolled out and judged. */
    public static class GuardSpec {
        /** The candidate's share of calls at each rollout step, ascending, each in (0, 1]. */
        private List<Double> steps = new ArrayList<>(List.of(0.01, 0.05, 0.25, 0.5, 1.0));
        /** Names of HealthProbe beans whose DOWN answer rolls the candidate back. */
        private List<String> probes = new ArrayList<>();
        /** The fewest candidate calls before a step may advance. */
        private long minCalls = 100;
        /** The shortest time a step lasts before it may advance. */
        private Duration minDuration = Duration.ZERO;
        private final Judge judge = new Judge();

        /**
         * Returns the rollout steps.
         *
         * @return the weights
         */
        public List<Double> getSteps() {
            return steps;
        }

        /**
         * Sets the rollout steps.
         *
         * @param steps the weights
         */
        public void setSteps(List<Double> steps) {
            this.steps = steps;
        }

        /**
         * Returns the probe bean names.
         *
         * @return the names
         */
        public List<String> getProbes() {
            return probes;
        }

        /**
         * Sets the probe bean names.
         *
         * @param probes the names
         */
        public void setProbes(List<String> probes) {
            this.probes = probes;
        }

        /**
         * Returns the fewest candidate calls per step.
         *
         * @return the fewest candidate calls per step
         */
        public long getMinCalls() {
            return minCalls;
        }

        /**
         * Sets the fewest candidate calls per step.
         *
         * @param minCalls the fewest candidate calls per step
         */
        public void setMinCalls(long minCalls) {
            this.minCalls = minCalls;
        }

        /**
         * Returns the shortest step.
         *
         * @return the shortest step
         */
        public Duration getMinDuration() {
            return minDuration;
        }

        /**
         * Sets the shortest step.
         *
         * @param minDuration the shortest step
         */
        public void setMinDuration(Duration minDuration) {
            this.minDuration = minDuration;
        }

        /**
         * Returns the judge settings.
         *
         * @return the settings
         */
        public Judge getJudge() {
            return judge;
        }

        void validate(Errors errors, String path) {
            double previous = 0;
            for (int i = 0; i < steps.size(); i++) {
                Double w = steps.get(i);
                if (w == null || !(w > 0 && w <= 1)) {
                    reject(errors, path + ".steps[" + i + "]", "must be in (0, 1]", w);
                } else if (w <= previous) {
                    reject(errors, path + ".steps[" + i + "]", "must be greater than the step before (" + previous
                            + ")", w);
                } else {
                    previous = w;
                }
            }
            if (minCalls < 0) {
                reject(errors, path + ".minCalls", "must be >= 0", minCalls);
            }
            if (minDuration.isNegative()) {
                reject(errors, path + ".minDuration", "must be >= 0", minDuration);
            }
            try {
                judge.toConfig();
            } catch (DrException e) {
                String input = e.input();
                String field = input == null ? "alpha" : input.substring(0, Math.max(0, input.indexOf('=')));
                errors.rejectValue(path + ".judge." + field, "dr.invalid", null,
                        PREFIX + "." + path + ".judge." + e.getMessage());
            }
        }
    }

    /** The sequential judge's settings; see dev.drkit.core.rollback.JudgeConfig. */
    public static class Judge {
        /** The highest allowed probability of rolling back a candidate that is no worse than the baseline. */
        private double alpha = JudgeConfig.DEFAULT_ALPHA;
        /** The error accepted when the judge says PROMOTE. */
        private double beta = JudgeConfig.DEFAULT_BETA;
        /** Whether the candidate is held to the stable version's observed failure rate or to baseline-rate. */
        private BaselineSource baseline = BaselineSource.OBSERVED;
        /** The configured (or expected) baseline failure rate, in (0, 1). */
        private double baselineRate = JudgeConfig.DEFAULT_BASELINE_RATE;
        /** How many times the baseline rate the test is tuned to detect. */
        private double regressionRatio = JudgeConfig.DEFAULT_REGRESSION_RATIO;
        /** The number of candidate calls over which alpha holds. */
        private long horizon = JudgeConfig.DEFAULT_HORIZON;
        /** Candidate failures in a row that roll back at once; 0 for none. */
        private int maxConsecutiveFailures = JudgeConfig.DEFAULT_MAX_CONSECUTIVE_FAILURES;
        /** Whether an OPEN candidate circuit breaker rolls back at once. */
        private boolean rollbackOnOpenCircuit = true;

        /**
         * Returns alpha.
         *
         * @return alpha
         */
        public double getAlpha() {
            return alpha;
        }

        /**
         * Sets alpha.
         *
         * @param alpha alpha
         */
        public void setAlpha(double alpha) {
            this.alpha = alpha;
        }

        /**
         * Returns beta.
         *
         * @return beta
         */
        public double getBeta() {
            return beta;
        }

        /**
         * Sets beta.
         *
         * @param beta beta
         */
        public void setBeta(double beta) {
            this.beta = beta;
        }

        /**
         * Returns the baseline source.
         *
         * @return the baseline source
         */
        public BaselineSource getBaseline() {
            return baseline;
        }

        /**
         * Sets the baseline source.
         *
         * @param baseline the baseline source
         */
        public void setBaseline(BaselineSource baseline) {
            this.baseline = baseline;
        }

        /**
         * Returns the baseline rate.
         *
         * @return the baseline rate
         */
        public double getBaselineRate() {
            return baselineRate;
        }

        /**
         * Sets the baseline rate.
         *
         * @param baselineRate the baseline rate
         */
        public void setBaselineRate(double baselineRate) {
            this.baselineRate = baselineRate;
        }

        /**
         * Returns the regression ratio.
         *
         * @return the regression ratio
         */
        public double getRegressionRatio() {
            return regressionRatio;
        }

        /**
         * Sets the regression ratio.
         *
         * @param regressionRatio the regression ratio
         */
        public void setRegressionRatio(double regressionRatio) {
            this.regressionRatio = regressionRatio;
        }

        /**
         * Returns the horizon.
         *
         * @return the horizon
         */
        public long getHorizon() {
            return horizon;
        }

        /**
         * Sets the horizon.
         *
         * @param horizon the horizon
         */
        public void setHorizon(long horizon) {
            this.horizon = horizon;
        }

        /**
         * Returns the consecutive failure limit.
         *
         * @return the consecutive failure limit
         */
        public int getMaxConsecutiveFailures() {
            return maxConsecutiveFailures;
        }

        /**
         * Sets the consecutive failure limit.
         *
         * @param maxConsecutiveFailures the consecutive failure limit
         */
        public void setMaxConsecutiveFailures(int maxConsecutiveFailures) {
            this.maxConsecutiveFailures = maxConsecutiveFailures;
        }

        /**
         * Returns whether an open circuit rolls back.
         *
         * @return whether an open circuit rolls back
         */
        public boolean isRollbackOnOpenCircuit() {
            return rollbackOnOpenCircuit;
        }

        /**
         * Sets whether an open circuit rolls back.
         *
         * @param rollbackOnOpenCircuit whether an open circuit rolls back
         */
        public void setRollbackOnOpenCircuit(boolean rollbackOnOpenCircuit) {
            this.rollbackOnOpenCircuit = rollbackOnOpenCircuit;
        }

        /**
         * Builds the judge configuration these settings describe.
         *
         * @return the configuration
         * @throws DrException {@code INVALID_ARGUMENT} naming the first field out of range
         */
        public JudgeConfig toConfig() {
            return new JudgeConfig(alpha, beta, baseline, baselineRate, JudgeConfig.DEFAULT_BASELINE_PRIOR_CALLS,
                    regressionRatio, horizon, maxConsecutiveFailures, rollbackOnOpenCircuit);
        }
    }

    /** One recovery plan's description and objectives. */
    public static class PlanSpec {
        /** What the plan recovers from, for runbooks. */
        private String description = "";
        /** The recovery time objective. */
        private Duration rto = Duration.ofMinutes(15);
        /** The recovery point objective. */
        private Duration rpo = Duration.ofHours(1);

        /**
         * Returns the description.
         *
         * @return the description
         */
        public String getDescription() {
            return description;
        }

        /**
         * Sets the description.
         *
         * @param description the description
         */
        public void setDescription(String description) {
            this.description = description;
        }

        /**
         * Returns the recovery time objective.
         *
         * @return the recovery time objective
         */
        public Duration getRto() {
            return rto;
        }

        /**
         * Sets the recovery time objective.
         *
         * @param rto the recovery time objective
         */
        public void setRto(Duration rto) {
            this.rto = rto;
        }

        /**
         * Returns the recovery point objective.
         *
         * @return the recovery point objective
         */
        public Duration getRpo() {
            return rpo;
        }

        /**
         * Sets the recovery point objective.
         *
         * @param rpo the recovery point objective
         */
        public void setRpo(Duration rpo) {
            this.rpo = rpo;
        }

        void validate(Errors errors, String path) {
            if (!positive(rto)) {
                reject(errors, path + ".rto", "must be > 0", rto);
            }
            if (!positive(rpo)) {
                reject(errors, path + ".rpo", "must be > 0", rpo);
            }
        }
    }

    /** The hash-chained audit log. */
    public static class Audit {
        /** The audit log file (JSON lines); no audit log when unset. */
        private @Nullable Path file;
        /** How hard the log works to keep each record when the machine fails. */
        private AuditDurability durability = AuditDurability.FLUSH_EACH;
        /** Write a digest record after this many records. */
        private int digestEvery = 1000;

        /**
         * Returns the file.
         *
         * @return the file, or null
         */
        public @Nullable Path getFile() {
            return file;
        }

        /**
         * Sets the file.
         *
         * @param file the file
         */
        public void setFile(@Nullable Path file) {
            this.file = file;
        }

        /**
         * Returns the durability.
         *
         * @return the durability
         */
        public AuditDurability getDurability() {
            return durability;
        }

        /**
         * Sets the durability.
         *
         * @param durability the durability
         */
        public void setDurability(AuditDurability durability) {
            this.durability = durability;
        }

        /**
         * Returns the digest interval.
         *
         * @return the digest interval
         */
        public int getDigestEvery() {
            return digestEvery;
        }

        /**
         * Sets the digest interval.
         *
         * @param digestEvery the digest interval
         */
        public void setDigestEvery(int digestEvery) {
            this.digestEvery = digestEvery;
        }

        void validate(Errors errors) {
            if (digestEvery < 1) {
                reject(errors, "audit.digestEvery", "must be >= 1", digestEvery);
            }
            if (file != null && Files.isDirectory(file)) {
                reject(errors, "audit.file", "must be a file, not a directory", file);
            }
        }
    }

    /** The Alertmanager webhook. */
    public static class Alertmanager {
        /** Whether the webhook is on; it needs a token. */
        private boolean enabled = false;
        /** The webhook's path. */
        private String path = "/dr/alertmanager";
        /** The bearer token Alertmanager sends (http_config.authorization.credentials). */
        private @Nullable String token;
        /** Whether a resolved alert closes the incident it opened (otherwise it only annotates it). */
        private boolean closeOnResolve = false;

        /**
         * Returns whether a resolved alert closes its incident.
         *
         * @return true to close
         */
        public boolean isCloseOnResolve() {
            return closeOnResolve;
        }

        /**
         * Sets whether a resolved alert closes its incident.
         *
         * @param closeOnResolve true to close
         */
        public void setCloseOnResolve(boolean closeOnResolve) {
            this.closeOnResolve = closeOnResolve;
        }

        /**
         * Returns whether the webhook is on.
         *
         * @return whether the webhook is on
         */
        public boolean isEnabled() {
            return enabled;
        }

        /**
         * Sets whether the webhook is on.
         *
         * @param enabled whether the webhook is on
         */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        /**
         * Returns the path.
         *
         * @return the path
         */
        public String getPath() {
            return path;
        }

        /**
         * Sets the path.
         *
         * @param path the path
         */
        public void setPath(String path) {
            this.path = path;
        }

        /**
         * Returns the token.
         *
         * @return the token, or null
         */
        public @Nullable String getToken() {
            return token;
        }

        /**
         * Sets the token.
         *
         * @param token the token
         */
        public void setToken(@Nullable String token) {
            this.token = token;
        }

        void validate(Errors errors) {
            if (!path.startsWith("/")) {
                reject(errors, "alertmanager.path", "must start with '/'", "'" + path + "'");
            }
            if (enabled && (token == null || token.isBlank())) {
                rejectSecret(errors, "alertmanager.token", "must be set when dr.alertmanager.enabled is true");
            }
        }
    }

    /** Who may change things through the endpoint and the webhook. */
    public static class Security {
        /** The role that the endpoint's write operations need when Spring Security is present. */
        private String operatorRole = "DR_OPERATOR";
        /**
         * Allow the endpoint's write operations without Spring Security on the class path: only
         * where something in front of the application authenticates every request.
         */
        private boolean unsecuredWrites = false;
        /** Whether the starter adds a security filter chain for the dr endpoint and the webhook. */
        private boolean filterChain = true;

        /**
         * Returns the operator role.
         *
         * @return the operator role
         */
        public String getOperatorRole() {
            return operatorRole;
        }

        /**
         * Sets the operator role.
         *
         * @param operatorRole the operator role
         */
        public void setOperatorRole(String operatorRole) {
            this.operatorRole = operatorRole;
        }

        /**
         * Returns whether unsecured writes are allowed.
         *
         * @return whether unsecured writes are allowed
         */
        public boolean isUnsecuredWrites() {
            return unsecuredWrites;
        }

        /**
         * Sets whether unsecured writes are allowed.
         *
         * @param unsecuredWrites whether unsecured writes are allowed
         */
        public void setUnsecuredWrites(boolean unsecuredWrites) {
            this.unsecuredWrites = unsecuredWrites;
        }

        /**
         * Returns whether the starter adds its filter chain.
         *
         * @return whether the starter adds its filter chain
         */
        public boolean isFilterChain() {
            return filterChain;
        }

        /**
         * Sets whether the starter adds its filter chain.
         *
         * @param filterChain whether the starter adds its filter chain
         */
        public void setFilterChain(boolean filterChain) {
            this.filterChain = filterChain;
        }
    }
}
