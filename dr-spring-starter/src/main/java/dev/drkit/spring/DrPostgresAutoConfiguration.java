package dev.drkit.spring;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.core.repository.Repository;
import dev.drkit.postgres.PostgresConnection;
import dev.drkit.postgres.WalStreamer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.concurrent.ScheduledExecutorService;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of the application's PostgreSQL streaming ({@code dr.postgres.*}): with
 * dr-postgres on the class path, {@code dr.postgres.enabled=true}, a repository and a
 * DataSource, the DataSource's server is streamed into the repository.
 */
@AutoConfiguration(after = DrAutoConfiguration.class, afterName = {
        "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration"})
@ConditionalOnClass(WalStreamer.class)
@ConditionalOnBooleanProperty(name = "dr.postgres.enabled")
@ConditionalOnBean({Repository.class, DataSource.class})
public class DrPostgresAutoConfiguration {

    /**
     * Starts streaming the DataSource's server, as {@code dr.postgres.*} says.
     *
     * @param repository the repository
     * @param dataSource the application's DataSource: its URL and user name
     * @param properties the {@code dr.*} properties
     * @param environment for {@code spring.datasource.password} when {@code dr.postgres.password} is unset
     * @param scheduler runs scheduled base backups
     * @param replication the secondary of {@code dr.replication.uri}, when there is one: WAL
     *     segments ship there and base backups are copied there
     * @return the streaming, stopped with the context
     * @throws DrException naming the {@code dr.postgres.*} property at fault: the slot, the role, the password
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public DrPostgres drPostgres(Repository repository, DataSource dataSource, DrProperties properties,
            Environment environment, @Qualifier("drScheduler") ScheduledExecutorService scheduler,
            ObjectProvider<DrReplication> replication) {
        DrProperties.Postgres pg = properties.postgres();
        if (pg.restartDelay().isNegative() || pg.restartDelay().isZero()) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "dr.postgres.restart-delay must be > 0, but was "
                    + pg.restartDelay(), "dr.postgres.restart-delay");
        }
        String url;
        String dataSourceUser;
        try (Connection c = dataSource.getConnection()) {
            DatabaseMetaData meta = c.getMetaData();
            url = meta.getURL();
            dataSourceUser = meta.getUserName();
        } catch (SQLException e) {
            throw new DrException(ErrorCode.UNAVAILABLE, "dr.postgres.enabled: cannot reach the DataSource's server: "
                    + e.getMessage(), "spring.datasource.url", e);
        }
        if (url == null || !url.startsWith("jdbc:postgresql:")) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "dr.postgres.enabled needs a PostgreSQL DataSource, but its "
                    + "URL is " + url, "spring.datasource.url");
        }
        String user = pg.username() != null ? pg.username() : dataSourceUser;
        String password = pg.password() != null ? pg.password() : environment.getProperty("spring.datasource.password");
        if (password == null) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "dr.postgres.password is unset and so is "
                    + "spring.datasource.password: the streaming role needs a password", "dr.postgres.password");
        }
        return new DrPostgres(repository, new PostgresConnection(url, user, password), pg, scheduler,
                replication.getIfAvailable());
    }

    /** The meters, with Micrometer on the class path. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterBinder.class)
    static class Meters {
        /**
         * Registers {@code dr.postgres.slot.lag}, {@code dr.postgres.wal.streamed} and {@code dr.postgres.wal.chunks}.
         *
         * @param postgres the streaming
         * @return the binder
         */
        @Bean
        @ConditionalOnMissingBean(name = "drPostgresMeters")
        MeterBinder drPostgresMeters(DrPostgres postgres) {
            return postgres::bindTo;
        }
    }

    /** The health contributor, with spring-boot-health on the class path. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    static class HealthContributor {
        /**
         * Creates the PostgreSQL streaming health contributor, shown as {@code drPostgres}: DOWN
         * when streaming stopped or the slot holds back more WAL than {@code dr.postgres.lag-warning}.
         *
         * @param postgres the streaming
         * @param properties the {@code dr.*} properties
         * @return the contributor
         */
        @Bean
        @ConditionalOnMissingBean(name = "drPostgresHealthIndicator")
        @ConditionalOnEnabledHealthIndicator("dr-postgres")
        HealthIndicator drPostgresHealthIndicator(DrPostgres postgres, DrProperties properties) {
            long warning = properties.postgres().lagWarning();
            return () -> {
                WalStreamer s = postgres.streamer();
                boolean ok = s.isRunning() && s.slotLagBytes() <= warning;
                Health.Builder b = ok ? Health.up() : Health.down();
                b.withDetail("slot", s.slot()).withDetail("streamedLsn", s.streamedLsn().toString())
                        .withDetail("slotLagBytes", s.slotLagBytes()).withDetail("lagWarningBytes", warning)
                        .withDetail("streaming", s.isRunning());
                s.failure().ifPresent(e -> b.withDetail("failure", String.valueOf(e.getMessage())));
                postgres.lastBaseBackup().ifPresent(base -> b.withDetail("lastBaseBackup", base.stopTime().toString()));
                return b.build();
            };
        }
    }
}
