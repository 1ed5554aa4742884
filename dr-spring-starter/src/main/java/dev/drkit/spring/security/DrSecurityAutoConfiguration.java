package dev.drkit.spring.security;

import dev.drkit.core.audit.AuditLog;
import dev.drkit.spring.DrProperties;
import dev.drkit.spring.actuate.DrActuatorAutoConfiguration;
import dev.drkit.spring.actuate.DrEndpoint;
import dev.drkit.spring.web.LoginThrottle;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Secures the {@code dr} endpoint when Spring Security is present: reading needs an
 * authenticated user, every write needs the operator role ({@code DR_OPERATOR} unless
 * {@code dr.security.operator-role} says otherwise), over HTTP Basic without sessions. The
 * Alertmanager webhook's path passes this chain; the webhook checks its bearer token itself.
 *
 * <p>The chain matches only the endpoint's paths and sits before Spring Boot's default
 * chain, which keeps guarding the rest of the application. An application replaces it with
 * a bean named {@code drSecurityFilterChain}, or turns it off with
 * {@code dr.security.filter-chain=false}; the endpoint still checks the role itself.
 *
 * <p>With {@code dr.console.enabled}, a second chain gives the console's page and events to the
 * operator role only.
 *
 * <p>Failed logins (credentials presented, 401 returned) are audited and limited per client
 * address: over {@code dr.security.login-failures} in one {@code dr.security.login-window},
 * the address gets 429 with {@code Retry-After} until the window ends.
 */
@AutoConfiguration(after = DrActuatorAutoConfiguration.class, afterName = {
        "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration"})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({SecurityFilterChain.class, HttpSecurity.class, EndpointRequest.class})
@ConditionalOnBooleanProperty(name = "dr.security.filter-chain", matchIfMissing = true)
@ConditionalOnBean({DrEndpoint.class, HttpSecurity.class})
public class DrSecurityAutoConfiguration {

    /** The order of the chain: early, so that it sees the endpoint's requests first. */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 100;

    /**
     * Builds the filter chain for the {@code dr} endpoint.
     *
     * @param http the builder
     * @param properties the {@code dr.*} properties
     * @param throttle the limit on failed operator logins
     * @return the chain
     * @throws Exception when Spring Security cannot build it
     */
    @Bean
    @Order(ORDER)
    @ConditionalOnMissingBean(name = "drSecurityFilterChain")
    public SecurityFilterChain drSecurityFilterChain(HttpSecurity http, DrProperties properties,
            @Qualifier("drOperatorLoginThrottle") LoginThrottle throttle) throws Exception {
        String role = properties.security().operatorRole();
        RequestMatcher endpoint = EndpointRequest.to(DrEndpoint.class);
        DrProperties.Alertmanager alertmanager = properties.alertmanager();
        RequestMatcher webhook = alertmanager.enabled()
                ? PathPatternRequestMatcher.withDefaults().matcher(HttpMethod.POST, alertmanager.path())
                : request -> false;
        http.securityMatcher(new OrRequestMatcher(endpoint, webhook))
                .authorizeHttpRequests(a -> a
                        .requestMatchers(webhook).permitAll()
                        .requestMatchers(HttpMethod.GET).authenticated()
                        .anyRequest().hasRole(role))
                .httpBasic(Customizer.withDefaults())
                .csrf(c -> c.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .addFilterBefore(new FailedLoginFilter(throttle, webhook), BasicAuthenticationFilter.class);
        return http.build();
    }

    /**
     * Builds the filter chain of the live console ({@code dr.console.path} and its events):
     * the operator role, over HTTP Basic without sessions, so that the browser's login also
     * carries the page's calls to the endpoint.
     *
     * @param http the builder
     * @param properties the {@code dr.*} properties
     * @param throttle the limit on failed operator logins
     * @return the chain
     * @throws Exception when Spring Security cannot build it
     */
    @Bean
    @Order(ORDER + 1)
    @ConditionalOnBooleanProperty(name = "dr.console.enabled")
    @ConditionalOnMissingBean(name = "drConsoleSecurityFilterChain")
    public SecurityFilterChain drConsoleSecurityFilterChain(HttpSecurity http, DrProperties properties,
            @Qualifier("drOperatorLoginThrottle") LoginThrottle throttle) throws Exception {
        String path = properties.console().path();
        RequestMatcher console = new OrRequestMatcher(PathPatternRequestMatcher.withDefaults().matcher(path),
                PathPatternRequestMatcher.withDefaults().matcher(path + "/events"));
        http.securityMatcher(console)
                .authorizeHttpRequests(a -> a.anyRequest().hasRole(properties.security().operatorRole()))
                .httpBasic(Customizer.withDefaults())
                .csrf(c -> c.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .addFilterBefore(new FailedLoginFilter(throttle, request -> false), BasicAuthenticationFilter.class);
        return http.build();
    }

    /**
     * Creates the limit on failed operator logins to the endpoint ({@code dr.security.login-failures}
     * per {@code dr.security.login-window} and client address), which also audits them.
     *
     * @param properties the {@code dr.*} properties
     * @param audit the audit log, when there is one
     * @return the throttle
     */
    @Bean
    @ConditionalOnMissingBean(name = "drOperatorLoginThrottle")
    public LoginThrottle drOperatorLoginThrottle(DrProperties properties, ObjectProvider<AuditLog> audit) {
        return LoginThrottle.of(FailedLoginFilter.DOOR, properties.security(), audit.getIfAvailable());
    }
}
