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
 * The {@code dr.*} properties: the backup repository and its secondary, backups, guards,
 * recovery plans, the audit log, the Alertmanager webhook and security.
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
 * @param console The live operator console page
 * @param postgres WAL streaming and base backups of the application's PostgreSQL DataSource
 *     (needs dr-postgres on the class path)
 * @param coordination How the instances of the application coordinate as a fleet
 * @param replication A secondary repository, typically in another region, that receives a copy
 *     of every backup and every journal segment
 */
@ConfigurationProperties(DrProperties.PREFIX)
public record DrProperties(@DefaultValue("true") boolean enabled, @DefaultValue Repository repository,
        @DefaultValue Backup backup, Map<String, Map<String, String>> guards, Map<String, Plan> plans,
        @DefaultValue Audit audit, @DefaultValue Alertmanager alertmanager, @DefaultValue Security security,
        @DefaultValue Console console, @DefaultValue Postgres postgres, @DefaultValue Coordination coordination,
        @DefaultValue Replication replication) {

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
                + alertmanager.enabled() + ", replication=" + replication + "]";
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
     * @param restoreTest Scheduled restore tests that prove the backups restore
     * @param continuous Continuous protection: directories journaled as they change, restorable to
     *     any instant
     * @param allowEmptySources Save a source directory that is empty although the previous snapshot
     *     held entries in it; by default such a backup fails and saves nothing, since it is more
     *     often a volume that did not mount than data deleted on purpose
     */
    public record Backup(List<Path> sources, @DefaultValue("1h") Duration rpo, @DefaultValue Schedule schedule,
            @DefaultValue Retention retention, @DefaultValue RestoreTest restoreTest,
            @DefaultValue Continuous continuous, @DefaultValue("false") boolean allowEmptySources) {
        /** Copies the sources; missing sources are none. */
        public Backup {
            sources = sources == null ? List.of() : List.copyOf(sources);
        }
    }

    /**
     * Scheduled restore tests: a snapshot is restored into a sandbox, the application's
     * RestoreValidator beans check it, and the restore's time is the projected RTO.
     *
     * @param enabled Whether restore tests run on a schedule (they need a repository)
     * @param interval The time between restore tests
     * @param initialDelay The wait before the first restore test after start-up
     * @param maxAge The health contributor is DOWN when the last passing restore test is older
     *     than this, or when the last restore test failed
     * @param sample Test a snapshot drawn at random instead of the latest
     * @param sandbox The directory under which each test restores (default: dr-restore-tests in
     *     the temporary directory); never a directory holding live data
     */
    public record RestoreTest(boolean enabled, @DefaultValue("1d") Duration interval,
            @DefaultValue("5m") Duration initialDelay, @DefaultValue("8d") Duration maxAge, boolean sample,
            @Nullable Path sandbox) {
    }

    /**
     * Continuous protection: each directory is watched and its changes are journaled into the
     * repository, durable within the flush interval and restorable to any instant.
     *
     * @param enabled Whether the directories are journaled
     * @param directories Directories whose changes are journaled; each becomes a source named
     *     after the directory
     * @param flushInterval The most time a change waits, once taken, before its journal segment is
     *     written; segments are written at most this often, and only heartbeats when nothing
     *     changed. With the default 500ms and stable-for 200ms a file change is durable within one
     *     second
     * @param stableFor How long a file must stay unchanged before it is captured
     * @param compactEvery How often the journal is compacted into a regular snapshot
     * @param heartbeatEvery How long a journal with nothing to flush waits before it writes a
     *     heartbeat (an empty segment, one small PUT), so that a restore reaches every instant up to
     *     then and a journal that stopped can be told from an idle one
     * @param rpo The recovery point objective of the journal: the health contributor is DOWN when
     *     a change has waited longer than this to become durable
     */
    public record Continuous(@DefaultValue("false") boolean enabled, List<Path> directories,
            @DefaultValue("500ms") Duration flushInterval, @DefaultValue("200ms") Duration stableFor,
            @DefaultValue("1h") Duration compactEvery, @DefaultValue("5s") Duration rpo,
            @DefaultValue("1m") Duration heartbeatEvery) {
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
     * @param keepWithin Every snapshot younger than this, measured from the newest of its group
     * @param groupBy What makes snapshots one group, to which the rules apply on their own: a
     *     comma-separated list of host, sources and tags, or none for all snapshots of the repository
     *     as one group (default host,sources: a source backed up daily is not forgotten because
     *     another, or another instance, backs up hourly)
     */
    public record Retention(@Nullable Integer keepLast, @Nullable Integer keepHourly, @Nullable Integer keepDaily,
            @Nullable Integer keepWeekly, @Nullable Integer keepMonthly, @Nullable Integer keepYearly,
            @Nullable Duration keepWithin, @Nullable String groupBy) {
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
     * @param keyFile A file whose bytes are the audit log's HMAC key, read whole as the CLI's
     *     --key-file reads it: the log becomes an HMAC-SHA-256 chain that only a holder of the key
     *     can rebuild. An existing log written without this key (unkeyed or with another key) stops
     *     the application at start; unset for an unkeyed log
     * @param durability How hard the log works to keep each record when the machine fails
     * @param digestEvery Write a digest record after this many records
     */
    public record Audit(@Nullable Path file, @Nullable Path keyFile,
            @DefaultValue("FLUSH_EACH") AuditDurability durability, @DefaultValue("1000") int digestEvery) {
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
     * The live operator console: one page showing the guards, the backups against the RPO,
     * plan executions step by step, open incidents and the audit chain, updated by server-sent
     * events; it needs the dr endpoint and, with Spring Security, the operator role.
     *
     * @param enabled Whether the console page is served (in a servlet web application)
     * @param path The page's path; its event stream is at path/events
     * @param refresh How often the page's state is pushed to open pages
     */
    public record Console(boolean enabled, @DefaultValue("/dr") String path, @DefaultValue("1s") Duration refresh) {
    }

    /**
     * How the instances of the application coordinate as a fleet: the coordinator (leases with
     * fencing epochs, shared state, membership), the group every instance joins, and the lease
     * whose holder the endpoint and the health contributor show.
     *
     * @param enabled Whether the starter opens a coordinator; it does when dr.coordination.uri or
     *     dr.repository.uri is set
     * @param uri Where the fleet coordinates: unset for the store of dr.repository.uri (by its
     *     conditional writes, no other service needed), or a ZooKeeper ensemble as
     *     zookeeper://host:port,host:port/chroot (needs dr-coordination-zookeeper)
     * @param memberId This instance's identity in the fleet: letters, digits, '.', '_', '@' or
     *     '-'; unique per instance. Defaults to the host name and process id
     * @param group The group every instance joins, listed as the fleet's members; defaults to
     *     spring.application.name, else "dr"
     * @param lease The lease whose holder and epoch the endpoint and the health contributor show
     * @param ttl How long a lease lasts without renewal and a silent member stays listed; with
     *     ZooKeeper, the session timeout asked for
     * @param renewInterval How often a holder renews and a member announces itself; shorter than
     *     the TTL; defaults to a third of it
     * @param pollInterval How often a watched state is read from the store (ZooKeeper notifies)
     * @param connectTimeout How long start-up waits for ZooKeeper to answer before it fails
     */
    public record Coordination(@DefaultValue("true") boolean enabled, @Nullable String uri, @Nullable String memberId,
            @Nullable String group, @DefaultValue("writer") String lease, @DefaultValue("15s") Duration ttl,
            @Nullable Duration renewInterval, @DefaultValue("1s") Duration pollInterval,
            @DefaultValue("10s") Duration connectTimeout) {
    }

    /**
     * A secondary repository, typically in another region or cloud, kept in step with the
     * repository of {@code dr.repository.uri} by the core's {@code Replication}: every backup
     * the starter's repository makes is copied to it as soon as it is committed, and every
     * journal segment of continuous protection is shipped to it as soon as it is durable.
     *
     * @param uri The secondary's store, as dr.repository.uri (file:/path, s3://bucket/prefix,
     *     azblob://container/prefix); no replication when unset. One that cannot be reached
     *     when the application starts is opened in the background, and caught up once it opens
     * @param password The secondary's password; unset for the repository's own
     * @param passwordFile A file whose first line is the secondary's password
     * @param initIfMissing Create the secondary when its store holds none, with the key
     *     derivation cost of dr.repository.kdf (otherwise the application does not start)
     */
    public record Replication(@Nullable String uri, @Nullable String password, @Nullable Path passwordFile,
            boolean initIfMissing) {
        @Override
        public String toString() {
            return "Replication[uri=" + (uri == null ? null : RedactedUri.of(uri)) + ", password="
                    + (password == null ? "unset" : "******") + ", passwordFile=" + passwordFile + "]";
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

    /**
     * WAL streaming and base backups of the application's PostgreSQL, reached through its
     * DataSource's URL.
     *
     * @param enabled Whether the application's PostgreSQL is streamed into the repository
     * @param slot The physical replication slot to stream from; it must exist
     * @param flushInterval The longest a streamed WAL byte waits before it is stored (and the slot acknowledged)
     * @param username The role that streams and takes base backups (REPLICATION, pg_backup_start);
     *     by default the DataSource's user
     * @param password Its password; by default spring.datasource.password
     * @param dataDirectory The cluster's data directory as this application sees it; by default the
     *     server's data_directory
     * @param baseBackupOnStart Whether a base backup is taken when the application starts
     * @param baseBackupInterval The time between base backups; none when unset
     * @param lagWarning The WAL the slot may hold back on the server before a warning, in bytes
     * @param restartDelay How long after streaming stopped on a failure (the server restarted, the
     *     connection dropped) it is started again from the slot; doubled after each failed try, up to 1 minute
     */
    public record Postgres(boolean enabled, @DefaultValue("dr") String slot,
            @DefaultValue("1s") Duration flushInterval, @Nullable String username, @Nullable String password,
            @Nullable Path dataDirectory, boolean baseBackupOnStart, @Nullable Duration baseBackupInterval,
            @DefaultValue("1073741824") long lagWarning, @DefaultValue("5s") Duration restartDelay) {
        @Override
        public String toString() {
            return "Postgres[enabled=" + enabled + ", slot=" + slot + ", flushInterval=" + flushInterval
                    + ", username=" + username + ", password=" + (password == null ? "unset" : "******") + "]";
        }
    }
}
