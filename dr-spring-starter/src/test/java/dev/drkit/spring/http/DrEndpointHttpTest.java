package dev.drkit.spring.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.rollback.GuardState;
import dev.drkit.spring.TestGuard;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
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
            "dr.backup.schedule.interval=1h",
            "dr.backup.schedule.initial-delay=1h",
            "dr.plans.restore-orders.rto=2m",
            "dr.alertmanager.enabled=true",
            "dr.alertmanager.token=${WEBHOOK_TOKEN_FOR_TEST:hook-secret-0815}",
        })
@ExtendWith(OutputCaptureExtension.class)
class DrEndpointHttpTest {
    static final String OPERATOR = "operator";
    static final String OPERATOR_PASSWORD = "op-pass";
    static final String VIEWER = "viewer";
    static final String VIEWER_PASSWORD = "view-pass";

    static Path auditFile;
    static Path sourceDir;

    @DynamicPropertySource
    static void auditFile(DynamicPropertyRegistry registry) throws Exception {
        Path dir = Files.createTempDirectory("dr-http");
        auditFile = dir.resolve("audit.jsonl");
        Path data = Files.createDirectories(dir.resolve("orders"));
        sourceDir = data;
        Files.writeString(data.resolve("order-1.json"), "{\"id\":1}");
        registry.add("dr.audit.file", () -> auditFile.toString());
        registry.add("dr.backup.sources", data::toString);
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
        assertThat(up.body()).contains("\"pricing\":{\"state\":\"ROLLED_BACK\",\"candidateWeight\":0.0}")
                .doesNotContain("acknowledge with POST").doesNotContain("\"status\":\"DOWN\"");
    }

    @Test
    void theDrHealthGroupShowsTheStartersContributorsToAnyone() throws Exception {
        HttpResponse<String> r = http.get("/actuator/health/dr", null, null);
        // 503 while another test's rollback waits for acknowledgement; the details show either way
        assertThat(r.statusCode()).isIn(200, 503);
        assertThat(r.body()).contains("\"drGuards\":{").contains("\"state\":\"ROLLING_OUT\"")
                .contains("\"drBackups\":{").contains("\"rpo\":\"PT1H\"");
    }

    @Test
    void prometheusShowsTheDrMeters() throws Exception {
        HttpResponse<String> r = http.get("/actuator/prometheus", VIEWER, VIEWER_PASSWORD);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("dr_guard_weight{guard=\"pricing\"} 0.25")
                .contains("dr_guard_state{guard=\"pricing\",state=\"ROLLING_OUT\"} 1.0")
                .contains("dr_guard_state{guard=\"pricing\",state=\"ROLLED_BACK\"} 0.0")
                .contains("dr_audit_records").contains("dr_backup_last_success_seconds ")
                .doesNotContain("dr_guard_candidate_weight");
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

    @Test
    void anOperatorBacksUpNowAndListsTheSnapshots() throws Exception {
        assertThat(http.post("/actuator/dr/backups/now", "{}", VIEWER, VIEWER_PASSWORD).statusCode()).isEqualTo(403);
        HttpResponse<String> r = http.post("/actuator/dr/backups/now", "{}", OPERATOR, OPERATOR_PASSWORD);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"sources\":[\"orders\"]").contains("\"files\":1").contains("\"on-demand\"")
                .contains("\"unreadableCount\":0").contains("\"unreadable\":[]").contains("\"specialCount\":0")
                .contains("\"packsMissing\":[]");
        String id = r.body().replaceAll(".*\"id\":\"([0-9a-f]+)\".*", "$1");
        assertThat(http.get("/actuator/dr/snapshots/all", VIEWER, VIEWER_PASSWORD).body()).contains(id)
                .contains("\"unreadableCount\":0");
        String overview = http.get("/actuator/dr", VIEWER, VIEWER_PASSWORD).body();
        assertThat(overview).contains("\"backups\":{").contains("\"rpoMet\":true");
        assertThat(http.get("/actuator/health", null, null).body()).contains("\"drBackups\":{");
    }

    @Test
    void aBackupOnDemandWhoseSourceIsGoneAnswers409NamingTheDirectory() throws Exception {
        Path aside = sourceDir.resolveSibling("orders-aside");
        Files.move(sourceDir, aside);
        try {
            HttpResponse<String> r = http.post("/actuator/dr/backups/now", "{}", OPERATOR, OPERATOR_PASSWORD);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
            assertThat(r.body()).contains("the backup source " + sourceDir + " does not exist on this server");
        } finally {
            Files.move(aside, sourceDir);
        }
    }

    @Test
    void aBackupOnDemandIsAuditedWithTheOperatorsName() throws Exception {
        HttpResponse<String> r = http.post("/actuator/dr/backups/now", "{}", OPERATOR, OPERATOR_PASSWORD);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        String id = r.body().replaceAll(".*\"id\":\"([0-9a-f]+)\".*", "$1");
        String audited = http.get("/actuator/dr/audit/all?action=operator.backup.now&actor=operator", VIEWER,
                VIEWER_PASSWORD).body();
        assertThat(audited).contains("\"actor\":\"operator\"").contains("\"outcome\":\"SUCCESS\"").contains(id);
    }

    @Test
    void anOperatorRunsAPlanAndFollowsItsExecution() throws Exception {
        assertThat(http.post("/actuator/dr/plans/restore-orders", "{\"mode\":\"sideways\"}", OPERATOR,
                OPERATOR_PASSWORD).statusCode()).isEqualTo(400);
        HttpResponse<String> started = http.post("/actuator/dr/plans/restore-orders", "{\"mode\":\"DRILL\"}",
                OPERATOR, OPERATOR_PASSWORD);
        assertThat(started.statusCode()).isEqualTo(202);
        String id = started.body().replaceAll(".*\"executionId\":\"([^\"]+)\".*", "$1");
        String body = "";
        // Polled for up to a minute: a loaded machine can stall the plan's threads for seconds.
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!body.contains("\"status\":\"SUCCEEDED\"") && System.nanoTime() - deadline < 0) {
            body = http.get("/actuator/dr/executions/" + id, VIEWER, VIEWER_PASSWORD).body();
            Thread.sleep(25);
        }
        assertThat(body).contains("\"status\":\"SUCCEEDED\"").contains("\"mode\":\"DRILL\"")
                .contains("\"rtoObjective\":\"PT2M\"");
        assertThat(http.get("/actuator/dr/executions/nope", VIEWER, VIEWER_PASSWORD).statusCode()).isEqualTo(404);
    }

    @Test
    void aGuardedReleaseCanBePausedResumedAndPromoted() throws Exception {
        String pause = http.post("/actuator/dr/guards/checkout", "{\"action\":\"pause\"}", OPERATOR,
                OPERATOR_PASSWORD).body();
        assertThat(pause).contains("\"state\":\"PAUSED\"").contains("\"candidateVersion\":\"v2\"");
        assertThat(http.post("/actuator/dr/guards/checkout", "{\"action\":\"resume\"}", OPERATOR,
                OPERATOR_PASSWORD).body()).contains("\"state\":\"ROLLING_OUT\"");
        assertThat(http.post("/actuator/dr/guards/checkout", "{\"action\":\"promote\",\"reason\":\"good\"}",
                OPERATOR, OPERATOR_PASSWORD).body()).contains("\"state\":\"PROMOTED\"");
    }

    @Test
    void aRollbackOfAGuardedReleaseOpensAnIncidentShownInTheOverview() throws Exception {
        assertThat(http.post("/actuator/dr/guards/refunds", "{\"action\":\"rollback\",\"reason\":\"refund errors\"}",
                OPERATOR, OPERATOR_PASSWORD).body()).contains("\"state\":\"ROLLED_BACK\"")
                .contains("\"lastRollback\":{").contains("\"reason\":\"refund errors\"");
        String overview = http.get("/actuator/dr", VIEWER, VIEWER_PASSWORD).body();
        assertThat(overview).contains("\"openIncidents\":[").contains("Guard refunds rolled back");
        assertThat(http.get("/actuator/dr/incidents/all", VIEWER, VIEWER_PASSWORD).body())
                .contains("Guard refunds rolled back");
    }

    static String alertmanagerPayload(String alertname, String labels) {
        return """
                {
                  "version": "4",
                  "groupKey": "{}:{alertname=\\"%1$s\\"}",
                  "truncatedAlerts": 0,
                  "status": "firing",
                  "receiver": "dr-kit",
                  "groupLabels": {"alertname": "%1$s"},
                  "commonLabels": {"alertname": "%1$s", "severity": "critical"},
                  "commonAnnotations": {"summary": "%1$s is firing"},
                  "externalURL": "http://alertmanager.example:9093",
                  "alerts": [
                    {
                      "status": "firing",
                      "labels": {"alertname": "%1$s", "severity": "critical", %2$s},
                      "annotations": {"summary": "%1$s is firing", "description": "error ratio above 5%%"},
                      "startsAt": "2026-11-26T10:00:00.000Z",
                      "endsAt": "0001-01-01T00:00:00Z",
                      "generatorURL": "http://prometheus.example:9090/graph?g0.expr=errors",
                      "fingerprint": "%3$s"
                    }
                  ]
                }
                """.formatted(alertname, labels, Integer.toHexString(alertname.hashCode()));
    }

    @Test
    void theWebhookRefusesAMissingOrWrongTokenAndAMalformedPayloadAndTriggersNothing() throws Exception {
        String before = http.get("/actuator/dr/incidents/all", VIEWER, VIEWER_PASSWORD).body();
        String payload = alertmanagerPayload("NoTokenAlert", "\"dr_action\": \"open_incident\"");
        assertThat(http.post("/dr/alertmanager", payload, null, null).statusCode()).isEqualTo(401);
        assertThat(http.postWithHeader("/dr/alertmanager", payload, "Authorization", "Bearer wrong").statusCode())
                .isEqualTo(401);
        assertThat(http.post("/dr/alertmanager", payload, OPERATOR, OPERATOR_PASSWORD).statusCode()).isEqualTo(401);
        HttpResponse<String> malformed = http.postWithHeader("/dr/alertmanager", "{\"version\": \"4\", \"alerts\": [",
                "Authorization", "Bearer hook-secret-0815");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.body()).contains("error").doesNotContain("hook-secret-0815");
        assertThat(http.get("/actuator/dr/incidents/all", VIEWER, VIEWER_PASSWORD).body()).isEqualTo(before);
    }

    @Test
    void anAlertWithDrActionOpenIncidentOpensAnIncidentShownInTheOverview() throws Exception {
        HttpResponse<String> r = http.postWithHeader("/dr/alertmanager",
                alertmanagerPayload("CheckoutErrors", "\"dr_action\": \"open_incident\""),
                "Authorization", "Bearer hook-secret-0815");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("\"action\":\"open_incident\"").contains("\"ok\":true");
        assertThat(http.get("/actuator/dr", VIEWER, VIEWER_PASSWORD).body()).contains("CheckoutErrors");
    }

    @Test
    void anAlertWithDrActionRollbackRollsTheGuardBack() throws Exception {
        HttpResponse<String> r = http.postWithHeader("/dr/alertmanager",
                alertmanagerPayload("SearchLatency", "\"dr_action\": \"rollback\", \"dr_guard\": \"search\""),
                "Authorization", "Bearer hook-secret-0815");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(http.get("/actuator/dr/guards/search", VIEWER, VIEWER_PASSWORD).body())
                .contains("\"state\":\"ROLLED_BACK\"").contains("\"trigger\":\"ALERT:");
        String explained = http.get("/actuator/dr/guards/search?limit=1", VIEWER, VIEWER_PASSWORD).body();
        assertThat(explained).contains("\"decisions\":[{").contains("\"action\":\"rollback.automatic\"")
                .contains("\"signal\":\"alert\"").contains("\"configVersion\":\"")
                .contains("\"candidateCalls\":\"").doesNotContain("rollout.start");
        assertThat(http.get("/actuator/dr/guards/search?limit=-1", VIEWER, VIEWER_PASSWORD).statusCode())
                .isEqualTo(400);
        // One incident, the alert's, which records the rollback; the rollback opens none of its own.
        assertThat(http.get("/actuator/dr/incidents/all", VIEWER, VIEWER_PASSWORD).body()).contains("SearchLatency")
                .contains("rolled back guard search").doesNotContain("Guard search rolled back");
    }

    @Test
    void anAlertForAnUnknownGuardIsRefusedNamingItAndChangesNothing() throws Exception {
        String before = http.get("/actuator/dr/incidents/all", VIEWER, VIEWER_PASSWORD).body();
        String guardsBefore = http.get("/actuator/dr/guards/checkout", VIEWER, VIEWER_PASSWORD).body();
        HttpResponse<String> r = http.postWithHeader("/dr/alertmanager",
                alertmanagerPayload("GhostErrors", "\"dr_action\": \"rollback\", \"dr_guard\": \"ghost\""),
                "Authorization", "Bearer hook-secret-0815");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(404);
        assertThat(r.body()).contains("names no guard: 'ghost'");
        assertThat(http.get("/actuator/dr/incidents/all", VIEWER, VIEWER_PASSWORD).body()).isEqualTo(before);
        assertThat(http.get("/actuator/dr/guards/checkout", VIEWER, VIEWER_PASSWORD).body()).isEqualTo(guardsBefore);
    }

    @Test
    void anAlertWithAMisspeltDrActionIsRefusedWith400NamingTheValueAndTheChoicesAndLogged(CapturedOutput output)
            throws Exception {
        String before = http.get("/actuator/dr/incidents/all", VIEWER, VIEWER_PASSWORD).body();
        HttpResponse<String> r = http.postWithHeader("/dr/alertmanager",
                alertmanagerPayload("TypoErrors", "\"dr_action\": \"rollbak\", \"dr_guard\": \"checkout\""),
                "Authorization", "Bearer hook-secret-0815");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.body()).contains("dr_action is not a known action: 'rollbak'; did you mean 'rollback'?")
                .contains("[rollback, run_plan, open_incident]");
        assertThat(http.get("/actuator/dr/incidents/all", VIEWER, VIEWER_PASSWORD).body()).isEqualTo(before);
        assertThat(output).containsPattern("WARN .*Alertmanager webhook: payload refused: .*'rollbak'");
    }

    @Test
    void anAlertWithoutADrActionLabelIsStillAnsweredWith200AndIgnored() throws Exception {
        HttpResponse<String> r = http.postWithHeader("/dr/alertmanager",
                alertmanagerPayload("PlainAlert", "\"team\": \"orders\""), "Authorization", "Bearer hook-secret-0815");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("\"action\":\"ignored\"").contains("\"ok\":true");
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
        @Bean
        dev.drkit.core.rollback.GuardedRelease<java.util.function.IntUnaryOperator> searchGuard(
                dev.drkit.spring.DrGuardFactory guards) {
            return guards.<java.util.function.IntUnaryOperator>builder("search")
                    .stable("v1", x -> x)
                    .candidate("v2", () -> x -> x * 2)
                    .build();
        }

        @Bean
        dev.drkit.core.rollback.GuardedRelease<java.util.function.IntUnaryOperator> checkoutGuard(
                dev.drkit.spring.DrGuardFactory guards) {
            return guards.<java.util.function.IntUnaryOperator>builder("checkout")
                    .stable("v1", x -> x)
                    .candidate("v2", () -> x -> x + 1)
                    .build();
        }

        @Bean
        dev.drkit.core.rollback.GuardedRelease<java.util.function.IntUnaryOperator> refundsGuard(
                dev.drkit.spring.DrGuardFactory guards) {
            return guards.<java.util.function.IntUnaryOperator>builder("refunds")
                    .stable("v1", x -> x)
                    .candidate("v2", () -> x -> -x)
                    .build();
        }

        @Bean
        dev.drkit.core.recovery.Plan restoreOrders(dev.drkit.spring.DrPlanFactory plans) {
            return plans.builder("restore-orders").step("check", ctx -> ctx.progress(1.0, "checked")).build();
        }

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
