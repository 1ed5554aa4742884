package dev.drkit.spring;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.rollback.Guard;
import dev.drkit.core.incident.IncidentManager;
import dev.drkit.core.recovery.Plan;
import dev.drkit.core.recovery.RecoveryExecutor;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.audit.AuditLog;
import dev.drkit.core.audit.AuditLogConfig;
import dev.drkit.core.store.SnapshotStores;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

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

    /**
     * Opens the store that holds the backup repository.
     *
     * @param properties the {@code dr.*} properties
     * @return the store, closed with the context
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @ConditionalOnProperty(name = "dr.repository.uri")
    public SnapshotStore drSnapshotStore(DrProperties properties) {
        return SnapshotStores.open(java.util.Objects.requireNonNull(properties.getRepository().getUri()));
    }

    /**
     * Opens the audit log file, creating its directory when missing.
     *
     * @param properties the {@code dr.*} properties
     * @return the log, closed (with a final digest) with the context
     * @throws java.io.IOException when the directory cannot be created
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @ConditionalOnProperty(name = "dr.audit.file")
    public AuditLog drAuditLog(DrProperties properties) throws java.io.IOException {
        DrProperties.Audit audit = properties.getAudit();
        Path file = java.util.Objects.requireNonNull(audit.getFile()).toAbsolutePath();
        Files.createDirectories(file.getParent());
        return AuditLog.file(file, AuditLogConfig.builder()
                .durability(audit.getDurability())
                .digestEvery(audit.getDigestEvery())
                .build());
    }

    /**
     * Opens the repository in the store, creating it first when
     * {@code dr.repository.init-if-missing} is set and the store holds none.
     *
     * @param store the store
     * @param properties the {@code dr.*} properties
     * @param audit the audit log, when there is one
     * @param meters the meter registry, when there is one
     * @return the repository, closed with the context
     * @throws DrException {@code NOT_FOUND} when the store holds no repository and none may be
     *     created; {@code WRONG_PASSWORD}; a store failure
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @ConditionalOnBean(SnapshotStore.class)
    public Repository drRepository(SnapshotStore store, DrProperties properties, ObjectProvider<AuditLog> audit,
            ObjectProvider<MeterRegistry> meters) {
        RepositoryOptions.Builder options = RepositoryOptions.builder().actor("dr-spring");
        audit.ifAvailable(options::audit);
        meters.ifAvailable(options::meters);
        char[] password = properties.getRepository().resolvePassword();
        try {
            return Repository.open(store, password, options.build());
        } catch (DrException e) {
            if (e.code() != ErrorCode.NOT_FOUND) {
                throw e;
            }
            if (!properties.getRepository().isInitIfMissing()) {
                throw new DrException(ErrorCode.NOT_FOUND, e.getMessage() + "; create it with 'dr init' or set "
                        + "dr.repository.init-if-missing=true", "dr.repository.uri", e);
            }
            return Repository.init(store, password, options.kdf(properties.getRepository().getKdf().toParams()).build());
        } finally {
            java.util.Arrays.fill(password, '\0');
        }
    }

    /**
     * Creates the backups of {@code dr.backup.sources}, scheduled as {@code dr.backup.schedule} says.
     *
     * @param repository the repository
     * @param properties the {@code dr.*} properties
     * @return the backups
     */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(Repository.class)
    public DrBackups drBackups(Repository repository, DrProperties properties) {
        return new DrBackups(repository, properties.getBackup(), Clock.systemUTC());
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
     * @param properties the {@code dr.*} properties
     * @param scheduler the guards' scheduler
     * @param audit the audit log, when there is one
     * @param meters the meter registry, when there is one
     * @param probes the application's probes
     * @param incidents opens an incident for every rollback
     * @return the factory
     */
    @Bean
    @ConditionalOnMissingBean
    public DrGuardFactory drGuardFactory(DrProperties properties,
            @Qualifier("drScheduler") ScheduledExecutorService scheduler, ObjectProvider<AuditLog> audit,
            ObjectProvider<MeterRegistry> meters, Map<String, HealthProbe> probes, IncidentManager incidents) {
        return new DrGuardFactory(properties, scheduler, audit.getIfAvailable(), meters.getIfAvailable(), probes,
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
     * @param properties the {@code dr.*} properties
     * @return the factory
     */
    @Bean
    @ConditionalOnMissingBean
    public DrPlanFactory drPlanFactory(DrProperties properties) {
        return new DrPlanFactory(properties);
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
