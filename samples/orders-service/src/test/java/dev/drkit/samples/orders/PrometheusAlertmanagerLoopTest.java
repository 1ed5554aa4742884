package dev.drkit.samples.orders;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.incident.Incident;
import dev.drkit.api.rollback.GuardState;
import dev.drkit.api.rollback.RollbackEvent;
import dev.drkit.api.rollback.TriggerKind;
import dev.drkit.core.incident.IncidentManager;
import dev.drkit.core.rollback.GuardedRelease;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ResolvableType;

/**
 * The rollback loop through a real Prometheus and Alertmanager (Debian's packages, installed by
 * {@code monitoring/ensure-prometheus.sh} when absent): Prometheus scrapes the service's
 * {@code /actuator/prometheus} and evaluates {@code monitoring/dr-rules.yml}, Alertmanager
 * routes the alert by {@code monitoring/alertmanager.yml} to {@code /dr/alertmanager}, and the
 * guard rolls back. The in-process judge is made insensitive for that run (a configured
 * baseline of 30% failures, no consecutive-failure or open-circuit rule), so that only the
 * loop can roll back. A second run drives the same traffic against the sample's own judge.
 * Both times from the candidate's first failure to the rollback are printed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrometheusAlertmanagerLoopTest {
    static final Path MONITORING = Path.of("monitoring");
    static final String TOKEN = "loop-" + UUID.randomUUID();
    /** Calls per second before the onset: pricing v2 gets about 20 of them, below its capacity of 50. */
    static final int QUIET_RATE = 200;
    /** Calls per second from the onset: pricing v2 gets about 100 of them and fails on every third above 50. */
    static final int BUSY_RATE = 1000;
    static final Duration QUIET = Duration.ofSeconds(3);
    static final Duration BUSY_LIMIT = Duration.ofSeconds(60);
    /** Both runs keep the candidate at its first step (10%), so that the traffic it sees is the same. */
    static final String HOLD_STEP = "--dr.guards.pricing.min-duration=10m";

    static final List<Process> PROCESSES = new ArrayList<>();
    static final List<ConfigurableApplicationContext> APPS = new ArrayList<>();
    static final List<String> TIMES = new ArrayList<>();

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @AfterAll
    static void stopEverything() {
        for (Process p : PROCESSES) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        for (Process p : PROCESSES) {
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
        APPS.forEach(ConfigurableApplicationContext::close);
        TIMES.forEach(System.out::println);
    }

    @Test
    @Order(1)
    void aFailingCandidateIsRolledBackThroughPrometheusAndAlertmanager() throws Exception {
        Path prometheus = binary("prometheus");
        Path alertmanager = binary("prometheus-alertmanager");
        Path work = Files.createTempDirectory("orders-promloop");

        ConfigurableApplicationContext app = startApp(work.resolve("app"),
                "--dr.guards.pricing.judge.baseline-source=CONFIGURED",
                "--dr.guards.pricing.judge.baseline-rate=0.3",
                "--dr.guards.pricing.judge.max-consecutive-failures=0",
                "--dr.guards.pricing.judge.rollback-on-open-circuit=false");
        String appAddress = "127.0.0.1:" + ((WebServerApplicationContext) app).getWebServer().getPort();

        int amPort = freePort();
        Path amDir = Files.createDirectories(work.resolve("alertmanager"));
        Files.writeString(amDir.resolve("alertmanager.yml"), template(MONITORING.resolve("alertmanager.yml"),
                "localhost:8080", appAddress, "REPLACE_WITH_DR_WEBHOOK_TOKEN", TOKEN));
        Process am = launch(amDir.resolve("alertmanager.log"), alertmanager.toString(),
                "--config.file=" + amDir.resolve("alertmanager.yml"),
                "--storage.path=" + Files.createDirectories(amDir.resolve("data")),
                "--web.listen-address=127.0.0.1:" + amPort, "--cluster.listen-address=");
        await(am, amDir.resolve("alertmanager.log"), "Alertmanager ready",
                () -> get("http://127.0.0.1:" + amPort + "/-/ready"), r -> r.statusCode() == 200);

        int promPort = freePort();
        Path promDir = Files.createDirectories(work.resolve("prometheus"));
        Files.writeString(promDir.resolve("prometheus.yml"), template(MONITORING.resolve("prometheus.yml"),
                "localhost:8080", appAddress, "localhost:9093", "127.0.0.1:" + amPort));
        Files.copy(MONITORING.resolve("dr-rules.yml"), promDir.resolve("dr-rules.yml"));
        Process prom = launch(promDir.resolve("prometheus.log"), prometheus.toString(),
                "--config.file=" + promDir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + Files.createDirectories(promDir.resolve("data")),
                "--web.listen-address=127.0.0.1:" + promPort);
        String promUrl = "http://127.0.0.1:" + promPort;
        await(prom, promDir.resolve("prometheus.log"), "Prometheus scraping the service",
                () -> get(promUrl + "/api/v1/targets"), r -> r.body().contains("\"health\":\"up\""));
        await(prom, promDir.resolve("prometheus.log"), "Prometheus knowing the Alertmanager",
                () -> get(promUrl + "/api/v1/alertmanagers"), r -> r.body().contains("127.0.0.1:" + amPort));
        assertThat(get(promUrl + "/api/v1/rules").body()).contains("PricingCandidateErrorRatioHigh");

        GuardedRelease<PricingEngine> pricing = pricing(app);
        Run run = drive(pricing);

        assertThat(pricing.state()).isEqualTo(GuardState.ROLLED_BACK);
        RollbackEvent rollback = pricing.lastRollback().orElseThrow();
        assertThat(rollback.triggerKind()).as("the rollback came through the loop, not the in-process judge")
                .isEqualTo(TriggerKind.ALERT);
        assertThat(rollback.reason()).contains("PricingCandidateErrorRatioHigh");
        assertThat(run.failures()).as("the candidate failed before the rollback").isPositive();
        List<Incident> incidents = app.getBean(IncidentManager.class).list();
        assertThat(incidents).extracting(Incident::title)
                .contains("pricing v2 fails on more than 5% of its calls");
        TIMES.add(run.describe("Prometheus + Alertmanager loop (scrape and evaluation every 1 s, group_wait 1 s)"));
        System.out.println(TIMES.get(TIMES.size() - 1));
    }

    @Test
    @Order(2)
    void theInProcessJudgeOnTheSameTraffic() throws Exception {
        ConfigurableApplicationContext app = startApp(Files.createTempDirectory("orders-judge"));
        GuardedRelease<PricingEngine> pricing = pricing(app);
        Run run = drive(pricing);

        assertThat(pricing.state()).isEqualTo(GuardState.ROLLED_BACK);
        assertThat(pricing.lastRollback().orElseThrow().triggerKind()).isIn(TriggerKind.JUDGE,
                TriggerKind.CIRCUIT_BREAKER);
        TIMES.add(run.describe("in-process judge (the sample's settings)"));
        System.out.println(TIMES.get(TIMES.size() - 1));
    }

    /** What one run saw: when the candidate first failed and when the guard was rolled back. */
    record Run(long onsetNanos, long rollbackNanos, long calls, long failures) {
        Duration onsetToRollback() {
            return Duration.ofNanos(rollbackNanos - onsetNanos);
        }

        String describe(String how) {
            return String.format(Locale.ROOT, "error onset to rollback, %s: %d ms (%d calls, %d candidate failures)",
                    how, onsetToRollback().toMillis(), calls, failures);
        }
    }

    /**
     * Calls the guard at {@link #QUIET_RATE} for {@link #QUIET}, then at {@link #BUSY_RATE}
     * until it is rolled back; the onset is the candidate's first failure.
     */
    static Run drive(GuardedRelease<PricingEngine> pricing) {
        assertThat(pricing.config().retryOnStable()).as("the candidate's failures reach the caller").isFalse();
        assertThat(pricing.state()).isEqualTo(GuardState.ROLLING_OUT);
        long start = System.nanoTime();
        long quietEnd = start + QUIET.toNanos();
        long limit = quietEnd + BUSY_LIMIT.toNanos();
        long due = start;
        long calls = 0;
        long failures = 0;
        long onset = 0;
        while (pricing.state() != GuardState.ROLLED_BACK) {
            long now = System.nanoTime();
            assertThat(now).as("rolled back within " + BUSY_LIMIT + " of busy traffic").isLessThan(limit);
            if (now < due) {
                LockSupport.parkNanos(due - now);
            } else {
                // A thread stalled by a loaded machine does not catch up in a burst: the calls it
                // missed, sent at once, would overload v2 in its quiet phase.
                due = now;
            }
            due += 1_000_000_000L / (due < quietEnd ? QUIET_RATE : BUSY_RATE);
            String customer = "customer-" + calls++;
            try {
                pricing.call(customer, engine -> engine.price(customer, 1999));
            } catch (IllegalStateException e) {
                assertThat(e).hasMessageContaining("pricing v2");
                if (failures++ == 0) {
                    onset = System.nanoTime();
                    assertThat(onset).as("no failure before the busy phase").isGreaterThanOrEqualTo(quietEnd);
                }
            }
        }
        long rolledBack = System.nanoTime();
        assertThat(failures).as("the candidate failed before it was rolled back").isPositive();
        return new Run(onset, rolledBack, calls, failures);
    }

    static ConfigurableApplicationContext startApp(Path data, String... extra) {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--server.address=127.0.0.1",
                "--orders.dir=" + data.resolve("orders"), "--dr.repository.uri=file:" + data.resolve("repository"),
                "--dr.audit.file=" + data.resolve("audit.jsonl"), "--dr.backup.schedule.initial-delay=1h",
                "--dr.alertmanager.token=" + TOKEN, HOLD_STEP));
        args.addAll(Arrays.asList(extra));
        ConfigurableApplicationContext app = new SpringApplicationBuilder(OrdersApplication.class)
                .run(args.toArray(String[]::new));
        APPS.add(app);
        return app;
    }

    @SuppressWarnings("unchecked")
    static GuardedRelease<PricingEngine> pricing(ConfigurableApplicationContext app) {
        return (GuardedRelease<PricingEngine>) app.getBeanProvider(
                ResolvableType.forClassWithGenerics(GuardedRelease.class, PricingEngine.class)).getObject();
    }

    /** The example file with each given text replaced; a text that is not there fails the test. */
    static String template(Path file, String... replacements) throws IOException {
        String text = Files.readString(file);
        for (int i = 0; i < replacements.length; i += 2) {
            assertThat(text).as(file + " still contains " + replacements[i]).contains(replacements[i]);
            text = text.replace(replacements[i], replacements[i + 1]);
        }
        return text;
    }

    /** The binary on the PATH, installed by monitoring/ensure-prometheus.sh when it is not there. */
    static Path binary(String name) throws Exception {
        Optional<Path> found = onPath(name);
        if (found.isEmpty()) {
            Process p = new ProcessBuilder("bash", MONITORING.resolve("ensure-prometheus.sh").toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as("ensure-prometheus.sh: " + out).isZero();
            found = onPath(name);
        }
        assertThat(found).as(name + " on the PATH after ensure-prometheus.sh").isPresent();
        return found.orElseThrow();
    }

    static Optional<Path> onPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/bin";
        return Arrays.stream(path.split(File.pathSeparator)).filter(d -> !d.isEmpty()).map(d -> Path.of(d, name))
                .filter(Files::isExecutable).findFirst();
    }

    static Process launch(Path log, String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PROCESSES.add(p);
        return p;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    interface Call {
        HttpResponse<String> send() throws IOException, InterruptedException;
    }

    /** Polls a started process's HTTP API until the condition holds; fails with its log when it died or took 60 s. */
    static void await(Process process, Path log, String what, Call call, Predicate<HttpResponse<String>> done)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            assertThat(process.isAlive()).as(what + ": the process exited:\n" + Files.readString(log)).isTrue();
            try {
                if (done.test(call.send())) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            assertThat(System.nanoTime()).as(what + " within 60 s:\n" + Files.readString(log)).isLessThan(deadline);
            Thread.sleep(200);
        }
    }
}
