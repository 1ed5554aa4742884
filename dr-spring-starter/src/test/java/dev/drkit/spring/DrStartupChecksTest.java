package dev.drkit.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.rollback.Guard;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.recovery.Plan;
import dev.drkit.core.repository.KdfParams;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.core.rollback.GuardConfig;
import dev.drkit.core.store.SnapshotStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.env.PropertiesPropertySourceLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.FileSystemResource;

/**
 * The mistakes a new user makes, caught at start-up with the property named in kebab-case and,
 * where Spring knows it, the file and line it was set in.
 */
@ExtendWith(OutputCaptureExtension.class)
class DrStartupChecksTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DrAutoConfiguration.class));

    @TempDir
    Path dir;

    /** Runs with properties read from an application.properties file, as Spring Boot reads it. */
    private ApplicationContextRunner fromFile(String text) throws Exception {
        Path file = dir.resolve("application.properties");
        Files.writeString(file, text);
        PropertySource<?> source = new PropertiesPropertySourceLoader()
                .load("application.properties", new FileSystemResource(file)).get(0);
        return runner.withInitializer(ctx -> ctx.getEnvironment().getPropertySources().addFirst(source));
    }

    private static DrException failure(AssertableApplicationContext ctx) {
        Throwable t = ctx.getStartupFailure();
        while (t != null && !(t instanceof DrException)) {
            t = t.getCause();
        }
        assertThat(t).as("a DrException stopped the application").isNotNull();
        return (DrException) t;
    }

    @Test
    void anUnknownPropertyStopsTheApplicationWithTheNearestKnownOneAndItsLine() throws Exception {
        fromFile("dr.backup.rpo=1h\ndr.backup.schedule.intervall=10s\n").run(ctx -> {
            DrException e = failure(ctx);
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
            assertThat(e.getMessage()).startsWith("dr.backup.schedule.intervall is not a known property; did you mean "
                    + "dr.backup.schedule.interval?").contains("application.properties").contains("- 2:");
        });
        runner.withPropertyValues("dr.repository.init-if-mising=true").run(ctx -> assertThat(failure(ctx).getMessage())
                .startsWith("dr.repository.init-if-mising is not a known property; did you mean "
                        + "dr.repository.init-if-missing?"));
    }

    @Test
    void knownPropertiesInAnySpellingAndEnvironmentVariablesAreAccepted() {
        runner.withPropertyValues("dr.repository.initIfMissing=false", "dr.plans.restore-orders.rto=5m",
                "dr.backup.retention.keep_last=3", "dr.security.operator-role=OPS")
                .withUserConfiguration(RestoreOrdersPlan.class)
                .withInitializer(ctx -> ctx.getEnvironment().getPropertySources().addLast(
                        new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                                Map.of("DR_PASSWORD", "used-by-the-cli"))))
                .run(ctx -> assertThat(ctx).hasNotFailed());
    }

    @Test
    void aMisspeltGuardSettingSuggestsTheRightOne() {
        runner.withPropertyValues("dr.guards.pricing.judge.alpah=0.1")
                .withBean("pricingGuard", Guard.class, () -> TestGuard.named("pricing"))
                .run(ctx -> assertThat(failure(ctx).getMessage()).startsWith(
                        "dr.guards.pricing.judge.alpah is not a known setting; did you mean 'alpha'?"));
    }

    @Test
    void settingsForAGuardWithoutABeanStopTheApplication() throws Exception {
        fromFile("dr.guards.pricng.steps=0.5,1\n").withBean("pricingGuard", Guard.class, () -> TestGuard.named("pricing"))
                .run(ctx -> assertThat(failure(ctx).getMessage())
                        .startsWith("dr.guards.pricng.steps configures a guard named 'pricng', but no Guard bean has "
                                + "that name; did you mean 'pricing'? (guards: [pricing])")
                        .contains("application.properties").contains("- 1:"));
    }

    @Test
    void settingsForAPlanWithoutABeanStopTheApplicationNamingTheNearestPlan() throws Exception {
        fromFile("dr.plans.restore-order.rto=5m\n")
                .withUserConfiguration(RestoreOrdersPlan.class)
                .run(ctx -> {
                    DrException e = failure(ctx);
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
                    assertThat(e.getMessage()).startsWith("dr.plans.restore-order.rto configures a plan named "
                            + "'restore-order', but no Plan bean has that name; did you mean 'restore-orders'? "
                            + "(plans: [restore-orders])").contains("application.properties").contains("- 1:");
                });
        runner.withPropertyValues("dr.plans.restore-orders.rto=5m")
                .withUserConfiguration(RestoreOrdersPlan.class)
                .run(ctx -> assertThat(ctx.getBean(DrPlans.class).get("restore-orders").objectives().rto())
                        .isEqualTo(Duration.ofMinutes(5)));
    }

    @Configuration(proxyBeanMethods = false)
    static class RestoreOrdersPlan {
        @Bean
        Plan restoreOrders(DrPlanFactory plans) {
            return plans.builder("restore-orders").step("check", c -> c.progress(1.0, "checked")).build();
        }
    }

    @Test
    void everyGuardSettingOfTheCoreModelIsSettableFromSpring() {
        runner.withBean("pricingGuard", Guard.class, () -> TestGuard.named("pricing")).withPropertyValues(
                "dr.guards.pricing.circuit-breaker.failure-rate-threshold=25",
                "dr.guards.pricing.circuit-breaker.ignore-exceptions=java.lang.IllegalStateException",
                "dr.guards.pricing.latency.max-p99-ratio=1.5", "dr.guards.pricing.latency.slack=1ms",
                "dr.guards.pricing.probes.interval=2s", "dr.guards.pricing.shadow=true",
                "dr.guards.pricing.retry-on-stable=true", "dr.guards.pricing.revert-window=5m",
                "dr.guards.pricing.gradual-batches=2", "dr.guards.pricing.judge.baseline-prior-calls=7",
                "dr.guards.pricing.plan.steps[0].weight=0.2", "dr.guards.pricing.plan.steps[0].min-calls=50",
                "dr.guards.pricing.plan.steps[1].weight=1").run(ctx -> {
                    GuardConfig g = ctx.getBean(DrGuardFactory.class).config("pricing");
                    assertThat(g.circuitBreaker().failureRateThreshold()).isEqualTo(25f);
                    assertThat(g.circuitBreaker().ignoreExceptions()).containsExactly("java.lang.IllegalStateException");
                    assertThat(g.latency().maxP99Ratio()).isEqualTo(1.5);
                    assertThat(g.latency().slack()).isEqualTo(Duration.ofMillis(1));
                    assertThat(g.probes().interval()).isEqualTo(Duration.ofSeconds(2));
                    assertThat(g.shadow()).isTrue();
                    assertThat(g.retryOnStable()).isTrue();
                    assertThat(g.revertWindow()).isEqualTo(Duration.ofMinutes(5));
                    assertThat(g.gradualBatches()).isEqualTo(2);
                    assertThat(g.judge().baselinePriorCalls()).isEqualTo(7);
                    assertThat(g.plan().size()).isEqualTo(2);
                    assertThat(g.plan().step(0).minCalls()).isEqualTo(50);
                });
    }

    @Test
    void aShortFormAndItsLongFormTogetherAreRefused() {
        runner.withPropertyValues("dr.guards.pricing.steps=0.5,1", "dr.guards.pricing.plan.steps=0.2,1")
                .withBean("pricingGuard", Guard.class, () -> TestGuard.named("pricing"))
                .run(ctx -> assertThat(failure(ctx).getMessage()).contains("set the same thing; keep one"));
    }

    @Test
    void aBackupSourceThatDoesNotExistStopsTheApplication() {
        Path missing = dir.resolve("orders");
        runner.withPropertyValues("dr.repository.uri=mem:x", "dr.repository.password=pw",
                "dr.repository.init-if-missing=true", "dr.backup.sources=" + missing, "dr.backup.schedule.interval=1h")
                .run(ctx -> assertThat(failure(ctx).getMessage())
                        .startsWith("dr.backup.sources[0] does not exist, but was " + missing));
    }

    @Test
    void aBackupSourceThatCannotBeReadStopsTheApplication() throws Exception {
        Path locked = Files.createDirectories(dir.resolve("locked"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        assumeThat(Files.isReadable(locked)).as("not running as root").isFalse();
        runner.withPropertyValues("dr.repository.uri=mem:x", "dr.repository.password=pw",
                "dr.backup.sources=" + locked, "dr.backup.schedule.interval=1h")
                .run(ctx -> assertThat(failure(ctx).getMessage()).startsWith("dr.backup.sources[0] cannot be read"));
    }

    @Test
    void sourcesWithoutAScheduleStopTheApplication() throws Exception {
        Path data = Files.createDirectories(dir.resolve("orders"));
        fromFile("dr.repository.uri=mem:x\ndr.repository.password=pw\ndr.backup.sources=" + data + "\n")
                .run(ctx -> assertThat(failure(ctx).getMessage()).startsWith("dr.backup.sources are set but no backup "
                        + "is scheduled: set dr.backup.schedule.interval (such as 15m) or dr.backup.schedule.cron")
                        .contains("- 3:"));
    }

    @Test
    void aBackupIntervalUnderOneSecondStopsTheApplicationSayingABareNumberIsMilliseconds() throws Exception {
        Path data = Files.createDirectories(dir.resolve("orders"));
        fromFile("dr.repository.uri=mem:x\ndr.repository.password=pw\ndr.backup.sources=" + data
                + "\ndr.backup.schedule.interval=15\n").run(ctx -> {
                    DrException e = failure(ctx);
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
                    assertThat(e.getMessage()).startsWith("dr.backup.schedule.interval must be at least 1s (a bare "
                            + "number means milliseconds: write 15m or 15s), but was 15 (15 ms)").contains("- 4:");
                });
        runner.withPropertyValues("dr.backup.schedule.interval=1s").run(ctx -> assertThat(ctx).hasNotFailed());
        runner.withPropertyValues("dr.repository.uri=mem:x", "dr.repository.password=pw", "dr.backup.rpo=60")
                .run(ctx -> assertThat(failure(ctx).getMessage()).startsWith("dr.backup.rpo must be at least 1s (a "
                        + "bare number means milliseconds"));
        runner.withPropertyValues("dr.repository.uri=mem:x", "dr.repository.password=pw",
                "dr.backup.restore-test.interval=500ms").run(ctx -> assertThat(failure(ctx).getMessage())
                        .startsWith("dr.backup.restore-test.interval must be at least 1s"));
    }

    @Test
    void otherDurationsWrittenAsABareNumberUnderOneThousandStopTheApplication() throws Exception {
        fromFile("dr.repository.uri=mem:x\ndr.repository.password=pw\ndr.coordination.ttl=15\n").run(ctx -> {
            DrException e = failure(ctx);
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
            assertThat(e.getMessage()).startsWith("dr.coordination.ttl is a bare number, which means milliseconds: "
                    + "write 15s, or 15ms if milliseconds are meant, but was 15 (15 ms)").contains("- 3:");
        });
        runner.withPropertyValues("dr.backup.continuous.flush-interval=5").run(ctx -> assertThat(failure(ctx)
                .getMessage()).startsWith("dr.backup.continuous.flush-interval is a bare number"));
        runner.withPropertyValues("dr.plans.restore-orders.rto=30").run(ctx -> assertThat(failure(ctx)
                .getMessage()).startsWith("dr.plans.restore-orders.rto is a bare number"));
        // a unit says what is meant, and a bare number of 1000 or more is taken as written
        runner.withPropertyValues("dr.backup.continuous.flush-interval=50ms", "dr.coordination.poll-interval=2000",
                "dr.coordination.ttl=15s").run(ctx -> assertThat(ctx).hasNotFailed());
    }

    @Test
    void anUnparseableRepositoryUriNamesTheProperty() throws Exception {
        fromFile("dr.repository.password=pw\ndr.repository.uri=file:/var/backups/orders   # s3://bucket/prefix\n")
                .run(ctx -> assertThat(failure(ctx).getMessage()).startsWith("dr.repository.uri is not a usable store "
                        + "URI: ").contains("application.properties").contains("- 2:"));
        runner.withPropertyValues("dr.repository.password=pw", "dr.repository.uri=ftp://host/x").run(ctx -> assertThat(
                failure(ctx).getMessage()).startsWith("dr.repository.uri is not a usable store URI: "));
    }

    @Test
    void aWrongPasswordSaysWhereThePasswordCameFrom() throws Exception {
        SnapshotStore store = SnapshotStores.memory();
        Repository.init(store, "right".toCharArray(), RepositoryOptions.builder().kdf(new KdfParams(1024, 1, 1))
                .build()).close();
        Path file = dir.resolve("password");
        Files.writeString(file, "wrong\n");
        runner.withBean(SnapshotStore.class, () -> store).withPropertyValues("dr.repository.password-file=" + file)
                .run(ctx -> {
                    DrException e = failure(ctx);
                    assertThat(e.code()).isEqualTo(ErrorCode.WRONG_PASSWORD);
                    assertThat(e.getMessage()).contains("the password came from dr.repository.password-file")
                            .contains(file.toString()).doesNotContain("wrong\n");
                });
        runner.withBean(SnapshotStore.class, () -> store)
                .withInitializer(ctx -> ctx.getEnvironment().getPropertySources().addLast(
                        new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                                Map.of("DR_REPOSITORY_PASSWORD", "wrong"))))
                .run(ctx -> assertThat(failure(ctx).getMessage())
                        .contains("the password came from dr.repository.password")
                        .contains("DR_REPOSITORY_PASSWORD"));
    }

    @Test
    void creatingAMissingRepositoryIsLogged(CapturedOutput output) {
        runner.withPropertyValues("dr.repository.uri=mem:created-" + System.nanoTime(), "dr.repository.password=pw",
                "dr.repository.init-if-missing=true", "dr.repository.kdf.memory-kib=1024",
                "dr.repository.kdf.iterations=1").run(ctx -> {
                    assertThat(ctx).hasSingleBean(Repository.class);
                    assertThat(output).contains("DR Kit created a new repository "
                            + ctx.getBean(Repository.class).id());
                });
    }

    @Test
    void theStartersKeyDerivationDefaultsAreTheCores() {
        runner.run(ctx -> assertThat(ctx.getBean(DrSettings.class).kdf()).isEqualTo(KdfParams.DEFAULT));
    }
}
