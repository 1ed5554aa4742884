package dev.drkit.spring.console;

import dev.drkit.core.audit.AuditLog;
import dev.drkit.spring.DrPlans;
import dev.drkit.spring.DrProperties;
import dev.drkit.spring.actuate.DrActuatorAutoConfiguration;
import dev.drkit.spring.actuate.DrEndpoint;
import java.util.concurrent.ScheduledExecutorService;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Auto-configuration of the live operator console, on when {@code dr.console.enabled} is true
 * in a servlet web application whose {@code dr} endpoint is exposed. With Spring Security the
 * page and its events need the operator role ({@code DrSecurityAutoConfiguration}); drills
 * started from the page go through the endpoint, which checks the role itself.
 */
@AutoConfiguration(after = DrActuatorAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(SseEmitter.class)
@ConditionalOnBooleanProperty(name = "dr.console.enabled")
@ConditionalOnBean(DrEndpoint.class)
public class DrConsoleAutoConfiguration {

    /**
     * Creates the console's page and event stream.
     *
     * @param endpoint the dr endpoint
     * @param plans the plans, when there are any
     * @param audit the audit log, when there is one
     * @param scheduler the starter's scheduler, which pushes the state
     * @param properties the {@code dr.*} properties
     * @param environment for the actuator's base path
     * @return the console, closed with the context
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public DrConsole drConsole(DrEndpoint endpoint, ObjectProvider<DrPlans> plans, ObjectProvider<AuditLog> audit,
            @Qualifier("drScheduler") ScheduledExecutorService scheduler, DrProperties properties,
            Environment environment) {
        DrProperties.Console c = properties.console();
        String base = environment.getProperty("management.endpoints.web.base-path", "/actuator");
        return new DrConsole(endpoint, plans.getIfAvailable(), audit.getIfAvailable(), scheduler, c.refresh(),
                c.path() + "/events", (base.equals("/") ? "" : base) + "/dr");
    }
}
