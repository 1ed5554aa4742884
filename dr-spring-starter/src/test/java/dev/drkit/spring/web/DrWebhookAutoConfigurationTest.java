package dev.drkit.spring.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.core.incident.AlertRouter;
import dev.drkit.spring.DrAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.web.bind.annotation.RestController;

/** One test per condition of {@link DrWebhookAutoConfiguration}. */
class DrWebhookAutoConfigurationTest {
    private final WebApplicationContextRunner web = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DrAutoConfiguration.class, DrWebhookAutoConfiguration.class));

    @Test
    void anEnabledWebhookWithATokenIsCreated() {
        web.withPropertyValues("dr.alertmanager.enabled=true", "dr.alertmanager.token=t0ken")
                .run(ctx -> assertThat(ctx).hasNotFailed().hasSingleBean(AlertmanagerWebhook.class)
                        .hasSingleBean(AlertRouter.class));
    }

    @Test
    void theWebhookIsOffByDefault() {
        web.run(ctx -> assertThat(ctx).doesNotHaveBean(AlertmanagerWebhook.class).doesNotHaveBean(AlertRouter.class));
    }

    @Test
    void outsideAWebApplicationThereIsNoWebhook() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DrAutoConfiguration.class, DrWebhookAutoConfiguration.class))
                .withPropertyValues("dr.alertmanager.enabled=true", "dr.alertmanager.token=t0ken")
                .run(ctx -> assertThat(ctx).doesNotHaveBean(AlertmanagerWebhook.class));
    }

    @Test
    void withoutSpringWebThereIsNoWebhook() {
        web.withClassLoader(new FilteredClassLoader(RestController.class))
                .withPropertyValues("dr.alertmanager.enabled=true", "dr.alertmanager.token=t0ken")
                .run(ctx -> assertThat(ctx).doesNotHaveBean(AlertmanagerWebhook.class));
    }

    @Test
    void anApplicationRouterReplacesTheDefault() {
        web.withPropertyValues("dr.alertmanager.enabled=true", "dr.alertmanager.token=t0ken")
                .withBean("myRouter", AlertRouter.class, () -> AlertRouter.builder(
                        dev.drkit.core.incident.IncidentManager.builder().build(),
                        new dev.drkit.core.incident.AlertActions() {
                            @Override
                            public void rollback(String guard, String reason) {
                            }

                            @Override
                            public void runPlan(String plan, String incidentId) {
                            }
                        }).build())
                .run(ctx -> assertThat(ctx).hasSingleBean(AlertRouter.class).hasBean("myRouter"));
    }
}
