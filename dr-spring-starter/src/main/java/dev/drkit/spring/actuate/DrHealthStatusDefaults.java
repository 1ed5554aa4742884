package dev.drkit.spring.actuate;

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Teaches the health endpoint the {@code DEGRADED} status of {@link GuardsHealthIndicator}:
 * it ranks between DOWN and UP and answers HTTP 200 (DOWN and OUT_OF_SERVICE keep 503). Added as the last, lowest-priority
 * property source, so an application's own {@code management.endpoint.health.status.*}
 * settings win.
 */
public final class DrHealthStatusDefaults implements EnvironmentPostProcessor {
    /** The name of the property source this adds. */
    public static final String SOURCE_NAME = "drHealthStatusDefaults";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (environment.getPropertySources().contains(SOURCE_NAME)) {
            return;
        }
        // a configured mapping replaces Spring Boot's defaults, so they are repeated here
        environment.getPropertySources().addLast(new MapPropertySource(SOURCE_NAME, Map.of(
                "management.endpoint.health.status.order", "DOWN,OUT_OF_SERVICE,DEGRADED,UP,UNKNOWN",
                "management.endpoint.health.status.http-mapping.DOWN", "503",
                "management.endpoint.health.status.http-mapping.OUT_OF_SERVICE", "503",
                "management.endpoint.health.status.http-mapping.DEGRADED", "200")));
    }
}
