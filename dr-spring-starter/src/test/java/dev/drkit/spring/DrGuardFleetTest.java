package dev.drkit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.rollback.GuardState;
import dev.drkit.core.incident.IncidentManager;
import dev.drkit.core.rollback.GuardedRelease;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Guards built by {@link DrGuardFactory} share their decisions through the fleet's coordinator:
 * a rolled-back candidate stays rolled back when the service restarts, and an instance started
 * beside one that rolled back follows it.
 */
class DrGuardFleetTest {
    @TempDir
    Path dir;

    @Configuration(proxyBeanMethods = false)
    static class PricingApp {
        @Bean
        GuardedRelease<String> pricing(DrGuardFactory guards) {
            return guards.<String>builder("pricing").stable("v1", "one").candidate("v2", () -> "two").build();
        }
    }

    private ApplicationContextRunner runner(String member) {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DrAutoConfiguration.class))
                .withUserConfiguration(PricingApp.class)
                .withPropertyValues("dr.repository.uri=file:" + dir.resolve("repo"),
                        "dr.repository.password=fleet-secret", "dr.repository.init-if-missing=true",
                        "dr.repository.kdf.memory-kib=64", "dr.repository.kdf.iterations=1",
                        "dr.coordination.member-id=" + member, "dr.coordination.poll-interval=50ms");
    }

    @SuppressWarnings("unchecked")
    private static GuardedRelease<String> pricing(org.springframework.context.ApplicationContext ctx) {
        return ctx.getBean("pricing", GuardedRelease.class);
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("not within 60 s: " + what).isNegative();
            Thread.sleep(10);
        }
    }

    @Test
    void aRolledBackCandidateStaysRolledBackAfterARestartAndOnAnInstanceBesideIt() {
        runner("orders-1").run(first -> {
            assertThat(first).hasNotFailed();
            GuardedRelease<String> guard = pricing(first);
            assertThat(guard.state()).isEqualTo(GuardState.ROLLING_OUT);
            guard.rollback("ops", "v2 corrupts prices");
            await("the rollback published", () -> guard.pendingFleetDecisions() == 0
                    && guard.lastFleetDecision().isPresent());

            assertThat(first.getBean(IncidentManager.class).list()).hasSize(1);
            runner("orders-2").run(beside -> {
                await("the instance beside it rolled back", () -> pricing(beside).state() == GuardState.ROLLED_BACK);
                assertThat(beside.getBean(IncidentManager.class).list()).as("opened where it was decided").isEmpty();
            });
        });

        runner("orders-1").run(restarted -> {
            assertThat(restarted).hasNotFailed();
            GuardedRelease<String> guard = pricing(restarted);
            await("the restarted instance rolled back", () -> guard.state() == GuardState.ROLLED_BACK);
            assertThat(guard.<String>call("k", s -> s)).isEqualTo("one");
            assertThat(guard.lastRollback()).hasValueSatisfying(e -> assertThat(e.reason())
                    .contains("v2 corrupts prices"));
            assertThat(restarted.getBean(IncidentManager.class).list()).isEmpty();
        });
    }
}
