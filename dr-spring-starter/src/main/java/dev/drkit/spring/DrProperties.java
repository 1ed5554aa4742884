package dev.drkit.spring;

import dev.drkit.api.store.RedactedUri;
import dev.drkit.core.audit.AuditDurability;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code dr.*} properties: the backup repository, backups, guards, recovery plans, the
 * audit log, the Alertmanager webhook and security.
 *
 * <p>These records only carry what was written; {@link DrSettings} turns them into the core's
 * model at start-up, where the core checks every value once and a complaint names the property
 * in kebab-case with its origin. Secrets (the repository password and the webhook token) never
 * appear in {@link #toString()}, and the starter masks them in {@code /actuator/env} and
 * {@code /actuator/configprops}.
 *
 * @param enabled Whether DR Kit's auto-configuration is on
 * @param repository Where backups are kept and how the repository is opened
 * @param backup What is backed up, when, and how long snapshots are kept
 * @param guards Guarded releases by name: every setting of a guard in {@code rollback_config.json}
 *     (judge, plan, circuit breaker, probes, latency, shadow, revert window, gradual batches),
 *     in kebab-case, plus the names of the candidate's HealthProbe beans
 * @param plans Recovery plans by name: their description and objectives
 * @param audit The hash-chained audit log
 * @param alertmanager The Alertmanager webhook
 * @param security Who may change things through the endpoint and the webhook
 */
@ConfigurationProperties(DrProperties.PREFIX)
public record DrProperties(@DefaultValue("true") boolean enabled, @DefaultValue Repository repository,
        @DefaultValue Backup backup, Map<String, Map<String, String>> guards, Map<String, Plan> plans,
        @DefaultValue Audit audit, @DefaultValue Alertmanager alertmanager, @DefaultValue Security security) {

    /** The prefix of every property. */
    public static final String PREFIX = "dr";

    /** Copies the maps; a missing map is empty. */
    public DrProperties {
        guards = guards == null ? Map.of() : Map.copyOf(guards);
        plans = plans == null ? Map.of() : Map.copyOf(plans);
    }

    @Override
    public String toString() {
        return "DrProperties[enabled=" + enabled + ", repository=" + repository + ", guards=" + guards.keySet()
                + ", plans=" + plans.keySet() + ", audit=" + audit.file() + ", alertmanager.enabled="
                + alertmanager.enabled() + "]";
    }

    /**
     * Where backups are kept and how the repository is opened.
     *
     * @param uri The store that holds the repository: file:/path, mem:name, s3://bucket/prefix or
     *     azblob://container/prefix (the last two need dr-storage-s3 or dr-storage-azure)
     * @param password The repository password; prefer password-file or an environment variable
     * @param passwordFile A file whose first line is the repository password
     * @param initIfMissing Create the repository when the store holds none (otherwise the
     *     application does not start)
     * @param kdf The cost of the password's key derivation (Argon2id) for a repository the
     *     starter creates; a repository keeps the cost it was created with
     */
    public record Repository(@Nullable String uri, @Nullable String password, @Nullable Path passwordFile,
            boolean initIfMissing, @DefaultValue Kdf kdf) {
        @Override
        public String toString() {
            return "Repository[uri=" + (uri == null ? null : RedactedUri.of(uri)) + ", password="
                    + (password == null ? "unset" : "******") + ", passwordFile=" + passwordFile + "]";
        }
    }

    /**
     * The cost of the password's key derivation; the defaults are those of the core.
     *
     * @param memoryKib Memory per derivation, in KiB (8 to 4194304)
     * @param iterations Passes over the memory (1 to 100)
     * @param parallelism Lanes (1 to 64)
     */
    public record Kdf(@DefaultValue("19456") int memoryKib, @DefaultValue("2") int iterations,
            @DefaultValue("1") int parallelism) {
    }

    /**
     * What is backed up, when, and how long snapshots are kept.
     *
     * @param sources Directories and files to back up; each must exist and be readable
     * @param rpo The recovery point objective: the health contributor is DOWN when the newest
     *     successful backup is older
     * @param schedule When backups run; sources need a schedule
     * @param retention Which snapshots are kept after each backup
     * @param continuous Continuous protection: directories journaled as they change, restorable to
     *     any instant
     */
    public record Backup(List<Path> sources, @DefaultValue("1h") Duration rpo, @DefaultValue Schedule schedule,
            @DefaultValue Retention retention, @DefaultValue Continuous continuous) {
        /** Copies the sources; missing sources are none. */
        public Backup {
            sources = sources == null ? List.of() : List.copyOf(sources);
        }
    }

    /**
     * Continuous protection: each directory is watched and its changes are journaled into the
     * repository, durable within the flush interval and restorable to any instant.
     *
     * @param enabled Whether the directories are journaled
     * @param directories Directories whose changes are journaled; each becomes a source named
     *     after the directory
     * @param flushInterval The most time a change waits before it is durable; journal segments are
     *     written at most this often and never when nothing changed
     * @param stableFor How long a file must stay unchanged before it is captured
     * @param compactEvery How often the journal is compacted into a regular snapshot
     * @param rpo The recovery point objective of the journal: the health contributor is DOWN when
     *     a change has waited longer than this to become durable
     */
    public record Continuous(@DefaultValue("false") boolean enabled, List<Path> directories,
            @DefaultValue("1s") Duration flushInterval, @DefaultValue("200ms") Duration stableFor,
            @DefaultValue("1h") Duration compactEvery, @DefaultValue("5s") Duration rpo) {
        /** Copies the directories; missing directories are none. */
        public Continuous {
            directories = directories == null ? List.of() : List.copyOf(directories);
        }
    }

    /**
     * When backups run: a cron expression or an interval, not both.
     *
     * @param cron A Spring cron expression of six fields, such as {@code 0 0 * * * *}
     * @param interval The time between backups, such as {@code 15m}
     * @param fullEvery Every n-th scheduled backup is full, the others incremental against the
     *     newest snapshot (also across restarts)
     * @param initialDelay The wait before the first interval backup after start-up
     */
    public record Schedule(@Nullable String cron, @Nullable Duration interval, @DefaultValue("24") int fullEvery,
            @DefaultValue("10s") Duration initialDelay) {
    }

    /**
     * Which snapshots are kept after each backup. With none of these set, the default keeps the
     * newest of each of the last 24 hours, 7 days, 4 weeks and 12 months
     * ({@code ScheduledBackups.DEFAULT_RETENTION}).
     *
     * @param keepLast The newest n snapshots
     * @param keepHourly The newest snapshot of each of the last n hours
     * @param keepDaily The newest snapshot of each of the last n days
     * @param keepWeekly The newest snapshot of each of the last n weeks
     * @param keepMonthly The newest snapshot of each of the last n months
     * @param keepYearly The newest snapshot of each of the last n years
     * @param keepWithin Every snapshot younger than this, measured from the newest
     */
    public record Retention(@Nullable Integer keepLast, @Nullable Integer keepHourly, @Nullable Integer keepDaily,
            @Nullable Integer keepWeekly, @Nullable Integer keepMonthly, @Nullable Integer keepYearly,
            @Nullable Duration keepWithin) {
        boolean isEmpty() {
            return keepLast == null && keepHourly == null && keepDaily == null && keepWeekly == null
                    && keepMonthly == null && keepYearly == null && keepWithin == null;
        }
    }

    /**
     * One recovery plan's description and objectives.
     *
     * @param description What the plan recovers from, for runbooks
     * @param rto The recovery time objective
     * @param rpo The recovery point objective
     */
    public record Plan(@DefaultValue("") String description, @DefaultValue("15m") Duration rto,
            @DefaultValue("1h") Duration rpo) {
        /** The objectives of a plan that is not configured. */
        public static final Plan DEFAULT = new Plan("", Duration.ofMinutes(15), Duration.ofHours(1));
    }

    /**
     * The hash-chained audit log.
     *
     * @param file The audit log file (JSON lines); no audit log when unset
     * @param durability How hard the log works to keep each record when the machine fails
     * @param digestEvery Write a digest record after this many records
     */
    public record Audit(@Nullable Path file, @DefaultValue("FLUSH_EACH") AuditDurability durability,
            @DefaultValue("1000") int digestEvery) {
    }

    /**
     * The Alertmanager webhook.
     *
     * @param enabled Whether the webhook is on; it needs a token
     * @param path The webhook's path
     * @param token The bearer token Alertmanager sends (http_config.authorization.credentials)
     * @param closeOnResolve Whether a resolved alert closes the incident it opened (otherwise it
     *     only annotates it)
     */
    public record Alertmanager(boolean enabled, @DefaultValue("/dr/alertmanager") String path, @Nullable String token,
            boolean closeOnResolve) {
        @Override
        public String toString() {
            return "Alertmanager[enabled=" + enabled + ", path=" + path + ", token="
                    + (token == null ? "unset" : "******") + ", closeOnResolve=" + closeOnResolve + "]";
        }
    }

    /**
     * Who may change things through the endpoint and the webhook.
     *
     * @param operatorRole The role that the endpoint's write operations need when Spring Security is present
     * @param unsecuredWrites Allow the endpoint's write operations without Spring Security on the class
     *     path: only where something in front of the application authenticates every request
     * @param filterChain Whether the starter adds a security filter chain for the dr endpoint and the webhook
     * @param loginFailures Failed logins (webhook token or endpoint password) allowed per client address
     *     in one login window; further attempts from that address answer 429 until the window ends
     * @param loginWindow The fixed window in which failed logins are counted
     */
    public record Security(@DefaultValue("DR_OPERATOR") String operatorRole, boolean unsecuredWrites,
            @DefaultValue("true") boolean filterChain, @DefaultValue("10") int loginFailures,
            @DefaultValue("1m") Duration loginWindow) {
        /** The defaults. */
        public static final Security DEFAULT = new Security("DR_OPERATOR", false, true, 10, Duration.ofMinutes(1));
    }
}
