package dev.drkit.spring.actuate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.ClassUtils;

/**
 * Teaches the health endpoint the {@code DEGRADED} status of {@link GuardsHealthIndicator} and
 * {@link ReplicationHealthIndicator}: it ranks between DOWN and UP and answers HTTP 200 (DOWN
 * and OUT_OF_SERVICE keep 503); and adds the health group {@code dr} ({@code /actuator/health/dr}) of the starter's own
 * contributors with their details shown, so that the guards' states and the backups' age can
 * be read without {@code management.endpoint.health.show-details}. Added as the last,
 * lowest-priority property source, so an application's own {@code management.endpoint.health.*}
 * settings win (set {@code management.endpoint.health.group.dr.show-details=never} to hide
 * the details).
 */
public final class DrHealthStatusDefaults implements EnvironmentPostProcessor {
    /** The name of the property source this adds. */
    public static final String SOURCE_NAME = "drHealthStatusDefaults";
    /** The class of dr-postgres whose presence the PostgreSQL streaming needs. */
    private static final String WAL_STREAMER = "dev.drkit.postgres.WalStreamer";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (environment.getPropertySources().contains(SOURCE_NAME)) {
            return;
        }
        // a configured mapping replaces Spring Boot's defaults, so they are repeated here
        Map<String, Object> defaults = new LinkedHashMap<>();
        defaults.put("management.endpoint.health.status.order", "DOWN,OUT_OF_SERVICE,DEGRADED,UP,UNKNOWN");
        defaults.put("management.endpoint.health.status.http-mapping.DOWN", "503");
        defaults.put("management.endpoint.health.status.http-mapping.OUT_OF_SERVICE", "503");
        defaults.put("management.endpoint.health.status.http-mapping.DEGRADED", "200");
        List<String> members = members(environment);
        if (!members.isEmpty()) {
            defaults.put("management.endpoint.health.group.dr.include", String.join(",", members));
            defaults.put("management.endpoint.health.group.dr.show-details", "always");
            defaults.put("management.endpoint.health.group.dr.show-components", "always");
        }
        environment.getPropertySources().addLast(new MapPropertySource(SOURCE_NAME, defaults));
    }

    /**
     * The contributors the starter will create, as far as the properties tell: Spring Boot
     * refuses a group that names a missing one.
     */
    private static List<String> members(ConfigurableEnvironment environment) {
        List<String> members = new ArrayList<>();
        if (!environment.getProperty("dr.enabled", Boolean.class, true) || environment
                .getProperty("spring.autoconfigure.exclude", "").contains(DrActuatorAutoConfiguration.class.getName())) {
            return members;
        }
        boolean defaults = environment.getProperty("management.health.defaults.enabled", Boolean.class, true);
        if (environment.getProperty("management.health.dr-guards.enabled", Boolean.class, defaults)) {
            members.add("drGuards");
        }
        if (environment.containsProperty("dr.repository.uri")
                && environment.getProperty("management.health.dr-backups.enabled", Boolean.class, defaults)) {
            members.add("drBackups");
        }
        if (environment.containsProperty("dr.repository.uri")
                && environment.getProperty("dr.backup.restore-test.enabled", Boolean.class, false)
                && environment.getProperty("management.health.dr-restore-tests.enabled", Boolean.class, defaults)) {
            members.add("drRestoreTests");
        }
        if (environment.containsProperty("dr.repository.uri")
                && environment.getProperty("dr.backup.continuous.enabled", Boolean.class, false)
                && environment.getProperty("management.health.dr-journal.enabled", Boolean.class, defaults)) {
            members.add("drJournal");
        }
        if (environment.containsProperty("dr.repository.uri") && environment.containsProperty("spring.datasource.url")
                && environment.getProperty("dr.postgres.enabled", Boolean.class, false)
                && ClassUtils.isPresent(WAL_STREAMER, DrHealthStatusDefaults.class.getClassLoader())
                && environment.getProperty("management.health.dr-postgres.enabled", Boolean.class, defaults)) {
            members.add("drPostgres");
        }
        if (environment.containsProperty("dr.repository.uri") && environment.containsProperty("dr.replication.uri")
                && environment.getProperty("management.health.dr-replication.enabled", Boolean.class, defaults)) {
            members.add("drReplication");
        }
        if (environment.getProperty("dr.coordination.enabled", Boolean.class, true)
                && (environment.containsProperty("dr.coordination.uri") || environment.containsProperty("dr.repository.uri"))
                && environment.getProperty("management.health.dr-coordination.enabled", Boolean.class, defaults)) {
            members.add("drCoordination");
        }
        return members;
    }
}
