package dev.drkit.samples.orders;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The README's walkthrough, over real HTTP: bad rollout, rollback, backup, damage, plan, verified orders. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"DR_OPERATOR_PASSWORD=walkthrough-pass", "DR_WEBHOOK_TOKEN=walkthrough-token",
            "dr.backup.schedule.initial-delay=1h"})
class OrdersServiceWalkthroughTest {
    static Path data;

    @DynamicPropertySource
    static void dirs(DynamicPropertyRegistry registry) throws Exception {
        data = Files.createTempDirectory("orders-walkthrough");
        registry.add("orders.dir", () -> data.resolve("orders").toString());
        registry.add("dr.repository.uri", () -> "file:" + data.resolve("repository"));
        registry.add("dr.audit.file", () -> data.resolve("audit.jsonl").toString());
    }

    @LocalServerPort
    int port;

    private final HttpClient client = HttpClient.newHttpClient();

    private HttpResponse<String> send(String method, String path, String body, boolean operator) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (operator) {
            b.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString("operator:walkthrough-pass".getBytes(StandardCharsets.UTF_8)));
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theWalkthroughWorks() throws Exception {
        for (int i = 1; i <= 5; i++) {
            assertThat(send("POST", "/orders?customer=c" + i + "&cents=1999", null, false).statusCode()).isEqualTo(200);
        }
        assertThat(send("POST", "/simulate/traffic?calls=3000", null, false).body())
                .contains("\"guard\":\"ROLLED_BACK\"");
        assertThat(send("GET", "/actuator/dr/guards/pricing", null, true).body())
                .contains("\"mode\":\"AUTOMATIC\"").contains("\"evidence\":{");
        assertThat(send("GET", "/actuator/health", null, false).statusCode()).isEqualTo(503);

        assertThat(send("POST", "/actuator/dr/backups/now", "{}", false).statusCode()).isEqualTo(401);
        assertThat(send("POST", "/actuator/dr/backups/now", "{}", true).statusCode()).isEqualTo(200);

        Files.delete(data.resolve("orders/order-00000001.json"));
        Files.writeString(data.resolve("orders/order-00000002.json"), "garbage");

        String started = send("POST", "/actuator/dr/plans/restore-orders", "{\"mode\":\"LIVE\"}", true).body();
        String id = started.replaceAll(".*\"executionId\":\"([^\"]+)\".*", "$1");
        String execution = "";
        // Polled for up to a minute: a loaded machine can stall the plan's threads for seconds.
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!execution.contains("\"status\":\"SUCCEEDED\"") && System.nanoTime() - deadline < 0) {
            Thread.sleep(50);
            execution = send("GET", "/actuator/dr/executions/" + id, null, true).body();
        }
        assertThat(execution).contains("\"status\":\"SUCCEEDED\"").contains("\"rtoMet\":true");
        assertThat(send("GET", "/orders", null, false).body()).contains("\"customer\":\"c1\"")
                .contains("\"customer\":\"c2\"").contains("\"customer\":\"c5\"");

        assertThat(send("POST", "/actuator/dr/guards/pricing", "{\"action\":\"acknowledge\"}", true).statusCode())
                .isEqualTo(200);
        assertThat(send("GET", "/actuator/health", null, false).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/actuator/dr/audit/verify", null, true).body()).contains("\"intact\":true");
        assertThat(send("GET", "/actuator/prometheus", null, false).body()).contains("dr_guard_state{");

        String alert = """
                {"version":"4","groupKey":"{}:{alertname=\\"OrdersDiskFull\\"}","truncatedAlerts":0,
                 "status":"firing","receiver":"orders","groupLabels":{"alertname":"OrdersDiskFull"},
                 "commonLabels":{},"commonAnnotations":{},"externalURL":"http://alertmanager:9093",
                 "alerts":[{"status":"firing","labels":{"alertname":"OrdersDiskFull","dr_action":"open_incident"},
                   "annotations":{"summary":"orders disk 97% full"},"startsAt":"2026-11-26T10:00:00Z",
                   "endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prometheus:9090","fingerprint":"0a1b2c"}]}
                """;
        HttpRequest.Builder bad = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/dr/alertmanager"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer wrong")
                .POST(HttpRequest.BodyPublishers.ofString(alert));
        assertThat(client.send(bad.build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        HttpRequest.Builder good = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/dr/alertmanager"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer walkthrough-token")
                .POST(HttpRequest.BodyPublishers.ofString(alert));
        assertThat(client.send(good.build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/actuator/dr", null, true).body()).contains("orders disk 97% full");
    }
}
