package dev.drkit.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.backup.RestoreValidator;
import dev.drkit.api.backup.ValidationResult;
import dev.drkit.core.backup.RestoreTestResult;
import dev.drkit.core.backup.RestoreTests;
import dev.drkit.core.repository.BackupRequest;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.spring.DrAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** {@code dr.backup.restore-test.*}: the scheduled restore tests, their validators, meters and health. */
class RestoreTestsStarterTest {
    @TempDir
    Path dir;

    static final AtomicBoolean ORDERS_OK = new AtomicBoolean(true);

    ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DrAutoConfiguration.class, DrActuatorAutoConfiguration.class))
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withPropertyValues("dr.repository.uri=mem:restore-tests-" + UUID.randomUUID(),
                        "dr.repository.password=pw", "dr.repository.init-if-missing=true",
                        "dr.repository.kdf.memory-kib=1024", "dr.repository.kdf.iterations=1");
    }

    @Test
    void enabledRestoreTestsAreScheduledRunTheValidatorBeansAndReportHealthAndMeters() throws Exception {
        Path data = Files.createDirectories(dir.resolve("orders"));
        Files.writeString(data.resolve("ledger.csv"), "id\n1\n2\n");
        runner().withPropertyValues("dr.backup.restore-test.enabled=true", "dr.backup.restore-test.interval=12h",
                        "dr.backup.restore-test.initial-delay=1h", "dr.backup.restore-test.max-age=2d",
                        "dr.backup.restore-test.sandbox=" + dir.resolve("sandboxes"), "dr.audit.file=" + dir.resolve("a.jsonl"))
                .withBean("ordersValidator", RestoreValidator.class, () -> restored -> {
                    if (!ORDERS_OK.get()) {
                        throw new IllegalStateException("orders table is empty");
                    }
                    return ValidationResult.passed(Files.readAllLines(restored.directory().resolve("orders/ledger.csv"))
                            .size() + " lines");
                })
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed().hasSingleBean(RestoreTests.class)
                            .hasBean("drRestoreTestsHealthIndicator");
                    RestoreTests tests = ctx.getBean(RestoreTests.class);
                    assertThat(tests.maxAge()).isEqualTo(Duration.ofDays(2));
                    assertThat(tests.nextRun()).hasValueSatisfying(t -> assertThat(t)
                            .isAfter(Instant.now().plus(Duration.ofMinutes(50))));
                    RestoreTestsHealthIndicator health = ctx.getBean(RestoreTestsHealthIndicator.class);
                    assertThat(health.health().getStatus()).isEqualTo(Status.UNKNOWN);

                    ctx.getBean(Repository.class).backup(BackupRequest.builder()
                            .source(DirectorySource.of("orders", data)).build());
                    ORDERS_OK.set(true);
                    RestoreTestResult passed = tests.runNow();
                    assertThat(passed.passed()).as(passed.reason()).isTrue();
                    assertThat(passed.checks()).singleElement().extracting(RestoreTestResult.Check::detail)
                            .isEqualTo("3 lines");
                    Health up = health.health();
                    assertThat(up.getStatus()).isEqualTo(Status.UP);
                    assertThat(up.getDetails()).containsEntry("passed", true).containsKey("projectedRto");

                    ORDERS_OK.set(false);
                    RestoreTestResult failed = tests.runNow();
                    assertThat(failed.reason()).endsWith("failed: orders table is empty");
                    Health down = health.health();
                    assertThat(down.getStatus()).isEqualTo(Status.DOWN);
                    assertThat(down.getDetails().get("reason").toString()).endsWith("orders table is empty");

                    MeterRegistry meters = ctx.getBean(MeterRegistry.class);
                    assertThat(meters.get("dr.restore.test.runs").tag("outcome", "passed").counter().count()).isEqualTo(1);
                    assertThat(meters.get("dr.restore.test.runs").tag("outcome", "failed").counter().count()).isEqualTo(1);
                    assertThat(meters.get("dr.restore.test.projected.rto").gauge().value()).isGreaterThan(0);
                });
        assertThat(Files.readString(dir.resolve("a.jsonl"))).contains("\"restore.test\"");
    }

    @Test
    void withoutThePropertyThereAreNoRestoreTests() {
        runner().run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(RestoreTests.class)
                .doesNotHaveBean("drRestoreTestsHealthIndicator"));
    }

    @Test
    void restoreTestsWithoutARepositoryStopTheApplication() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(DrAutoConfiguration.class))
                .withPropertyValues("dr.backup.restore-test.enabled=true")
                .run(ctx -> assertThat(ctx).hasFailed().getFailure().rootCause().hasMessage(
                        "dr.backup.restore-test.enabled needs a repository: set dr.repository.uri or define a "
                                + "Repository bean"));
    }

    @Test
    void aNonPositiveIntervalOrMaxAgeNamesTheProperty() {
        runner().withPropertyValues("dr.backup.restore-test.interval=0s").run(ctx -> assertThat(ctx).hasFailed()
                .getFailure().rootCause().hasMessageContaining("dr.backup.restore-test.interval must be > 0, but was PT0S"));
        runner().withPropertyValues("dr.backup.restore-test.max-age=-1h").run(ctx -> assertThat(ctx).hasFailed()
                .getFailure().rootCause().hasMessageContaining("dr.backup.restore-test.max-age must be > 0"));
    }
}
