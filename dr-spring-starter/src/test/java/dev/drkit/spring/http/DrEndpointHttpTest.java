package dev.drkit.spring.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.rollback.GuardState;
import dev.drkit.spring.TestGuard;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The starter in a running application with Spring Security, over real HTTP: the endpoint,
 * health, Prometheus output, who may write, and secrets kept out of the env endpoint.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, classes = DrEndpointHttpTest.App.class,
        properties = {
            "management.endpoints.web.exposure.include=health,dr,prometheus,env,configprops",
            "management.endpoint.health.show-details=always",
            "management.endpoint.env.show-values=always",
            "management.endpoint.configprops.show-values=always",
            "dr.repository.uri=mem:http-test",
            "dr.repository.password=repo-secret-4711",
            "dr.repository.init-if-missing=true",
            "dr.alertmanager.token=${WEBHOOK_TOKEN_FOR_TEST:hook-secret-0815}",
        })
class DrEndpointHttpTest {
    static final String OPERATOR = "operator";
    static final String OPERATOR_PASSWORD = "op-pass";
    static final String VIEWER = "viewer";
    static final String VIEWER_PASSWORD = "view-pass";

    static Path auditFile;

    @DynamicPropertySource
    static void auditFile(DynamicPropertyRegistry registry) throws Exception {
        auditFile = Files.createTempDirectory("dr-http").resolve("audit.jsonl");
        registry.add("dr.audit.file", () -> auditFile.toString());
    }

    @LocalServerPort
    int port;

    @Autowired
    TestGuard<String> pricing;

    @Autowired
    dev.drkit.spring.DrGuards guards;

    Http http;

    @BeforeEach
    void startRollout() {
        http = new Http(port);
        pricing.state(GuardState.ROLLING_OUT);
        // a new rollout, as the health contributor's next poll sees it, forgets old acknowledgements
        assertThat(guards.awaitingAcknowledgement("pricing")).isFalse();
    }

    @Test
    void readingNeedsAnAuthenticatedUser() throws Exception {
        assertThat(http.get("/actuator/dr", null, null).statusCode()).isEqualTo(401);
        HttpResponse<String> r = http.get("/actuator/dr", VIEWER, VIEWER_PASSWORD);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"name\":\"pricing\"").contains("\"state\":\"ROLLING_OUT\"")
                .contains("\"candidateWeight\":0.25");
    }

    @Test
    void aRollbackNeedsTheOperatorRole() throws Exception {
        String body = "{\"action\":\"rollback\",\"reason\":\"errors in checkout\"}";
        assertThat(http.post("/actuator/dr/guards/pricing", body, null, null).statusCode()).isEqualTo(401);
        assertThat(http.post("/actuator/dr/guards/pricing", body, VIEWER, VIEWER_PASSWORD).statusCode()).isEqualTo(403);
        assertThat(http.post("/actuator/dr/guards/pricing", body, OPERATOR, "wrong").statusCode()).isEqualTo(401);
        assertThat(pricing.state()).isEqualTo(GuardState.ROLLING_OUT);

        HttpResponse<String> r = http.post("/actuator/dr/guards/pricing", body, OPERATOR, OPERATOR_PASSWORD);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"state\":\"ROLLED_BACK\"").contains("\"rolledBackTo\":\"v1\"");
        assertThat(http.get("/actuator/dr/guards/pricing", VIEWER, VIEWER_PASSWORD).body())
                .contains("\"state\":\"ROLLED_BACK\"");
        assertThat(http.get("/actuator/dr/audit/all?action=operator.guard.rollback", VIEWER, VIEWER_PASSWORD).body())
                .contains("\"actor\":\"operator\"").contains("errors in checkout");
    }

    @Test
    void unknownGuardsAndActionsAreRefusedWithAReason() throws Exception {
        HttpResponse<String> missing = http.post("/actuator/dr/guards/nope", "{\"action\":\"rollback\"}", OPERATOR,
                OPERATOR_PASSWORD);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("no guard is named 'nope'");
        HttpResponse<String> bad = http.post("/actuator/dr/guards/pricing", "{\"action\":\"explode\"}", OPERATOR,
                OPERATOR_PASSWORD);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("action must be one of");
    }

    @Test
    void healthIsDegradedDuringARolloutAndDownAfterARollbackUntilAcknowledged() throws Exception {
        HttpResponse<String> rolling = http.get("/actuator/health", null, null);
        assertThat(rolling.statusCode()).isEqualTo(200);
        assertThat(rolling.body()).contains("\"status\":\"DEGRADED\"");

        pricing.state(GuardState.ROLLED_BACK);
        HttpResponse<String> down = http.get("/actuator/health", null, null);
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(down.body()).contains("\"drGuards\":{").contains("acknowledge with POST");

        assertThat(http.post("/actuator/dr/guards/pricing", "{\"action\":\"acknowledge\"}", OPERATOR,
                OPERATOR_PASSWORD).statusCode()).isEqualTo(200);
        HttpResponse<String> up = http.get("/actuator/health", null, null);
        assertThat(up.statusCode()).isEqualTo(200);
        assertThat(up.body()).endsWith("\"status\":\"UP\"}").contains("\"drGuards\":{\"details\"");
    }

    @Test
    void prometheusShowsTheDrMeters() throws Exception {
        HttpResponse<String> r = http.get("/actuator/prometheus", VIEWER, VIEWER_PASSWORD);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("dr_guard_candidate_weight{guard=\"pricing\"} 0.25")
                .contains("dr_guard_state{guard=\"pricing\",state=\"ROLLING_OUT\"} 1.0")
                .contains("dr_guard_state{guard=\"pricing\",state=\"ROLLED_BACK\"} 0.0")
                .contains("dr_audit_records");
    }

    @Test
    void theAuditTrailReadsNewestFirstAndVerifies() throws Exception {
        http.post("/actuator/dr/guards/pricing", "{\"action\":\"rollback\",\"reason\":\"first\"}", OPERATOR,
                OPERATOR_PASSWORD);
        pricing.state(GuardState.ROLLING_OUT);
        http.post("/actuator/dr/guards/pricing", "{\"action\":\"rollback\",\"reason\":\"second\"}", OPERATOR,
                OPERATOR_PASSWORD);
        String all = http.get("/actuator/dr/audit/all?target=pricing&limit=2", VIEWER, VIEWER_PASSWORD).body();
        assertThat(all.indexOf("second")).isGreaterThan(0).isLessThan(all.indexOf("first"));
        HttpResponse<String> verify = http.get("/actuator/dr/audit/verify", VIEWER, VIEWER_PASSWORD);
        assertThat(verify.statusCode()).isEqualTo(200);
        assertThat(verify.body()).contains("\"intact\":true");
        assertThat(http.get("/actuator/dr/audit/all?since=yesterday", VIEWER, VIEWER_PASSWORD).statusCode())
                .isEqualTo(400);
    }

    @Test
    void noSecretAppearsInTheEnvOrConfigpropsEndpoints() throws Exception {
        String env = http.get("/actuator/env", VIEWER, VIEWER_PASSWORD).body();
        String props = http.get("/actuator/configprops", VIEWER, VIEWER_PASSWORD).body();
        assertThat(env).contains("dr.repository.password").doesNotContain("repo-secret-4711")
                .doesNotContain("hook-secret-0815");
        assertThat(props).contains("\"dr\"").doesNotContain("repo-secret-4711").doesNotContain("hook-secret-0815");
    }

    @Test
    void theRestOfTheApplicationKeepsSpringBootsDefaultSecurity() throws Exception {
        assertThat(http.get("/actuator/env", null, null).statusCode()).isEqualTo(401);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
        @Bean
        TestGuard<String> pricingGuard() {
            return TestGuard.named("pricing");
        }

        @Bean
        UserDetailsService users() {
            return new InMemoryUserDetailsManager(
                    User.withUsername(OPERATOR).password("{noop}" + OPERATOR_PASSWORD).roles("DR_OPERATOR").build(),
                    User.withUsername(VIEWER).password("{noop}" + VIEWER_PASSWORD).roles("VIEWER").build());
        }
    }
}
