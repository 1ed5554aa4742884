package dev.drkit.spring;

import dev.drkit.api.rollback.Guard;
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
 * store named by {@code dr.repository.uri}, the audit log in {@code dr.audit.file} and the
 * registry of the application's guards. Every bean gives way to one the application defines.
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
