package dev.drkit.spring;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.rollback.Guard;
import dev.drkit.api.store.RedactedUri;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.audit.AuditLog;
import dev.drkit.core.backup.ScheduledBackups;
import dev.drkit.core.config.NearestName;
import dev.drkit.core.incident.IncidentManager;
import dev.drkit.core.recovery.Plan;
import dev.drkit.core.recovery.RecoveryExecutor;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.core.store.SnapshotStores;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of DR Kit's core beans from the {@code dr.*} properties: the snapshot
 * store named by {@code dr.repository.uri}, the repository in it and the scheduled backups of
 * {@code dr.backup.sources}, the audit log in {@code dr.audit.file}, the guard factory and the
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
        String uri = Objects.requireNonNull(settings.properties().repository().uri());
        try {
            return SnapshotStores.open(uri);
        } catch (DrException e) {
            if (e.code() != ErrorCode.INVALID_ARGUMENT && e.code() != ErrorCode.INVALID_CONFIG
                    && e.code() != ErrorCode.UNKNOWN_SCHEME) {
                throw e;
            }
            throw new DrException(ErrorCode.INVALID_CONFIG, "dr.repository.uri is not a usable store URI: "
                    + e.getMessage() + settings.at("dr.repository.uri"), "dr.repository.uri=" + RedactedUri.of(uri));
        }
    }

    /**
     * Opens the audit log file, creating its directory when missing.
     *
     * @param settings the {@code dr.*} settings
     * @return the log, closed (with a final digest) with the context
     * @throws IOException when the directory cannot be created
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @ConditionalOnProperty(name = "dr.audit.file")
    public AuditLog drAuditLog(DrSettings settings) throws IOException {
        Path file = Objects.requireNonNull(settings.properties().audit().file()).toAbsolutePath();
        Files.createDirectories(file.getParent());
        return AuditLog.file(file, settings.audit());
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
     * says, full or incremental by {@code full-every}, with retention after each.
     *
     * @param repository the repository
     * @param settings the {@code dr.*} settings
     * @return the backups, started and stopped with the context
     */
    @Bean(destroyMethod = "stop")
    @ConditionalOnMissingBean
    @ConditionalOnBean(Repository.class)
    public DrBackups drBackups(Repository repository, DrSettings settings) {
        DrProperties.Backup backup = settings.properties().backup();
        ScheduledBackups.Builder b = ScheduledBackups.builder(repository).rpo(backup.rpo())
                .strategy(settings.strategy()).retention(settings.retention()).clock(Clock.systemUTC());
        for (Path p : backup.sources()) {
            Path abs = p.toAbsolutePath().normalize();
            Path name = abs.getFileName();
            b.source(DirectorySource.of(name == null ? "root" : name.toString(), abs));
        }
        settings.schedule().ifPresent(b::schedule);
        settings.initialDelay().ifPresent(b::initialDelay);
        return new DrBackups(b.build(), settings);
    }

    /**
     * Starts continuous protection of {@code dr.backup.continuous.directories}: a journal per
     * directory, flushed every {@code flush-interval}, compacted every {@code compact-every}.
     *
     * @param repository the repository
     * @param settings the {@code dr.*} settings
     * @return the journals, closed (and flushed) with the context
     * @throws DrException {@code INVALID_CONFIG} naming {@code dr.backup.continuous.directories}
     *     when it is empty or names a directory that cannot be watched
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @ConditionalOnBean(Repository.class)
    @ConditionalOnBooleanProperty(name = "dr.backup.continuous.enabled")
    public DrJournals drJournals(Repository repository, DrSettings settings) {
        return DrJournals.start(repository, settings.properties().backup().continuous());
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
     * @return the factory
     */
    @Bean
    @ConditionalOnMissingBean
    public DrGuardFactory drGuardFactory(DrSettings settings,
            @Qualifier("drScheduler") ScheduledExecutorService scheduler, ObjectProvider<AuditLog> audit,
            ObjectProvider<MeterRegistry> meters, Map<String, HealthProbe> probes, IncidentManager incidents) {
        return new DrGuardFactory(settings, scheduler, audit.getIfAvailable(), meters.getIfAvailable(), probes,
                incidents);
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
     * Creates the factory of plans configured from {@code dr.plans.<name>}.
     *
     * @param settings the {@code dr.*} settings
     * @return the factory
     */
    @Bean
    @ConditionalOnMissingBean
    public DrPlanFactory drPlanFactory(DrSettings settings) {
        return new DrPlanFactory(settings);
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
