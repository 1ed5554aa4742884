package dev.drkit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.recovery.ExecutionMode;
import dev.drkit.api.recovery.Failover;
import dev.drkit.core.recovery.ExecutionResult;
import dev.drkit.core.recovery.ExecutionStatus;
import dev.drkit.core.recovery.Plan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Plan files read by the starter find the application's {@link Failover} beans by name. */
class PlanFilesTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DrAutoConfiguration.class));

    @TempDir
    static Path dir;

    static Path planFile;
    static final List<String> CALLS = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void writePlan() throws IOException {
        planFile = dir.resolve("orders-db.yaml");
        Files.writeString(planFile, """
                name: fail-over-orders-db
                objectives: {rto: 5m, rpo: 1m}
                steps:
                  - {name: promote-standby, kind: failover, failover: orders-db}
                """);
    }

    /** A failover bean that records what it is asked to do. */
    static final class OrdersDbFailover implements Failover {
        private final String name;

        OrdersDbFailover(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String describe() {
            return "orders-db primary -> standby";
        }

        @Override
        public void verifyReady() {
            CALLS.add(name + ":ready");
        }

        @Override
        public void failover(String idempotencyKey) {
            CALLS.add(name + ":failover");
        }

        @Override
        public void failback(String idempotencyKey) {
            CALLS.add(name + ":failback");
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class WithFailover {
        @Bean
        Failover ordersDbFailover() {
            return new OrdersDbFailover("orders-db");
        }

        @Bean
        Plan failOverOrdersDb(DrPlanFactory plans) {
            return plans.read(planFile);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class TwoFailoversOfOneName {
        @Bean
        Failover first() {
            return new OrdersDbFailover("orders-db");
        }

        @Bean
        Failover second() {
            return new OrdersDbFailover("orders-db");
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class PlanWithoutItsFailover {
        @Bean
        Plan failOverOrdersDb(DrPlanFactory plans) {
            return plans.read(planFile);
        }
    }

    @Test
    void aFailoverStepOfAPlanFileCallsTheFailoverBeanOfItsName() {
        CALLS.clear();
        runner.withUserConfiguration(WithFailover.class).run(ctx -> {
            DrPlans plans = ctx.getBean(DrPlans.class);
            Plan plan = plans.get("fail-over-orders-db");
            assertThat(plan.steps().get(0).step().describe()).isEqualTo("Fail over orders-db primary -> standby");

            ExecutionResult drill = plans.start("fail-over-orders-db", ExecutionMode.DRILL, "alice")
                    .await(Duration.ofMinutes(1));
            assertThat(drill.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
            assertThat(CALLS).containsExactly("orders-db:ready");

            ExecutionResult live = plans.start("fail-over-orders-db", ExecutionMode.LIVE, "alice")
                    .await(Duration.ofMinutes(1));
            assertThat(live.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
            assertThat(CALLS).containsExactly("orders-db:ready", "orders-db:ready", "orders-db:failover");
        });
    }

    @Test
    void twoFailoverBeansOfOneNameStopTheApplication() {
        runner.withUserConfiguration(TwoFailoversOfOneName.class).run(ctx -> assertThat(ctx).hasFailed()
                .getFailure().rootCause().hasMessageStartingWith("two Failover beans are named 'orders-db'"));
    }

    @Test
    void aPlanFileNamingAFailoverThatIsNoBeanStopsTheApplicationNamingTheField() {
        runner.withUserConfiguration(PlanWithoutItsFailover.class).run(ctx -> assertThat(ctx).hasFailed()
                .getFailure().rootCause().hasMessage("orders-db.yaml: steps[0].failover: no Failover named "
                        + "'orders-db'; known: none"));
    }
}
