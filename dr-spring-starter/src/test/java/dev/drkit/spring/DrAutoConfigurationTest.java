package dev.drkit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.rollback.Guard;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.audit.AuditLog;
import dev.drkit.core.recovery.Plan;
import dev.drkit.core.recovery.RecoveryExecutor;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.store.SnapshotStores;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** One test per condition of {@link DrAutoConfiguration}, and the validation of the properties. */
class DrAutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DrAutoConfiguration.class));

    @TempDir
    Path dir;

    @Test
    void withoutPropertiesOnlyTheGuardRegistryIsCreated() {
        runner.run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx).hasSingleBean(DrGuards.class).hasSingleBean(DrProperties.class);
            assertThat(ctx).doesNotHaveBean(SnapshotStore.class).doesNotHaveBean(AuditLog.class);
        });
    }

    @Test
    void repositoryUriOpensTheSnapshotStore() {
        runner.withPropertyValues("dr.repository.uri=file:" + dir.resolve("repo"), "dr.repository.password=pw",
                "dr.repository.init-if-missing=true").run(ctx -> {
                    assertThat(ctx).hasSingleBean(SnapshotStore.class).hasSingleBean(Repository.class)
                            .hasSingleBean(DrBackups.class);
                    assertThat(ctx.getBean(SnapshotStore.class).describe()).contains("repo");
                });
    }

    @Test
    void aMissingRepositoryStopsTheApplicationUnlessItMayBeCreated() {
        runner.withPropertyValues("dr.repository.uri=mem:empty", "dr.repository.password=pw").run(ctx -> assertThat(ctx)
                .getFailure().hasStackTraceContaining("No repository at mem:empty; create it with 'dr init' or set "
                        + "dr.repository.init-if-missing=true"));
    }

    @Test
    void aRepositoryTheStarterCreatesTakesTheConfiguredKeyDerivationCost() {
        SnapshotStore store = SnapshotStores.memory();
        runner.withBean(SnapshotStore.class, () -> store).withPropertyValues("dr.repository.password=pw",
                "dr.repository.init-if-missing=true", "dr.repository.kdf.memory-kib=1024",
                "dr.repository.kdf.iterations=3", "dr.repository.kdf.parallelism=2").run(ctx -> {
                    assertThat(ctx).hasSingleBean(Repository.class);
                    String keyFile = store.list("keys/").map(info -> new String(store.get(info.key()),
                            java.nio.charset.StandardCharsets.UTF_8)).findFirst().orElseThrow();
                    assertThat(keyFile).contains("\"memoryKiB\":1024", "\"iterations\":3", "\"parallelism\":2");
                });
    }

    @Test
    void aKeyDerivationCostOutOfRangeStopsTheApplicationNamingTheProperty() {
        runner.withPropertyValues("dr.repository.uri=mem:kdf", "dr.repository.password=pw",
                "dr.repository.kdf.memory-kib=4").run(ctx -> assertThat(ctx).getFailure()
                        .hasStackTraceContaining("dr.repository.kdf.memory-kib must be within 8..4194304, but was 4"));
    }

    @Test
    void anExistingRepositoryIsOpenedWithThePassword() {
        SnapshotStore store = SnapshotStores.memory();
        Repository.init(store, "right".toCharArray(), FAST).close();
        runner.withBean(SnapshotStore.class, () -> store)
                .withPropertyValues("dr.repository.password=wrong").run(ctx -> assertThat(ctx).getFailure()
                        .rootCause().isInstanceOf(dev.drkit.api.DrException.class)
                        .hasMessageNotContaining("wrong"));
        runner.withBean(SnapshotStore.class, () -> store)
                .withPropertyValues("dr.repository.password=right")
                .run(ctx -> assertThat(ctx).hasSingleBean(Repository.class).hasSingleBean(DrBackups.class));
    }

    @Test
    void withoutARepositoryThereAreNoBackups() {
        runner.run(ctx -> assertThat(ctx).doesNotHaveBean(Repository.class).doesNotHaveBean(DrBackups.class));
    }

    @Test
    void planBeansAreCollectedWithTheConfiguredObjectives() {
        runner.withPropertyValues("dr.plans.restore-orders.rto=2m", "dr.plans.restore-orders.description=Orders back")
                .withUserConfiguration(OwnPlan.class)
                .run(ctx -> {
                    Plan plan = ctx.getBean(DrPlans.class).get("restore-orders");
                    assertThat(plan.objectives().rto()).isEqualTo(java.time.Duration.ofMinutes(2));
                    assertThat(plan.description()).isEqualTo("Orders back");
                    assertThat(ctx).hasSingleBean(RecoveryExecutor.class);
                });
    }

    @Test
    void guardFactoryAppliesTheConfiguredStepsAndJudge() {
        runner.withPropertyValues("dr.guards.pricing.steps=0.1,0.5,1", "dr.guards.pricing.judge.alpha=0.01")
                .withBean("pricingGuard", Guard.class, () -> TestGuard.named("pricing"))
                .run(ctx -> {
                    DrGuardFactory f = ctx.getBean(DrGuardFactory.class);
                    assertThat(f.config("pricing").plan().size()).isEqualTo(3);
                    assertThat(f.config("pricing").judge().alpha()).isEqualTo(0.01);
                    assertThat(f.config("other")).isEqualTo(dev.drkit.core.rollback.GuardConfig.DEFAULT);
                });
    }

    @Test
    void aProbeNamedByAGuardMustExist() {
        runner.withPropertyValues("dr.guards.pricing.probes=pricingProbe")
                .withBean("pricingGuard", Guard.class, () -> TestGuard.named("pricing")).run(ctx -> org.assertj.core.api
                .Assertions.assertThatThrownBy(() -> ctx.getBean(DrGuardFactory.class).builder("pricing"))
                .hasMessageContaining("no HealthProbe bean has that name"));
    }

    @Test
    void anApplicationStoreReplacesTheConfiguredOne() {
        runner.withPropertyValues("dr.repository.uri=file:" + dir.resolve("repo"), "dr.repository.password=pw",
                "dr.repository.init-if-missing=true")
                .withUserConfiguration(OwnStore.class)
                .run(ctx -> assertThat(ctx.getBean(SnapshotStore.class)).isSameAs(OwnStore.STORE));
    }

    @Test
    void auditFileOpensTheAuditLogAndClosesItWithTheContext() {
        Path file = dir.resolve("logs/audit.jsonl");
        runner.withPropertyValues("dr.audit.file=" + file, "dr.audit.digest-every=5").run(ctx -> {
            assertThat(ctx).hasSingleBean(AuditLog.class);
            ctx.getBean(AuditLog.class).append(new dev.drkit.api.audit.AuditEvent(java.time.Instant.now(), "test",
                    "test.event", "t", dev.drkit.api.audit.AuditOutcome.SUCCESS, java.util.Map.of()));
        });
        assertThat(file).exists();
        assertThat(dev.drkit.core.audit.AuditVerifier.verify(file, null, null).intact()).isTrue();
    }

    @Test
    void anApplicationAuditLogReplacesTheConfiguredOne() {
        runner.withPropertyValues("dr.audit.file=" + dir.resolve("audit.jsonl"))
                .withBean("myAudit", AuditLog.class, () -> AuditLog.file(dir.resolve("mine.jsonl")))
                .run(ctx -> {
                    assertThat(ctx).hasSingleBean(AuditLog.class).hasBean("myAudit");
                    assertThat(dir.resolve("audit.jsonl")).doesNotExist();
                });
    }

    @Test
    void guardBeansAreCollectedByName() {
        runner.withBean("pricingGuard", Guard.class, () -> TestGuard.named("pricing"))
                .withBean("taxGuard", Guard.class, () -> TestGuard.named("tax"))
                .run(ctx -> assertThat(ctx.getBean(DrGuards.class).all()).containsOnlyKeys("pricing", "tax"));
    }

    @Test
    void twoGuardsWithOneNameStopTheApplication() {
        runner.withBean("a", Guard.class, () -> TestGuard.named("pricing"))
                .withBean("b", Guard.class, () -> TestGuard.named("pricing"))
                .run(ctx -> assertThat(ctx).getFailure().rootCause().hasMessageContaining("two guards are named 'pricing'"));
    }

    @Test
    void anApplicationGuardRegistryReplacesTheDefault() {
        DrGuards own = new DrGuards(java.util.List.of());
        runner.withBean(DrGuards.class, () -> own).run(ctx -> assertThat(ctx.getBean(DrGuards.class)).isSameAs(own));
    }

    @Test
    void drEnabledFalseCreatesNothing() {
        runner.withPropertyValues("dr.enabled=false", "dr.repository.uri=mem:x", "dr.audit.file=" + dir.resolve("a"))
                .run(ctx -> assertThat(ctx).doesNotHaveBean(DrGuards.class).doesNotHaveBean(SnapshotStore.class)
                        .doesNotHaveBean(AuditLog.class).doesNotHaveBean(DrProperties.class));
    }

    @Test
    void aWrongJudgeValueNamesTheProperty() {
        runner.withPropertyValues("dr.guards.pricing.judge.alpha=2").run(ctx -> assertThat(ctx).getFailure()
                .rootCause().hasMessageContaining("dr.guards.pricing.judge.alpha must be in (0, 1), but was 2.0"));
    }

    @Test
    void rolloutStepsMustAscendWithinZeroAndOne() {
        runner.withPropertyValues("dr.guards.pricing.steps=0.5,0.2").run(ctx -> assertThat(ctx).getFailure()
                .rootCause().hasMessageContaining("dr.guards.pricing.plan.steps[1].weight must be > steps[0].weight (0.5), "
                        + "but was 0.2"));
        runner.withPropertyValues("dr.guards.pricing.steps=0.5,1.5").run(ctx -> assertThat(ctx).getFailure()
                .rootCause().hasMessageContaining("dr.guards.pricing.plan.steps[1].weight must be in (0, 1], but was 1.5"));
    }

    @Test
    void cronAndIntervalTogetherAreRefused() {
        runner.withPropertyValues("dr.backup.schedule.cron=0 0 * * * *", "dr.backup.schedule.interval=15m")
                .run(ctx -> assertThat(ctx).getFailure().rootCause()
                        .hasMessageContaining("dr.backup.schedule.cron and dr.backup.schedule.interval must not both be set"));
    }

    @Test
    void aMalformedCronNamesTheValue() {
        runner.withPropertyValues("dr.backup.schedule.cron=every hour").run(ctx -> assertThat(ctx).getFailure()
                .rootCause().hasMessageContaining("dr.backup.schedule.cron must be a cron expression")
                .hasMessageContaining("every hour"));
    }

    @Test
    void backupSourcesNeedARepository() {
        runner.withPropertyValues("dr.backup.sources=" + dir).run(ctx -> assertThat(ctx).getFailure().rootCause()
                .hasMessageContaining("dr.backup.sources need dr.repository.uri to be set"));
    }

    @Test
    void planObjectivesMustBePositive() {
        runner.withPropertyValues("dr.plans.restore-orders.rto=0s").run(ctx -> assertThat(ctx).getFailure()
                .rootCause().hasMessageContaining("dr.plans.restore-orders.rto must be > 0, but was PT0S"));
    }

    @Test
    void passwordAndPasswordFileTogetherAreRefusedWithoutShowingThePassword() {
        runner.withPropertyValues("dr.repository.password=hunter2-secret",
                "dr.repository.password-file=" + dir.resolve("missing")).run(ctx -> {
                    assertThat(ctx).getFailure().rootCause()
                            .hasMessageContaining("dr.repository.password and dr.repository.password-file must not both be set");
                    assertThat(stackText(ctx.getStartupFailure())).doesNotContain("hunter2-secret");
                });
        runner.withPropertyValues("dr.repository.password-file=" + dir.resolve("missing")).run(ctx -> assertThat(ctx)
                .getFailure().rootCause().hasMessageContaining("dr.repository.password-file must be a readable file, "
                        + "but was " + dir.resolve("missing")));
    }

    @Test
    void anEnabledWebhookNeedsAToken() {
        runner.withPropertyValues("dr.alertmanager.enabled=true").run(ctx -> assertThat(ctx).getFailure().rootCause()
                .hasMessageContaining("dr.alertmanager.token must be set when dr.alertmanager.enabled is true"));
    }

    @Test
    void thePasswordFileIsReadWhenNoPasswordIsSet() throws Exception {
        Path file = dir.resolve("pw");
        java.nio.file.Files.writeString(file, "from-file\nignored\n");
        runner.withPropertyValues("dr.repository.password-file=" + file).run(ctx -> assertThat(
                ctx.getBean(DrSettings.class).password().chars()).containsExactly("from-file".toCharArray()));
    }

    @Test
    void propertiesTextHidesTheSecrets() {
        runner.withPropertyValues("dr.repository.password=hunter2-secret", "dr.alertmanager.token=tok-secret").run(ctx -> assertThat(ctx.getBean(DrProperties.class).toString())
                        .doesNotContain("hunter2-secret").doesNotContain("tok-secret").contains("******"));
    }

    private static String stackText(Throwable t) {
        java.io.StringWriter w = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }

    static final dev.drkit.core.repository.RepositoryOptions FAST = dev.drkit.core.repository.RepositoryOptions
            .builder().kdf(new dev.drkit.core.repository.KdfParams(1024, 1, 1)).build();

    @Configuration(proxyBeanMethods = false)
    static class OwnPlan {
        @Bean
        Plan restoreOrders(DrPlanFactory plans) {
            return plans.builder("restore-orders").step("wait", ctx -> { }).build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnStore {
        static final SnapshotStore STORE = SnapshotStores.memory();

        @Bean
        SnapshotStore ownStore() {
            return STORE;
        }
    }
}
