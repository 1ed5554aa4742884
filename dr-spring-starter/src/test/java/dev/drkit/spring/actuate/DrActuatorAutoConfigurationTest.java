package dev.drkit.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.rollback.Guard;
import dev.drkit.spring.DrAutoConfiguration;
import dev.drkit.spring.TestGuard;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** One test per condition of {@link DrActuatorAutoConfiguration}. */
class DrActuatorAutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(EndpointAutoConfiguration.class, DrAutoConfiguration.class,
                    DrActuatorAutoConfiguration.class))
            .withBean("pricingGuard", Guard.class, () -> TestGuard.named("pricing"))
            .withPropertyValues("management.endpoints.web.exposure.include=dr");

    @Test
    void withActuatorTheEndpointHealthMetricsAndSanitizerAreCreated() {
        runner.run(ctx -> assertThat(ctx).hasNotFailed().hasSingleBean(DrEndpoint.class)
                .hasSingleBean(DrMeterBinder.class).hasSingleBean(DrSecretsSanitizer.class)
                .hasBean("drGuardsHealthIndicator"));
    }

    @Test
    void anUnexposedEndpointIsNotCreated() {
        runner.withPropertyValues("management.endpoints.web.exposure.include=health")
                .run(ctx -> assertThat(ctx).doesNotHaveBean(DrEndpoint.class).hasSingleBean(DrMeterBinder.class));
    }

    @Test
    void withoutActuatorOnlyTheMetersRemain() {
        runner.withClassLoader(new FilteredClassLoader(Endpoint.class))
                .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(DrEndpoint.class)
                        .doesNotHaveBean(DrSecretsSanitizer.class).hasSingleBean(DrMeterBinder.class));
    }

    @Test
    void withoutSpringBootHealthThereIsNoHealthContributor() {
        runner.withClassLoader(new FilteredClassLoader(HealthIndicator.class))
                .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean("drGuardsHealthIndicator"));
    }

    @Test
    void theGuardsHealthContributorCanBeSwitchedOff() {
        runner.withPropertyValues("management.health.dr-guards.enabled=false")
                .run(ctx -> assertThat(ctx).doesNotHaveBean("drGuardsHealthIndicator"));
    }

    @Test
    void anApplicationEndpointReplacesTheDefault() {
        runner.withBean("myEndpoint", DrEndpoint.class, () -> new DrEndpoint(
                new dev.drkit.spring.DrGuards(java.util.List.of()), null, null, null,
                dev.drkit.spring.DrProperties.Security.DEFAULT, false, java.time.Clock.systemUTC()))
                .run(ctx -> assertThat(ctx).hasSingleBean(DrEndpoint.class).hasBean("myEndpoint"));
    }

    @Test
    void withoutSpringSecurityWritesAreOffUnlessExplicitlyEnabled() {
        ApplicationContextRunner noSecurity = runner.withClassLoader(
                new FilteredClassLoader("org.springframework.security"));
        noSecurity.run(ctx -> {
            WebEndpointResponse<Object> r = ctx.getBean(DrEndpoint.class)
                    .write("guards", "pricing", "rollback", "test", null, SecurityContext.NONE);
            assertThat(r.getStatus()).isEqualTo(403);
            assertThat(body(r)).extractingByKey("error").asString()
                    .contains("write operations are off");
        });
        noSecurity.withPropertyValues("dr.security.unsecured-writes=true").run(ctx -> {
            WebEndpointResponse<Object> r = ctx.getBean(DrEndpoint.class)
                    .write("guards", "pricing", "rollback", "test", null, SecurityContext.NONE);
            assertThat(r.getStatus()).isEqualTo(200);
            assertThat(body(r)).containsEntry("state", "ROLLED_BACK");
        });
    }

    @Test
    void withSpringSecurityAnAnonymousWriteIsRefused() {
        runner.run(ctx -> assertThat(ctx.getBean(DrEndpoint.class)
                .write("guards", "pricing", "rollback", "test", null, SecurityContext.NONE).getStatus()).isEqualTo(401));
    }

    @Test
    void theHealthStatusDefaultsRankDegradedBetweenDownAndUp() {
        org.springframework.core.env.StandardEnvironment env = new org.springframework.core.env.StandardEnvironment();
        new DrHealthStatusDefaults().postProcessEnvironment(env, new org.springframework.boot.SpringApplication());
        assertThat(env.getProperty("management.endpoint.health.status.order"))
                .isEqualTo("DOWN,OUT_OF_SERVICE,DEGRADED,UP,UNKNOWN");
        assertThat(env.getProperty("management.endpoint.health.status.http-mapping.DEGRADED")).isEqualTo("200");
    }

    @Test
    void theStartersContributorsFormAHealthGroupThatShowsTheirDetails() {
        org.springframework.core.env.StandardEnvironment env = new org.springframework.core.env.StandardEnvironment();
        env.getPropertySources().addFirst(new org.springframework.core.env.MapPropertySource("app",
                Map.of("dr.repository.uri", "mem:x")));
        new DrHealthStatusDefaults().postProcessEnvironment(env, new org.springframework.boot.SpringApplication());
        assertThat(env.getProperty("management.endpoint.health.group.dr.include"))
                .isEqualTo("drGuards,drBackups,drCoordination");
        assertThat(env.getProperty("management.endpoint.health.group.dr.show-details")).isEqualTo("always");

        org.springframework.core.env.StandardEnvironment noBackups = new org.springframework.core.env.StandardEnvironment();
        noBackups.getPropertySources().addFirst(new org.springframework.core.env.MapPropertySource("app",
                Map.of("dr.repository.uri", "mem:x", "management.health.dr-backups.enabled", "false")));
        new DrHealthStatusDefaults().postProcessEnvironment(noBackups, new org.springframework.boot.SpringApplication());
        assertThat(noBackups.getProperty("management.endpoint.health.group.dr.include"))
                .isEqualTo("drGuards,drCoordination");

        org.springframework.core.env.StandardEnvironment noFleet = new org.springframework.core.env.StandardEnvironment();
        noFleet.getPropertySources().addFirst(new org.springframework.core.env.MapPropertySource("app",
                Map.of("dr.repository.uri", "mem:x", "dr.coordination.enabled", "false")));
        new DrHealthStatusDefaults().postProcessEnvironment(noFleet, new org.springframework.boot.SpringApplication());
        assertThat(noFleet.getProperty("management.endpoint.health.group.dr.include")).isEqualTo("drGuards,drBackups");

        org.springframework.core.env.StandardEnvironment journaled = new org.springframework.core.env.StandardEnvironment();
        journaled.getPropertySources().addFirst(new org.springframework.core.env.MapPropertySource("app",
                Map.of("dr.repository.uri", "mem:x", "dr.backup.continuous.enabled", "true", "dr.postgres.enabled",
                        "true", "spring.datasource.url", "jdbc:postgresql://db/orders")));
        new DrHealthStatusDefaults().postProcessEnvironment(journaled, new org.springframework.boot.SpringApplication());
        assertThat(journaled.getProperty("management.endpoint.health.group.dr.include"))
                .isEqualTo("drGuards,drBackups,drJournal,drPostgres,drCoordination");

        org.springframework.core.env.StandardEnvironment noDataSource = new org.springframework.core.env.StandardEnvironment();
        noDataSource.getPropertySources().addFirst(new org.springframework.core.env.MapPropertySource("app",
                Map.of("dr.repository.uri", "mem:x", "dr.postgres.enabled", "true")));
        new DrHealthStatusDefaults().postProcessEnvironment(noDataSource, new org.springframework.boot.SpringApplication());
        assertThat(noDataSource.getProperty("management.endpoint.health.group.dr.include"))
                .isEqualTo("drGuards,drBackups,drCoordination");

        org.springframework.core.env.StandardEnvironment replicated = new org.springframework.core.env.StandardEnvironment();
        replicated.getPropertySources().addFirst(new org.springframework.core.env.MapPropertySource("app",
                Map.of("dr.repository.uri", "mem:x", "dr.replication.uri", "file:/srv/offsite")));
        new DrHealthStatusDefaults().postProcessEnvironment(replicated, new org.springframework.boot.SpringApplication());
        assertThat(replicated.getProperty("management.endpoint.health.group.dr.include"))
                .isEqualTo("drGuards,drBackups,drReplication,drCoordination");

        org.springframework.core.env.StandardEnvironment off = new org.springframework.core.env.StandardEnvironment();
        off.getPropertySources().addFirst(new org.springframework.core.env.MapPropertySource("app",
                Map.of("dr.enabled", "false")));
        new DrHealthStatusDefaults().postProcessEnvironment(off, new org.springframework.boot.SpringApplication());
        assertThat(off.containsProperty("management.endpoint.health.group.dr.include")).isFalse();

        org.springframework.core.env.StandardEnvironment excluded = new org.springframework.core.env.StandardEnvironment();
        excluded.getPropertySources().addFirst(new org.springframework.core.env.MapPropertySource("app",
                Map.of("spring.autoconfigure.exclude", DrActuatorAutoConfiguration.class.getName())));
        new DrHealthStatusDefaults().postProcessEnvironment(excluded, new org.springframework.boot.SpringApplication());
        assertThat(excluded.containsProperty("management.endpoint.health.group.dr.include")).isFalse();
    }

    @Test
    void theLastSuccessfulBackupIsAGaugeInSecondsSinceTheEpoch(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path data = java.nio.file.Files.createDirectories(dir.resolve("orders"));
        runner.withPropertyValues("dr.repository.uri=mem:gauge-" + System.nanoTime(), "dr.repository.password=pw",
                "dr.repository.init-if-missing=true", "dr.repository.kdf.memory-kib=1024",
                "dr.repository.kdf.iterations=1", "dr.backup.sources=" + data, "dr.backup.schedule.interval=1h",
                "dr.backup.schedule.initial-delay=1h").run(ctx -> {
                    io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
                            new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
                    ctx.getBean(DrMeterBinder.class).bindTo(registry);
                    io.micrometer.core.instrument.Gauge gauge = registry.get("dr.backup.last.success").gauge();
                    assertThat(gauge.value()).isNaN();
                    dev.drkit.spring.DrBackups backups = ctx.getBean(dev.drkit.spring.DrBackups.class);
                    backups.backupNow(dev.drkit.api.backup.BackupKind.FULL);
                    assertThat(gauge.value()).isEqualTo(backups.lastSuccess().orElseThrow().toEpochMilli() / 1000.0);
                    assertThat(registry.get("dr.guard.weight").tag("guard", "pricing").gauge()).isNotNull();
                    assertThat(registry.find("dr.guard.candidate.weight").gauge()).isNull();
                });
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> body(WebEndpointResponse<Object> r) {
        return (Map<String, Object>) r.getBody();
    }
}
