package dev.drkit.spring;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.backup.RestoreValidator;
import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.recovery.Failover;
import dev.drkit.api.rollback.Guard;
import dev.drkit.api.store.RedactedUri;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.audit.AuditLog;
import dev.drkit.core.backup.BackupSchedule;
import dev.drkit.core.backup.RestoreTests;
import dev.drkit.api.coordination.Coordinator;
import dev.drkit.core.backup.ScheduledBackups;
import dev.drkit.core.coordination.Coordinators;
import dev.drkit.core.coordination.StoreCoordinator;
import dev.drkit.core.config.NearestName;
import dev.drkit.core.incident.IncidentManager;
import dev.drkit.core.recovery.Plan;
import dev.drkit.core.recovery.RecoveryExecutor;
import dev.drkit.core.recovery.file.PlanFileReader;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.core.source.DirectorySource;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.AllNestedConditions;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of DR Kit's core beans from the {@code dr.*} properties: the snapshot
 * store named by {@code dr.repository.uri}, the repository in it and the scheduled backups of
 * {@code dr.backup.sources}, the secondary of {@code dr.replication.uri} that receives a copy of
 * each backup and journal segment, the audit log in {@code dr.audit.file} (keyed by
 * {@code dr.audit.key-file}), the guard factory and the
 * registry of the application's guards, the recovery executor and the registry of the
 * application's plans. Every bean gives way to one the application defines.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "dr.enabled", matchIfMissing = true)
@EnableConfigurationProperties(DrProperties.class)
public class DrAutoConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(DrAutoConfiguration.class);

    /**
     * Turns the {@code dr.*} properties into the core's model, stopping the application at the
     * first wrong or unknown property.
     *
     * @param properties the {@code dr.*} properties
     * @param environment where they came from
     * @return the checked settings
     * @throws DrException {@code INVALID_CONFIG} naming the property, with its origin
     */
    @Bean
    @ConditionalOnMissingBean
    public DrSettings drSettings(DrProperties properties, Environment environment) {
        return new DrSettings(properties, environment);
    }

    /**
     * Opens the store that holds the backup repository.
     *
     * @param settings the {@code dr.*} settings
     * @return the store, closed with the context
     * @throws DrException {@code INVALID_CONFIG} naming {@code dr.repository.uri} when the URI
     *     cannot be parsed or names no installed store
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @ConditionalOnProperty(name = "dr.repository.uri")
    public SnapshotStore drSnapshotStore(DrSettings settings) {
        return settings.openStore("dr.repository.uri", Objects.requireNonNull(settings.properties().repository().uri()));
    }

    /**
     * Opens the fleet's coordinator: on ZooKeeper (or another installed backend) when
     * {@code dr.coordination.uri} is set, otherwise in the store of {@code dr.repository.uri}.
     *
     * @param settings the {@code dr.*} settings
     * @param store the repository's store, when there is one
     * @return the coordinator, closed with the context (releasing its leases and leaving its groups)
     * @throws DrException {@code INVALID_CONFIG} naming {@code dr.coordination.uri} when it is
     *     malformed or names no installed backend; {@code UNAVAILABLE} naming it when the backend
     *     does not answer within {@code dr.coordination.connect-timeout}; {@code UNSUPPORTED}
     *     naming {@code dr.repository.uri} when its store has no conditional writes
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @Conditional(OnCoordination.class)
    public Coordinator drCoordinator(DrSettings settings, ObjectProvider<SnapshotStore> store) {
        String uri = settings.properties().coordination().uri();
        if (uri == null) {
            SnapshotStore s = store.getIfAvailable();
            if (s == null) {
                throw new DrException(ErrorCode.INVALID_CONFIG, "dr.coordination.uri must be set when no "
                        + "repository store is configured" + settings.at("dr.coordination.uri"), "dr.coordination.uri");
            }
            try {
                return StoreCoordinator.open(s, settings.coordination());
            } catch (DrException e) {
                if (e.code() == ErrorCode.UNSUPPORTED) {
                    throw new DrException(e.code(), "dr.repository.uri cannot carry the fleet's coordination ("
                            + e.getMessage() + "); set dr.coordination.uri to a ZooKeeper ensemble, or "
                            + "dr.coordination.enabled=false" + settings.at("dr.repository.uri"), "dr.repository.uri",
                            e);
                }
                // A store that cannot be written takes no backup either: say so, not "use ZooKeeper".
                throw new DrException(e.code(), "The repository at dr.repository.uri cannot be written ("
                        + e.getMessage() + "): the fleet's coordination records could not be stored there, and "
                        + "backups could not be either; let the application's user write it"
                        + settings.at("dr.repository.uri"), "dr.repository.uri", e);
            }
        }
        String target = withConnectTimeout(uri.strip(), settings.properties().coordination().connectTimeout());
        try {
            return Coordinators.open(target, settings.coordination());
        } catch (DrException e) {
            if (e.code() == ErrorCode.UNAVAILABLE) {
                throw new DrException(ErrorCode.UNAVAILABLE, "dr.coordination.uri names a coordination service that "
                        + "did not answer within dr.coordination.connect-timeout ("
                        + settings.properties().coordination().connectTimeout() + "): " + e.getMessage()
                        + settings.at("dr.coordination.uri"), "dr.coordination.uri=" + RedactedUri.of(uri), e);
            }
            if (e.code() == ErrorCode.INVALID_ARGUMENT || e.code() == ErrorCode.INVALID_CONFIG
                    || e.code() == ErrorCode.UNKNOWN_SCHEME) {
                throw new DrException(ErrorCode.INVALID_CONFIG, "dr.coordination.uri is not a usable coordinator URI: "
                        + e.getMessage() + settings.at("dr.coordination.uri"),
                        "dr.coordination.uri=" + RedactedUri.of(uri), e);
            }
            throw e;
        }
    }

    /** Adds the connect timeout to a ZooKeeper URI that does not set its own. */
    private static String withConnectTimeout(String uri, Duration timeout) {
        if (!uri.regionMatches(true, 0, "zookeeper:", 0, "zookeeper:".length()) || uri.contains("connectTimeout=")) {
            return uri;
        }
        return uri + (uri.contains("?") ? "&" : "?") + "connectTimeout=" + timeout;
    }

    /**
     * Joins this instance to its fleet's group and names the lease the endpoint shows.
     *
     * @param coordinator the coordinator
     * @param settings the {@code dr.*} settings
     * @return the fleet view
     */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(Coordinator.class)
    public DrCoordination drCoordination(Coordinator coordinator, DrSettings settings) {
        DrProperties.Coordination c = settings.properties().coordination();
        String uri = c.uri() != null ? c.uri() : settings.properties().repository().uri();
        String backend = uri == null ? "custom" : RedactedUri.of(uri);
        return new DrCoordination(coordinator, backend, settings.coordinationGroup(), c.lease());
    }

    /** Matches when coordination is on and a coordinator URI or a repository is configured. */
    static final class OnCoordination extends AllNestedConditions {
        OnCoordination() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnBooleanProperty(name = "dr.coordination.enabled", matchIfMissing = true)
        static final class Enabled {
        }

        @Conditional(HasTarget.class)
        static final class Target {
        }
    }

    /** Matches when {@code dr.coordination.uri} or {@code dr.repository.uri} is set. */
    static final class HasTarget extends AnyNestedCondition {
        HasTarget() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnProperty(name = "dr.coordination.uri")
        static final class Uri {
        }

        @ConditionalOnProperty(name = "dr.repository.uri")
        static final class Repository {
        }
    }

    /**
     * Opens the audit log file, creating its directory when missing; keyed with the HMAC key of
     * {@code dr.audit.key-file} when it is set.
     *
     * @param settings the {@code dr.*} settings
     * @return the log, closed (with a final digest) with the context
     * @throws IOException when the directory cannot be created
     * @throws DrException {@code INTEGRITY} naming {@code dr.audit.key-file} and the log when the
     *     log exists and was not written with that key, or is HMAC-keyed and no key file is set;
     *     {@code LOCKED} naming {@code dr.audit.file} when another writer holds the log; the
     *     other errors of {@link AuditLog#file}
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @ConditionalOnProperty(name = "dr.audit.file")
    public AuditLog drAuditLog(DrSettings settings) throws IOException {
        Path file = Objects.requireNonNull(settings.properties().audit().file()).toAbsolutePath();
        Files.createDirectories(file.getParent());
        settings.checkAuditKey(file);
        return settings.openAuditLog(file);
    }

    /**
     * Opens the secondary repository of {@code dr.replication.uri}, which receives a copy of
     * every backup and every journal segment; one that cannot be reached is opened in the
     * background (see {@link DrReplication}).
     *
     * @param settings the {@code dr.*} settings
     * @return the secondary, closed (with its store) with the context
     * @throws DrException {@code INVALID_CONFIG} naming {@code dr.replication.uri} when it is no
     *     usable store URI; {@code NOT_FOUND} when its store holds no repository and
     *     {@code dr.replication.init-if-missing} is not set; {@code WRONG_PASSWORD} saying where
     *     the password came from; a store failure other than one of reaching it
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @ConditionalOnProperty(name = "dr.replication.uri")
    public DrReplication drReplication(DrSettings settings) {
        return DrReplication.open(settings);
    }

    /**
     * Opens the repository in the store, creating it first when
     * {@code dr.repository.init-if-missing} is set and the store holds none.
     *
     * @param store the store
     * @param settings the {@code dr.*} settings
     * @param audit the audit log, when there is one
     * @param meters the meter registry, when there is one
     * @return the repository, closed with the context
     * @throws DrException {@code NOT_FOUND} when the store holds no repository and none may be
     *     created; {@code WRONG_PASSWORD} saying where the password came from; a store failure
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @ConditionalOnBean(SnapshotStore.class)
    public Repository drRepository(SnapshotStore store, DrSettings settings, ObjectProvider<AuditLog> audit,
            ObjectProvider<MeterRegistry> meters) {
        RepositoryOptions.Builder options = RepositoryOptions.builder().actor("dr-spring");
        audit.ifAvailable(options::audit);
        meters.ifAvailable(options::meters);
        return openRepository(store, settings, options);
    }

    private static Repository openRepository(SnapshotStore store, DrSettings settings,
            RepositoryOptions.Builder options) {
        DrSettings.Password password = settings.password();
        try {
            return Repository.open(store, password.chars(), options.build());
        } catch (DrException e) {
            if (e.code() == ErrorCode.WRONG_PASSWORD) {
                throw new DrException(ErrorCode.WRONG_PASSWORD, e.getMessage() + " (the password came from "
                        + password.source() + ")", "dr.repository.password", e);
            }
            if (e.code() != ErrorCode.NOT_FOUND) {
                throw e;
            }
            if (!settings.properties().repository().initIfMissing()) {
                throw new DrException(ErrorCode.NOT_FOUND, e.getMessage() + "; create it with 'dr init' or set "
                        + "dr.repository.init-if-missing=true", "dr.repository.uri", e);
            }
            Repository created = Repository.init(store, password.chars(), options.kdf(settings.kdf()).build());
            LOG.info("DR Kit created a new repository {} in {} (dr.repository.init-if-missing=true)", created.id(),
                    store.describe());
            return created;
        } finally {
            Arrays.fill(password.chars(), '\0');
        }
    }

    /**
     * Creates the backups of {@code dr.backup.sources}, scheduled as {@code dr.backup.schedule}
     * says, full or incremental by {@code full-every}, with retention after each. With a
     * secondary ({@code dr.replication.uri}) each backup is copied there before it returns
     * ({@code ScheduledBackups.Builder.replication}); a secondary still being opened is added
     * once it opens.
     *
     * @param repository the repository
     * @param settings the {@code dr.*} settings
     * @param replication the secondary of {@code dr.replication.uri}, when there is one
     * @return the backups, started and stopped with the context
     * @throws DrException {@code INVALID_CONFIG} naming {@code dr.replication.uri} when the
     *     secondary is the repository itself
     */
    @Bean(destroyMethod = "stop")
    @ConditionalOnMissingBean
    @ConditionalOnBean(Repository.class)
    public DrBackups drBackups(Repository repository, DrSettings settings, ObjectProvider<DrReplication> replication) {
        DrProperties.Backup backup = settings.properties().backup();
        DrReplication secondary = replication.getIfAvailable();
        ScheduledBackups.Builder b = ScheduledBackups.builder(repository).rpo(backup.rpo())
                .strategy(settings.strategy()).retention(settings.retention()).clock(Clock.systemUTC())
                .allowEmptySources(backup.allowEmptySources());
        for (Path p : backup.sources()) {
            Path abs = p.toAbsolutePath().normalize();
            Path name = abs.getFileName();
            b.source(DirectorySource.of(name == null ? "root" : name.toString(), abs));
        }
        settings.schedule().ifPresent(b::schedule);
        settings.initialDelay().ifPresent(b::initialDelay);
        if (secondary == null) {
            return new DrBackups(b.build(), settings);
        }
        secondary.replicationOf(repository).ifPresent(b::replication);
        ScheduledBackups backups = b.build();
        if (backups.replication().isEmpty()) {
            secondary.whenOpen(repository, backups::replicateTo);
        }
        return new DrBackups(backups, settings);
    }

    /**
     * Creates the scheduled restore tests of {@code dr.backup.restore-test.*}: each restores a
     * snapshot into a sandbox and runs the application's {@link RestoreValidator} beans,
     * recording the result in the audit log and as {@code dr.restore.test.*} meters.
     *
     * @param repository the repository, which must exist
     * @param settings the {@code dr.*} settings
     * @param validators the application's validators
     * @param audit the audit log, when there is one
     * @param meters the meter registry, when there is one
     * @param scheduler the scheduler the tests run on
     * @return the restore tests, started and closed with the context
     * @throws DrException {@code INVALID_CONFIG} when there is no repository
     */
    @Bean(initMethod = "start", destroyMethod = "close")
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty("dr.backup.restore-test.enabled")
    public RestoreTests drRestoreTests(ObjectProvider<Repository> repository, DrSettings settings,
            ObjectProvider<RestoreValidator> validators, ObjectProvider<AuditLog> audit,
            ObjectProvider<MeterRegistry> meters, @Qualifier("drScheduler") ScheduledExecutorService scheduler) {
        Repository repo = repository.getIfAvailable();
        if (repo == null) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "dr.backup.restore-test.enabled needs a repository: set "
                    + "dr.repository.uri or define a Repository bean", "dr.backup.restore-test.enabled");
        }
        DrProperties.RestoreTest p = settings.properties().backup().restoreTest();
        RestoreTests.Builder b = RestoreTests.builder(repo).schedule(BackupSchedule.every(p.interval()))
                .initialDelay(p.initialDelay()).maxAge(p.maxAge()).scheduler(scheduler)
                .validators(validators.orderedStream().toList());
        if (p.sample()) {
            b.sample(new SplittableRandom());
        }
        if (p.sandbox() != null) {
            b.sandbox(p.sandbox());
        }
        audit.ifAvailable(b::audit);
        meters.ifAvailable(b::meterRegistry);
        return b.build();
    }

    /**
     * Starts continuous protection of {@code dr.backup.continuous.directories}: a journal per
     * directory, flushed every {@code flush-interval}, compacted every {@code compact-every},
     * with a heartbeat every {@code heartbeat-every} while idle; with a secondary
     * ({@code dr.replication.uri}) each journal ships its segments there as they become durable.
     *
     * @param repository the repository
     * @param settings the {@code dr.*} settings
     * @param replication the secondary of {@code dr.replication.uri}, when there is one
     * @return the journals, closed (and flushed) with the context
     * @throws DrException {@code INVALID_CONFIG} naming {@code dr.backup.continuous.directories}
     *     when it is empty or names a directory that cannot be watched
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @ConditionalOnBean(Repository.class)
    @ConditionalOnBooleanProperty(name = "dr.backup.continuous.enabled")
    public DrJournals drJournals(Repository repository, DrSettings settings,
            ObjectProvider<DrReplication> replication) {
        return DrJournals.start(repository, settings.properties().backup().continuous(),
                replication.getIfAvailable());
    }

    /**
     * Stops the application when {@code dr.guards.<name>} configures a guard that no
     * {@link Guard} bean carries, since its settings would be ignored.
     *
     * @param settings the {@code dr.*} settings
     * @param guards the application's guards
     * @return the check, run once every singleton exists
     */
    @Bean
    public SmartInitializingSingleton drGuardSettingsCheck(DrSettings settings, ObjectProvider<DrGuards> guards) {
        return () -> {
            DrGuards registry = guards.getIfAvailable();
            if (registry == null) {
                return;
            }
            for (String name : settings.guards().guards().keySet()) {
                if (!registry.all().containsKey(name)) {
                    String nearest = NearestName.of(name, registry.all().keySet());
                    String first = settings.properties().guards().get(name).keySet().stream().sorted().findFirst()
                            .orElse("");
                    String property = "dr.guards." + name + "." + first;
                    throw new DrException(ErrorCode.INVALID_CONFIG, property + " configures a guard named '" + name
                            + "', but no Guard bean has that name" + (nearest == null ? "" : "; did you mean '"
                            + nearest + "'?") + " (guards: " + registry.all().keySet() + ")" + settings.at(property),
                            "dr.guards." + name);
                }
            }
        };
    }

    /**
     * Stops the application when {@code dr.plans.<name>} configures a plan that no {@link Plan}
     * bean carries, since its description and objectives would be ignored and the plan would
     * run with the defaults.
     *
     * @param settings the {@code dr.*} settings
     * @param plans the application's plans
     * @return the check, run once every singleton exists
     */
    @Bean
    public SmartInitializingSingleton drPlanSettingsCheck(DrSettings settings, ObjectProvider<DrPlans> plans) {
        return () -> {
            DrPlans registry = plans.getIfAvailable();
            if (registry == null) {
                return;
            }
            for (String name : settings.properties().plans().keySet()) {
                if (!registry.all().containsKey(name)) {
                    String nearest = NearestName.of(name, registry.all().keySet());
                    String property = Stream.of("rto", "rpo", "description").map(k -> "dr.plans." + name + "." + k)
                            .filter(settings::isSet).findFirst().orElse("dr.plans." + name);
                    throw new DrException(ErrorCode.INVALID_CONFIG, property + " configures a plan named '" + name
                            + "', but no Plan bean has that name" + (nearest == null ? "" : "; did you mean '"
                            + nearest + "'?") + " (plans: " + registry.all().keySet() + ")" + settings.at(property),
                            "dr.plans." + name);
                }
            }
        };
    }

    /**
     * Creates the scheduler that runs the guards' periodic checks.
     *
     * @return a small daemon scheduler, shut down with the context
     */
    @Bean(name = "drScheduler", destroyMethod = "shutdownNow")
    @ConditionalOnMissingBean(name = "drScheduler")
    public ScheduledExecutorService drScheduler() {
        AtomicInteger n = new AtomicInteger();
        return Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "dr-guard-checks-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Creates the incident manager, recording to the audit log when present.
     *
     * @param audit the audit log, when there is one
     * @return the manager
     */
    @Bean
    @ConditionalOnMissingBean
    public IncidentManager drIncidentManager(ObjectProvider<AuditLog> audit) {
        IncidentManager.Builder b = IncidentManager.builder();
        audit.ifAvailable(b::audit);
        return b.build();
    }

    /**
     * Creates the factory of guards configured from {@code dr.guards.<name>}.
     *
     * @param settings the {@code dr.*} settings
     * @param scheduler the guards' scheduler
     * @param audit the audit log, when there is one
     * @param meters the meter registry, when there is one
     * @param probes the application's probes
     * @param incidents opens an incident for every rollback
     * @param coordinator the fleet's coordinator, when there is one: guards share their decisions through it
     * @return the factory
     */
    @Bean
    @ConditionalOnMissingBean
    public DrGuardFactory drGuardFactory(DrSettings settings,
            @Qualifier("drScheduler") ScheduledExecutorService scheduler, ObjectProvider<AuditLog> audit,
            ObjectProvider<MeterRegistry> meters, Map<String, HealthProbe> probes, IncidentManager incidents,
            ObjectProvider<Coordinator> coordinator) {
        return new DrGuardFactory(settings, scheduler, audit.getIfAvailable(), meters.getIfAvailable(), probes,
                incidents, coordinator.getIfAvailable());
    }

    /**
     * Creates the recovery executor, recording to the audit log and the meter registry when present.
     *
     * @param audit the audit log, when there is one
     * @param meters the meter registry, when there is one
     * @return the executor, closed with the context
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public RecoveryExecutor drRecoveryExecutor(ObjectProvider<AuditLog> audit, ObjectProvider<MeterRegistry> meters) {
        RecoveryExecutor.Builder b = RecoveryExecutor.builder();
        audit.ifAvailable(b::audit);
        meters.ifAvailable(b::meterRegistry);
        return b.build();
    }

    /**
     * Creates the reader of plan files, whose {@code failover} steps find the application's
     * {@link Failover} beans by {@link Failover#name()} before those of {@code ServiceLoader}.
     *
     * @param failovers the failover beans
     * @return the reader
     * @throws DrException {@code INVALID_CONFIG} when two failover beans share a name
     */
    @Bean
    @ConditionalOnMissingBean
    public PlanFileReader drPlanFileReader(ObjectProvider<Failover> failovers) {
        PlanFileReader.Builder b = PlanFileReader.builder();
        Map<String, Failover> byName = new LinkedHashMap<>();
        failovers.orderedStream().forEach(f -> {
            Failover before = byName.putIfAbsent(f.name(), f);
            if (before != null) {
                throw new DrException(ErrorCode.INVALID_CONFIG, "two Failover beans are named '" + f.name() + "' ("
                        + before.getClass().getName() + " and " + f.getClass().getName() + ")", "failover=" + f.name());
            }
            b.failover(f.name(), f);
        });
        return b.build();
    }

    /**
     * Creates the factory of plans configured from {@code dr.plans.<name>} and of plans read from files.
     *
     * @param settings the {@code dr.*} settings
     * @param reader the reader of plan files
     * @return the factory
     */
    @Bean
    @ConditionalOnMissingBean
    public DrPlanFactory drPlanFactory(DrSettings settings, PlanFileReader reader) {
        return new DrPlanFactory(settings, reader);
    }

    /**
     * Collects the application's {@link Plan} beans by name, with the executor that runs them.
     *
     * @param plans the plan beans
     * @param executor the executor
     * @return the registry
     */
    @Bean
    @ConditionalOnMissingBean
    public DrPlans drPlans(ObjectProvider<Plan> plans, RecoveryExecutor executor) {
        return new DrPlans(plans.orderedStream().toList(), executor);
    }

    /**
     * Collects the application's {@link Guard} beans by name.
     *
     * @param guards the guard beans
     * @return the registry
     */
    @Bean
    @ConditionalOnMissingBean
    public DrGuards drGuards(ObjectProvider<Guard<?>> guards) {
        return new DrGuards(guards.orderedStream().toList());
    }
}
