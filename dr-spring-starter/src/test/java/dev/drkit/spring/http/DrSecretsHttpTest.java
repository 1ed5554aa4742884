package dev.drkit.spring.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Secrets and failed logins in a running application over real HTTP: seeded, unique secret
 * values (the repository password, the webhook token, the operator password, and the wrong
 * ones presented) never show in the logs, the audit file or the output of
 * {@code /actuator/dr}, {@code /actuator/health} and {@code /actuator/configprops}; failed
 * webhook calls and operator logins are audited (without what was presented) and, after
 * {@code dr.security.login-failures}, answered 429 with {@code Retry-After}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, classes = DrEndpointHttpTest.App.class,
        properties = {
            "management.endpoints.web.exposure.include=health,dr,configprops",
            "management.endpoint.health.show-details=always",
            "management.endpoint.configprops.show-values=always",
            "dr.repository.uri=mem:secrets-test",
            "dr.repository.password=" + DrSecretsHttpTest.REPO_PASSWORD,
            "dr.repository.init-if-missing=true",
            "dr.backup.schedule.interval=1h",
            "dr.backup.schedule.initial-delay=1h",
            "dr.alertmanager.enabled=true",
            "dr.alertmanager.token=" + DrSecretsHttpTest.TOKEN,
            "dr.security.login-failures=3",
            "dr.security.login-window=1h",
        })
@ExtendWith(OutputCaptureExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DrSecretsHttpTest {
    static final String REPO_PASSWORD = "repo-SEED-3c81f0a9";
    static final String TOKEN = "hook-SEED-77d2e4b1";
    static final String WRONG_TOKEN = "hook-WRONG-0a9c55e3";
    static final String WRONG_PASSWORD = "op-WRONG-e41b7c20";
    static final List<String> SECRETS = List.of(REPO_PASSWORD, TOKEN, WRONG_TOKEN, WRONG_PASSWORD,
            DrEndpointHttpTest.OPERATOR_PASSWORD, DrEndpointHttpTest.VIEWER_PASSWORD);
    private static final String ALERT = "{\"version\":\"4\",\"status\":\"firing\",\"alerts\":[]}";

    static Path auditFile;

    @DynamicPropertySource
    static void files(DynamicPropertyRegistry registry) throws Exception {
        Path dir = Files.createTempDirectory("dr-secrets");
        auditFile = dir.resolve("audit.jsonl");
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("a.txt"), "a");
        registry.add("dr.audit.file", () -> auditFile.toString());
        registry.add("dr.backup.sources", data::toString);
    }

    @LocalServerPort
    int port;

    private static void assertNoSecret(String where, String text) {
        for (String secret : SECRETS) {
            assertThat(text).as(where + " must not contain a seeded secret").doesNotContain(secret);
        }
    }

    @Test
    @Order(1)
    void noSeededSecretShowsInLogsActuatorOutputOrTheAuditFile(CapturedOutput output) throws Exception {
        Http http = new Http(port);
        List<String> bodies = new ArrayList<>();
        bodies.add(http.postWithHeader("/dr/alertmanager", ALERT, "Authorization", "Bearer " + WRONG_TOKEN).body());
        bodies.add(http.get("/actuator/dr", DrEndpointHttpTest.OPERATOR, WRONG_PASSWORD).body());
        bodies.add(http.post("/actuator/dr/backups/now", "{}", DrEndpointHttpTest.OPERATOR,
                DrEndpointHttpTest.OPERATOR_PASSWORD).body());
        HttpResponse<String> dr = http.get("/actuator/dr", DrEndpointHttpTest.VIEWER, DrEndpointHttpTest.VIEWER_PASSWORD);
        assertThat(dr.statusCode()).isEqualTo(200);
        bodies.add(dr.body());
        bodies.add(http.get("/actuator/dr/audit/all", DrEndpointHttpTest.VIEWER, DrEndpointHttpTest.VIEWER_PASSWORD)
                .body());
        HttpResponse<String> health = http.get("/actuator/health", null, null);
        assertThat(health.body()).contains("\"status\"");
        bodies.add(health.body());
        HttpResponse<String> props = http.get("/actuator/configprops", DrEndpointHttpTest.VIEWER,
                DrEndpointHttpTest.VIEWER_PASSWORD);
        assertThat(props.body()).contains("dr.repository");
        bodies.add(props.body());
        bodies.add(http.postWithHeader("/dr/alertmanager", ALERT, "Authorization", "Bearer " + TOKEN).body());

        String audit = Files.readString(auditFile);
        assertThat(audit).contains("\"action\":\"auth.failure\"").contains("alertmanager-webhook")
                .contains("dr-endpoint");
        assertNoSecret("the audit file", audit);
        assertNoSecret("the HTTP responses", String.join("\n", bodies));
        assertNoSecret("the log", output.getAll());
    }

    @Test
    @Order(2)
    void wrongWebhookTokensAreAuditedAndThenRefusedWith429() throws Exception {
        Http http = new Http(port);
        List<Integer> codes = new ArrayList<>();
        HttpResponse<String> last = null;
        for (int i = 0; i < 4; i++) {
            last = http.postWithHeader("/dr/alertmanager", ALERT, "Authorization", "Bearer " + WRONG_TOKEN);
            codes.add(last.statusCode());
        }
        // the first test made one failed call from this address: two more reach the limit of three
        assertThat(codes).containsExactly(401, 401, 429, 429);
        assertThat(last.headers().firstValue("Retry-After")).hasValueSatisfying(
                s -> assertThat(Long.parseLong(s)).isBetween(1L, 3600L));
        // over the limit even the right token waits for the window to end
        assertThat(http.postWithHeader("/dr/alertmanager", ALERT, "Authorization", "Bearer " + TOKEN).statusCode())
                .isEqualTo(429);
        assertThat(Files.readAllLines(auditFile).stream()
                .filter(l -> l.contains("auth.failure") && l.contains("alertmanager-webhook"))).hasSize(3);
    }

    @Test
    @Order(3)
    void wrongOperatorPasswordsAreAuditedAndThenRefusedWith429() throws Exception {
        Http http = new Http(port);
        List<Integer> codes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            codes.add(http.post("/actuator/dr/guards/pricing", "{\"action\":\"rollback\"}", DrEndpointHttpTest.OPERATOR,
                    WRONG_PASSWORD).statusCode());
        }
        assertThat(codes).containsExactly(401, 401, 429);
        HttpResponse<String> right = http.get("/actuator/dr", DrEndpointHttpTest.VIEWER,
                DrEndpointHttpTest.VIEWER_PASSWORD);
        assertThat(right.statusCode()).isEqualTo(429);
        assertThat(right.headers().firstValue("Retry-After")).isPresent();
        assertThat(Files.readAllLines(auditFile).stream()
                .filter(l -> l.contains("auth.failure") && l.contains("dr-endpoint"))).hasSize(3);
    }
}
