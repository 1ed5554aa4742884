package dev.drkit.spring.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.rollback.Guard;
import dev.drkit.spring.DrAutoConfiguration;
import dev.drkit.spring.TestGuard;
import dev.drkit.spring.actuate.DrActuatorAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

/** One test per condition of {@link DrConsoleAutoConfiguration}. */
class DrConsoleAutoConfigurationTest {
    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(EndpointAutoConfiguration.class, DrAutoConfiguration.class,
                    DrActuatorAutoConfiguration.class, DrConsoleAutoConfiguration.class))
            .withBean("pricingGuard", Guard.class, () -> TestGuard.named("pricing"))
            .withPropertyValues("management.endpoints.web.exposure.include=dr");

    @Test
    void theConsoleIsServedWhenEnabledInAWebApplicationWithTheEndpoint() {
        runner.withPropertyValues("dr.console.enabled=true").run(ctx -> {
            assertThat(ctx).hasNotFailed().hasSingleBean(DrConsole.class);
            assertThat(ctx.getBean(DrConsole.class).state()).containsKeys("guards", "plans", "executions", "at");
        });
    }

    @Test
    void withoutThePropertyThereIsNoConsole() {
        runner.run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(DrConsole.class));
    }

    @Test
    void withoutTheEndpointThereIsNoConsole() {
        runner.withPropertyValues("dr.console.enabled=true", "management.endpoints.web.exposure.include=health")
                .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(DrConsole.class));
    }

    @Test
    void outsideAWebApplicationThereIsNoConsole() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(EndpointAutoConfiguration.class, DrAutoConfiguration.class,
                        DrActuatorAutoConfiguration.class, DrConsoleAutoConfiguration.class))
                .withPropertyValues("dr.console.enabled=true", "management.endpoints.web.exposure.include=dr")
                .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(DrConsole.class));
    }

    @Test
    void aBadPathOrRefreshNamesTheProperty() {
        runner.withPropertyValues("dr.console.enabled=true", "dr.console.path=dr/").run(ctx -> assertThat(ctx)
                .hasFailed().getFailure().rootCause()
                .hasMessageContaining("dr.console.path must start with / and not end with /, but was 'dr/'"));
        runner.withPropertyValues("dr.console.refresh=0s").run(ctx -> assertThat(ctx).hasFailed().getFailure()
                .rootCause().hasMessageContaining("dr.console.refresh must be > 0, but was PT0S"));
    }
}
