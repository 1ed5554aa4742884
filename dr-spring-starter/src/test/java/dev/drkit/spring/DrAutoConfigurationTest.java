package dev.drkit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.rollback.Guard;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.audit.AuditLog;
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
        runner.withPropertyValues("dr.repository.uri=file:" + dir.resolve("repo")).run(ctx -> {
            assertThat(ctx).hasSingleBean(SnapshotStore.class);
            assertThat(ctx.getBean(SnapshotStore.class).describe()).contains("repo");
        });
    }

    @Test
    void anApplicationStoreReplacesTheConfiguredOne() {
        runner.withPropertyValues("dr.repository.uri=file:" + dir.resolve("repo"))
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
                .rootCause().hasMessageContaining("dr.guards[pricing].judge.alpha must be in (0, 1), but was 2.0"));
    }

    @Test
    void rolloutStepsMustAscendWithinZeroAndOne() {
        runner.withPropertyValues("dr.guards.pricing.steps=0.5,0.2").run(ctx -> assertThat(ctx).getFailure()
                .rootCause().hasMessageContaining("dr.guards[pricing].steps[1] must be greater than the step before"));
        runner.withPropertyValues("dr.guards.pricing.steps=0.5,1.5").run(ctx -> assertThat(ctx).getFailure()
                .rootCause().hasMessageContaining("dr.guards[pricing].steps[1] must be in (0, 1], but was 1.5"));
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
                .rootCause().hasMessageContaining("dr.plans[restore-orders].rto must be > 0, but was PT0S"));
    }

    @Test
    void passwordAndPasswordFileTogetherAreRefusedWithoutShowingThePassword() {
        runner.withPropertyValues("dr.repository.password=hunter2-secret",
                "dr.repository.password-file=" + dir.resolve("missing")).run(ctx -> {
                    assertThat(ctx).getFailure().rootCause()
                            .hasMessageContaining("dr.repository.password and dr.repository.password-file must not both be set")
                            .hasMessageContaining("dr.repository.passwordFile must be a readable file");
                    assertThat(stackText(ctx.getStartupFailure())).doesNotContain("hunter2-secret");
                });
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
                ctx.getBean(DrProperties.class).getRepository().resolvePassword()).containsExactly("from-file".toCharArray()));
    }

    @Test
    void propertiesTextHidesTheSecrets() {
        runner.withPropertyValues("dr.repository.uri=mem:x", "dr.repository.password=hunter2-secret",
                "dr.alertmanager.token=tok-secret").run(ctx -> assertThat(ctx.getBean(DrProperties.class).toString())
                        .doesNotContain("hunter2-secret").doesNotContain("tok-secret").contains("******"));
    }

    private static String stackText(Throwable t) {
        java.io.StringWriter w = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
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
