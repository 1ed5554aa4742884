package dev.drkit.spring.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.spring.DrAutoConfiguration;
import dev.drkit.spring.actuate.DrActuatorAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration;
import org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.security.web.SecurityFilterChain;

/** One test per condition of {@link DrSecurityAutoConfiguration}. */
class DrSecurityAutoConfigurationTest {
    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SecurityAutoConfiguration.class,
                    ServletWebSecurityAutoConfiguration.class, EndpointAutoConfiguration.class,
                    WebEndpointAutoConfiguration.class, DrAutoConfiguration.class, DrActuatorAutoConfiguration.class,
                    DrSecurityAutoConfiguration.class))
            .withPropertyValues("management.endpoints.web.exposure.include=dr");

    @Test
    void withSpringSecurityTheDrChainIsAddedBesideTheDefault() {
        runner.run(ctx -> {
            assertThat(ctx).hasNotFailed().hasBean("drSecurityFilterChain");
            assertThat(ctx.getBeansOfType(SecurityFilterChain.class)).hasSizeGreaterThanOrEqualTo(2);
        });
    }

    @Test
    void theChainCanBeSwitchedOff() {
        runner.withPropertyValues("dr.security.filter-chain=false")
                .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean("drSecurityFilterChain"));
    }

    @Test
    void withoutAnExposedEndpointThereIsNoChain() {
        runner.withPropertyValues("management.endpoints.web.exposure.include=health")
                .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean("drSecurityFilterChain"));
    }

    @Test
    void anApplicationChainOfTheSameNameReplacesIt() {
        SecurityFilterChain own = new org.springframework.security.web.DefaultSecurityFilterChain(request -> false);
        runner.withBean("drSecurityFilterChain", SecurityFilterChain.class, () -> own)
                .run(ctx -> assertThat(ctx.getBean("drSecurityFilterChain")).isSameAs(own));
    }

    @Test
    void withoutSpringSecurityThereIsNoChain() {
        runner.withClassLoader(new FilteredClassLoader("org.springframework.security"))
                .run(ctx -> assertThat(ctx).doesNotHaveBean("drSecurityFilterChain"));
    }
}
