package dev.drkit.spring.actuate;

import dev.drkit.core.audit.AuditLog;
import dev.drkit.core.backup.RestoreTests;
import dev.drkit.core.incident.IncidentManager;
import dev.drkit.spring.DrAutoConfiguration;
import dev.drkit.spring.DrBackups;
import dev.drkit.spring.DrOverviewSection;
import dev.drkit.spring.DrCoordination;
import dev.drkit.spring.DrJournals;
import dev.drkit.spring.DrPlans;
import dev.drkit.spring.DrGuards;
import dev.drkit.spring.DrProperties;
import dev.drkit.spring.DrReplication;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.ClassUtils;

/**
 * Auto-configuration of DR Kit's actuator parts: the {@code dr} endpoint, the guards, backups
 * and fleet coordination health contributors, the {@code dr.*} meters and the masking of DR
 * Kit's secrets. Each part needs its Spring Boot module on the class path and gives way to a
 * bean the application defines.
 */
@AutoConfiguration(after = DrAutoConfiguration.class)
@ConditionalOnBean(DrGuards.class)
public class DrActuatorAutoConfiguration {

    /**
     * Creates the {@code dr.*} meter binder, which Spring Boot binds to every meter registry.
     *
     * @param guards the guards
     * @param audit the audit log, when there is one
     * @param backups the scheduled backups, when there is a repository
     * @param journals the journals of continuous protection, when enabled
     * @return the binder
     */
    @Bean
    @ConditionalOnClass(MeterBinder.class)
    @ConditionalOnMissingBean
    public DrMeterBinder drMeterBinder(DrGuards guards, ObjectProvider<AuditLog> audit,
            ObjectProvider<DrBackups> backups, ObjectProvider<DrJournals> journals) {
        return new DrMeterBinder(guards, audit.getIfAvailable(), backups.getIfAvailable(),
                journals.getIfAvailable());
    }

    /** The parts that need spring-boot-actuator. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(Endpoint.class)
    static class EndpointConfiguration {

        /**
         * Creates the {@code dr} endpoint.
         *
         * @param guards the guards
         * @param audit the audit log, when there is one
         * @param backups the backups, when a repository is configured
         * @param plans the recovery plans
         * @param incidents the incident manager
         * @param fleet the fleet view, when a coordinator is configured
         * @param properties the {@code dr.*} properties
         * @param sections the overview's sections from optional parts, such as PostgreSQL streaming
         * @param context the application context, whose class loader tells whether Spring Security is present
         * @param journals the journals of continuous protection, when enabled
         * @return the endpoint
         */
        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnAvailableEndpoint
        DrEndpoint drEndpoint(DrGuards guards, ObjectProvider<AuditLog> audit, ObjectProvider<DrBackups> backups,
                ObjectProvider<DrPlans> plans, ObjectProvider<IncidentManager> incidents,
                ObjectProvider<DrCoordination> fleet, DrProperties properties,
                ObjectProvider<DrOverviewSection> sections, ApplicationContext context,
                ObjectProvider<DrJournals> journals) {
            boolean springSecurity = ClassUtils.isPresent("org.springframework.security.core.Authentication",
                    context.getClassLoader());
            DrEndpoint endpoint = new DrEndpoint(guards, audit.getIfAvailable(), backups.getIfAvailable(),
                    plans.getIfAvailable(), properties.security(), springSecurity, Clock.systemUTC());
            incidents.ifAvailable(endpoint::withIncidents);
            sections.orderedStream().forEach(endpoint::withSection);
            fleet.ifAvailable(endpoint::withFleet);
            journals.ifAvailable(endpoint::withJournals);
            return endpoint;
        }

        /**
         * Creates the sanitizer that masks DR Kit's secrets in the env and configprops endpoints.
         *
         * @param properties the {@code dr.*} properties
         * @return the sanitizer
         */
        @Bean
        @ConditionalOnMissingBean
        DrSecretsSanitizer drSecretsSanitizer(DrProperties properties) {
            return new DrSecretsSanitizer(properties);
        }
    }

    /** The parts that need spring-boot-health. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    static class HealthConfiguration {

        /**
         * Creates the guards health contributor, shown as {@code drGuards}.
         *
         * @param guards the guards
         * @return the contributor
         */
        @Bean
        @ConditionalOnMissingBean(name = "drGuardsHealthIndicator")
        @ConditionalOnEnabledHealthIndicator("dr-guards")
        GuardsHealthIndicator drGuardsHealthIndicator(DrGuards guards) {
            return new GuardsHealthIndicator(guards);
        }

        /**
         * Creates the continuous protection health contributor, shown as {@code drJournal}.
         *
         * @param journals the journals
         * @return the contributor
         */
        @Bean
        @ConditionalOnBean(DrJournals.class)
        @ConditionalOnMissingBean(name = "drJournalHealthIndicator")
        @ConditionalOnEnabledHealthIndicator("dr-journal")
        JournalHealthIndicator drJournalHealthIndicator(DrJournals journals) {
            return new JournalHealthIndicator(journals);
        }

        /**
         * Creates the backups health contributor, shown as {@code drBackups}.
         *
         * @param backups the backups
         * @return the contributor
         */
        @Bean
        @ConditionalOnBean(DrBackups.class)
        @ConditionalOnMissingBean(name = "drBackupsHealthIndicator")
        @ConditionalOnEnabledHealthIndicator("dr-backups")
        BackupsHealthIndicator drBackupsHealthIndicator(DrBackups backups) {
            return new BackupsHealthIndicator(backups);
        }

        /**
         * Creates the restore tests' health contributor, shown as {@code drRestoreTests}.
         *
         * @param tests the restore tests
         * @return the indicator
         */
        @Bean
        @ConditionalOnBean(RestoreTests.class)
        @ConditionalOnMissingBean(name = "drRestoreTestsHealthIndicator")
        @ConditionalOnEnabledHealthIndicator("dr-restore-tests")
        RestoreTestsHealthIndicator drRestoreTestsHealthIndicator(RestoreTests tests) {
            return new RestoreTestsHealthIndicator(tests);
        }

        /**
         * Creates the secondary repository's health contributor, shown as {@code drReplication}.
         *
         * @param replication the secondary of {@code dr.replication.uri}
         * @param backups the backups copied to it, when there are any
         * @return the contributor
         */
        @Bean
        @ConditionalOnBean(DrReplication.class)
        @ConditionalOnMissingBean(name = "drReplicationHealthIndicator")
        @ConditionalOnEnabledHealthIndicator("dr-replication")
        ReplicationHealthIndicator drReplicationHealthIndicator(DrReplication replication,
                ObjectProvider<DrBackups> backups) {
            return new ReplicationHealthIndicator(replication, backups.getIfAvailable());
        }

        /**
         * Creates the fleet coordination health contributor, shown as {@code drCoordination}.
         *
         * @param fleet the fleet view
         * @return the contributor
         */
        @Bean
        @ConditionalOnBean(DrCoordination.class)
        @ConditionalOnMissingBean(name = "drCoordinationHealthIndicator")
        @ConditionalOnEnabledHealthIndicator("dr-coordination")
        CoordinationHealthIndicator drCoordinationHealthIndicator(DrCoordination fleet) {
            return new CoordinationHealthIndicator(fleet);
        }
    }
}
