package dev.drkit.spring.web;

import dev.drkit.api.recovery.ExecutionMode;
import dev.drkit.api.rollback.Guard;
import dev.drkit.core.audit.AuditLog;
import dev.drkit.core.incident.AlertActions;
import dev.drkit.core.incident.AlertRouter;
import dev.drkit.core.incident.IncidentManager;
import dev.drkit.spring.DrAutoConfiguration;
import dev.drkit.spring.DrGuards;
import dev.drkit.spring.DrPlans;
import dev.drkit.spring.DrProperties;
import java.util.Objects;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.RestController;

/**
 * Auto-configuration of the Alertmanager webhook, on when {@code dr.alertmanager.enabled} is
 * true in a servlet web application: the {@link AlertRouter} (alerts roll back guards by
 * name and start plans by name, for the incident they open) and the webhook itself.
 */
@AutoConfiguration(after = DrAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(RestController.class)
@ConditionalOnBooleanProperty(name = "dr.alertmanager.enabled")
@ConditionalOnBean({DrGuards.class, DrPlans.class, IncidentManager.class})
public class DrWebhookAutoConfiguration {

    /**
     * Creates the router that turns alerts into incidents, rollbacks and plan executions.
     *
     * @param incidents the incident manager
     * @param guards the guards an alert may roll back
     * @param plans the plans an alert may start
     * @param properties the {@code dr.*} properties
     * @return the router
     */
    @Bean
    @ConditionalOnMissingBean
    public AlertRouter drAlertRouter(IncidentManager incidents, DrGuards guards, DrPlans plans,
            DrProperties properties) {
        AlertActions actions = new AlertActions() {
            @Override
            public void rollback(String guard, String reason) {
                guards.get(guard).rollbackOnAlert("alertmanager", reason);
            }

            @Override
            public void runPlan(String plan, String incidentId) {
                plans.start(plan, ExecutionMode.LIVE, "alertmanager", incidentId);
            }

            @Override
            public boolean hasGuard(String guard) {
                return guards.all().containsKey(guard);
            }
        };
        return AlertRouter.builder(incidents, actions)
                .closeOnResolve(properties.alertmanager().closeOnResolve())
                .build();
    }

    /**
     * Creates the webhook.
     *
     * @param router the router
     * @param properties the {@code dr.*} properties, whose token the webhook checks
     * @param throttle the limit on calls with a wrong token
     * @return the webhook
     */
    @Bean
    @ConditionalOnMissingBean
    public AlertmanagerWebhook drAlertmanagerWebhook(AlertRouter router, DrProperties properties,
            @Qualifier("drWebhookLoginThrottle") LoginThrottle throttle) {
        return new AlertmanagerWebhook(router, Objects.requireNonNull(properties.alertmanager().token(),
                "dr.alertmanager.token"), throttle);
    }

    /**
     * Creates the limit on webhook calls with a wrong token ({@code dr.security.login-failures}
     * per {@code dr.security.login-window} and client address), which also audits them.
     *
     * @param properties the {@code dr.*} properties
     * @param audit the audit log, when there is one
     * @return the throttle
     */
    @Bean
    @ConditionalOnMissingBean(name = "drWebhookLoginThrottle")
    public LoginThrottle drWebhookLoginThrottle(DrProperties properties, ObjectProvider<AuditLog> audit) {
        return LoginThrottle.of(AlertmanagerWebhook.DOOR, properties.security(), audit.getIfAvailable());
    }
}
