package dev.drkit.spring.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.coordination.Coordinator;
import dev.drkit.api.coordination.FencingToken;
import dev.drkit.spring.DrCoordination;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Two running instances of an application coordinate as a fleet, over real HTTP: through the
 * store of their shared repository by default, and through a real ZooKeeper server when
 * {@code dr.coordination.uri} names one. {@code GET /actuator/dr} and the health contributor
 * show the lease's holder, its epoch and the members.
 */
class DrFleetHttpTest {
    private static final String VIEWER = "viewer";
    private static final String PASSWORD = "view-pass";

    @TempDir
    Path dir;

    private final List<ConfigurableApplicationContext> running = new ArrayList<>();

    @AfterEach
    void stop() {
        running.forEach(ConfigurableApplicationContext::close);
    }

    private ConfigurableApplicationContext start(String memberId, String... properties) {
        List<String> all = new ArrayList<>(List.of("server.port=0",
                "management.endpoints.web.exposure.include=health,dr",
                "management.endpoint.health.show-details=always",
                "spring.application.name=orders",
                "dr.coordination.member-id=" + memberId));
        all.addAll(List.of(properties));
        ConfigurableApplicationContext ctx = new SpringApplicationBuilder(App.class)
                .properties(all.toArray(String[]::new)).run();
        running.add(ctx);
        return ctx;
    }

    private static Http http(ConfigurableApplicationContext ctx) {
        return new Http(((WebServerApplicationContext) ctx).getWebServer().getPort());
    }

    @Test
    void instancesOnOneRepositoryShowTheHolderEpochAndMembers() throws Exception {
        Path repo = Files.createDirectories(dir.resolve("repo"));
        String[] shared = {"dr.repository.uri=file:" + repo, "dr.repository.password=fleet-secret",
            "dr.repository.init-if-missing=true", "dr.repository.kdf.memory-kib=64", "dr.repository.kdf.iterations=1"};
        ConfigurableApplicationContext a = start("orders-a", shared);
        ConfigurableApplicationContext b = start("orders-b", shared);

        FencingToken held = a.getBean(Coordinator.class).lease("writer").tryAcquire().orElseThrow();

        HttpResponse<String> r = http(b).get("/actuator/dr", VIEWER, PASSWORD);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"fleet\":{").contains("\"self\":\"orders-b\"")
                .contains("\"lease\":\"writer\"").contains("\"holder\":\"orders-a\"")
                .contains("\"epoch\":" + held.epoch()).contains("\"group\":\"orders\"")
                .contains("\"members\":[\"orders-a\",\"orders-b\"]").contains("\"backend\":\"file:");
        HttpResponse<String> health = http(b).get("/actuator/health", VIEWER, PASSWORD);
        assertThat(health.statusCode()).isEqualTo(200);
        JsonNode fleet = coordinationHealth(b);
        assertThat(fleet.get("status").asString()).isEqualTo("UP");
        assertThat(fleet.get("details").get("holder").asString()).isEqualTo("orders-a");
        assertThat(fleet.get("details").get("epoch").asLong()).isEqualTo(held.epoch());

        a.close();
        HttpResponse<String> after = http(b).get("/actuator/dr", VIEWER, PASSWORD);
        assertThat(after.body()).as("a stopped: released its lease and left").doesNotContain("\"holder\"")
                .contains("\"members\":[\"orders-b\"]");
    }

    @Test
    void instancesOnZooKeeperShowTheHolderEpochAndMembers() throws Exception {
        try (TestingServer zk = new TestingServer(true)) {
            String uri = "dr.coordination.uri=zookeeper://" + zk.getConnectString() + "/orders";
            ConfigurableApplicationContext a = start("orders-a", uri, "dr.coordination.ttl=10s");
            ConfigurableApplicationContext b = start("orders-b", uri, "dr.coordination.ttl=10s");
            assertThat(a.getBean(DrCoordination.class).coordinator().getClass().getName()).contains("zookeeper");

            long first = a.getBean(Coordinator.class).lease("writer").tryAcquire().orElseThrow().epoch();
            a.getBean(Coordinator.class).lease("writer").release();
            FencingToken held = b.getBean(Coordinator.class).lease("writer").tryAcquire().orElseThrow();
            assertThat(held.epoch()).isGreaterThan(first);

            HttpResponse<String> r = http(a).get("/actuator/dr", VIEWER, PASSWORD);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("\"holder\":\"orders-b\"").contains("\"epoch\":" + held.epoch())
                    .contains("\"members\":[\"orders-a\",\"orders-b\"]").contains("\"backend\":\"zookeeper://");
            JsonNode up = coordinationHealth(a);
            assertThat(up.get("status").asString()).isEqualTo("UP");
            assertThat(up.get("details").get("holder").asString()).isEqualTo("orders-b");
            assertThat(up.get("details").get("epoch").asLong()).isEqualTo(held.epoch());

            zk.stop();
            JsonNode down = coordinationHealth(a);
            assertThat(down.get("status").asString()).as("ZooKeeper down: the contributor says so").isEqualTo("DOWN");
            assertThat(down.get("details").get("error").asString()).startsWith("unavailable: ");
        }
    }

    private static JsonNode coordinationHealth(ConfigurableApplicationContext ctx) throws Exception {
        HttpResponse<String> r = http(ctx).get("/actuator/health", VIEWER, PASSWORD);
        return JsonMapper.builder().build().readTree(r.body()).get("components").get("drCoordination");
    }

    @Test
    void aTtlShorterThanTheRenewIntervalStopsTheApplicationNamingTheProperty() {
        assertThatThrownBy(() -> start("orders-a", "dr.repository.uri=mem:fleet-bad-ttl",
                "dr.repository.password=x", "dr.coordination.ttl=2s", "dr.coordination.renew-interval=5s"))
                .hasStackTraceContaining("dr.coordination.ttl must be longer than dr.coordination.renew-interval");
    }

    @Test
    void anUnreachableZooKeeperStopsTheApplicationNamingTheProperty() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        int closed = port;
        assertThatThrownBy(() -> start("orders-a", "dr.coordination.uri=zookeeper://127.0.0.1:" + closed + "/orders",
                "dr.coordination.connect-timeout=2s"))
                .hasStackTraceContaining("dr.coordination.uri names a coordination service that did not answer");
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
        @Bean
        UserDetailsService users() {
            return new InMemoryUserDetailsManager(
                    User.withUsername(VIEWER).password("{noop}" + PASSWORD).roles("VIEWER").build());
        }
    }
}
