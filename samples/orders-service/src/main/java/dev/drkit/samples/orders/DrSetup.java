package dev.drkit.samples.orders;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.health.HealthStatus;
import dev.drkit.api.health.ProbeResult;
import dev.drkit.api.recovery.ExecutionMode;
import dev.drkit.api.recovery.VerificationPhase;
import dev.drkit.core.recovery.Plan;
import dev.drkit.core.recovery.Steps;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RestoreOptions;
import dev.drkit.core.repository.Snapshot;
import dev.drkit.core.repository.VerifyOptions;
import dev.drkit.core.repository.VerifyReport;
import dev.drkit.core.rollback.GuardedRelease;
import dev.drkit.spring.DrGuardFactory;
import dev.drkit.spring.DrPlanFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * How the orders service uses DR Kit: the {@code pricing} guard, the {@code restore-orders}
 * plan with its verification, and who may operate it.
 */
@Configuration(proxyBeanMethods = false)
public class DrSetup {
    private static final Logger LOG = LoggerFactory.getLogger(DrSetup.class);

    /**
     * Rolls pricing v2 out behind a guard configured by {@code dr.guards.pricing}.
     *
     * @param guards the starter's guard factory
     * @return the guarded pricing engine
     */
    @Bean
    GuardedRelease<PricingEngine> pricing(DrGuardFactory guards) {
        return guards.<PricingEngine>builder("pricing")
                .stable("v1", new PricingEngine.V1())
                .candidate("v2", PricingEngine.V2::new)
                .build();
    }

    /**
     * Checks that every order file reads as an order.
     *
     * @param orders the store
     * @return the probe
     */
    @Bean
    HealthProbe ordersReadable(OrderStore orders) {
        return HealthProbe.named("orders-readable", () -> check(orders.dir()));
    }

    /**
     * The recovery plan: check the repository, restore the newest snapshot of the orders (in
     * a DRILL, into a scratch directory), then verify that every order reads.
     *
     * @param plans the starter's plan factory ({@code dr.plans.restore-orders} gives the objectives)
     * @param repository the repository
     * @param orders the store
     * @return the plan
     */
    @Bean
    Plan restoreOrders(DrPlanFactory plans, Repository repository, OrderStore orders) {
        Path live = orders.dir();
        return plans.builder("restore-orders")
                .step("check-repository", Steps.described("Check the repository's structure", ctx -> {
                    VerifyReport r = repository.verify(VerifyOptions.structure());
                    if (!r.problems().isEmpty()) {
                        throw new DrException(ErrorCode.INTEGRITY, "repository problems: " + r.problems(), null);
                    }
                    ctx.progress(1.0, r.snapshots() + " snapshots, structure sound");
                }), o -> o.timeout(Duration.ofMinutes(1)).owner("on-call"))
                .step("restore", Steps.restore("the orders", ctx -> {
                    Snapshot latest = repository.snapshot("latest");
                    Path target = ctx.mode() == ExecutionMode.DRILL
                            ? Files.createTempDirectory("restore-orders-drill") : live.getParent();
                    repository.restore(latest.id(), target, RestoreOptions.all());
                    if (ctx.mode() == ExecutionMode.DRILL) {
                        ProbeResult r = check(target.resolve(live.getFileName().toString()));
                        if (r.status() != HealthStatus.UP) {
                            throw new IllegalStateException("the drill restore is unreadable: " + r.detail());
                        }
                    }
                    return latest.time();
                }), o -> o.dependsOn("check-repository").timeout(Duration.ofMinutes(5)).retry(2, Duration.ofSeconds(1))
                        .owner("orders team"))
                .verify("orders-readable", HealthProbe.named("orders-readable", () -> check(live)),
                        VerificationPhase.AFTER, 0)
                .build();
    }

    /**
     * The service's users: {@code operator} (role DR_OPERATOR) with the password in
     * {@code DR_OPERATOR_PASSWORD}; without it the operator gets a random password nobody knows.
     *
     * @param env the environment
     * @return the users
     */
    @Bean
    UserDetailsService users(Environment env) {
        String password = env.getProperty("DR_OPERATOR_PASSWORD");
        if (password == null || password.isBlank()) {
            LOG.warn("DR_OPERATOR_PASSWORD is not set: nobody can log in as operator, so DR write operations "
                    + "are refused");
            password = UUID.randomUUID().toString();
        }
        return new InMemoryUserDetailsManager(User.withUsername("operator").password("{noop}" + password)
                .roles("DR_OPERATOR").build());
    }

    /**
     * The rest of the service: orders and the public actuator endpoints are open; everything
     * else needs a login. The dr endpoint has its own chain from the starter (DR_OPERATOR for
     * writes).
     *
     * @param http the builder
     * @return the chain
     * @throws Exception when it cannot be built
     */
    @Bean
    SecurityFilterChain appSecurity(HttpSecurity http) throws Exception {
        http.authorizeHttpRequests(a -> a
                        .requestMatchers("/orders/**", "/orders", "/simulate/**", "/actuator/health/**",
                                "/actuator/health", "/actuator/info", "/actuator/prometheus").permitAll()
                        .anyRequest().authenticated())
                .httpBasic(Customizer.withDefaults())
                .csrf(c -> c.disable());
        return http.build();
    }

    static ProbeResult check(Path dir) {
        if (!Files.isDirectory(dir)) {
            return new ProbeResult(HealthStatus.DOWN, "the orders directory is missing", Duration.ZERO);
        }
        int good = 0;
        int bad = 0;
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".json")).toList()) {
                String text = Files.readString(f);
                if (text.startsWith("{") && text.contains("\"id\"") && text.trim().endsWith("}")) {
                    good++;
                } else {
                    bad++;
                }
            }
        } catch (IOException | UncheckedIOException e) {
            return new ProbeResult(HealthStatus.DOWN, "cannot read the orders: " + e.getMessage(), Duration.ZERO);
        }
        return bad == 0 ? ProbeResult.up(good + " orders readable")
                : new ProbeResult(HealthStatus.DOWN, bad + " of " + (good + bad) + " order files are damaged",
                        Duration.ZERO);
    }
}
