package dev.drkit.spring.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.recovery.ExecutionMode;
import dev.drkit.core.recovery.Execution;
import dev.drkit.core.recovery.Plan;
import dev.drkit.spring.DrPlanFactory;
import dev.drkit.spring.DrPlans;
import dev.drkit.spring.TestGuard;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
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
 * The live console in a running application with Spring Security: over HTTP (who may see it,
 * the event stream) and in a real headless Chromium driven by Selenium (the operator's login,
 * a drill started from the page, its steps advancing as the events arrive). The browser's
 * screenshot is kept as {@code target/dr-console.png}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, classes = DrConsoleTest.App.class,
        properties = {
            "management.endpoints.web.exposure.include=health,dr",
            "dr.repository.uri=mem:console-test",
            "dr.repository.password=console-secret",
            "dr.repository.init-if-missing=true",
            "dr.repository.kdf.memory-kib=1024",
            "dr.repository.kdf.iterations=1",
            "dr.console.enabled=true",
            "dr.console.refresh=200ms",
        })
class DrConsoleTest {
    static final String OPERATOR = "operator";
    static final String OPERATOR_PASSWORD = "op-pass";
    static final String VIEWER = "viewer";
    static final String VIEWER_PASSWORD = "view-pass";
    static final Duration PATIENCE = Duration.ofSeconds(60);
    static final CountDownLatch FENCED = new CountDownLatch(1);
    static final CountDownLatch RESTORED = new CountDownLatch(1);

    @DynamicPropertySource
    static void auditFile(DynamicPropertyRegistry registry) throws Exception {
        Path dir = Files.createTempDirectory("dr-console");
        registry.add("dr.audit.file", () -> dir.resolve("audit.jsonl").toString());
    }

    @LocalServerPort
    int port;

    @Autowired
    DrPlans plans;

    @Test
    void thePageAndItsEventsNeedTheOperatorRole() throws Exception {
        Http http = new Http(port);
        assertThat(http.get("/dr", null, null).statusCode()).isEqualTo(401);
        assertThat(http.get("/dr", VIEWER, VIEWER_PASSWORD).statusCode()).isEqualTo(403);
        assertThat(http.get("/dr/events", VIEWER, VIEWER_PASSWORD).statusCode()).isEqualTo(403);
        HttpResponse<String> page = http.get("/dr", OPERATOR, OPERATOR_PASSWORD);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(page.body()).contains("<title>DR Kit console</title>").contains("const EVENTS = \"/dr/events\"")
                .contains("const ENDPOINT = \"/actuator/dr\"");
    }

    @Test
    void theEventStreamSendsTheStateAsServerSentEvents() throws Exception {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://localhost:" + port + "/dr/events").toURL()
                .openConnection();
        c.setRequestProperty("Authorization", basic(OPERATOR, OPERATOR_PASSWORD));
        c.setReadTimeout((int) PATIENCE.toMillis());
        assertThat(c.getResponseCode()).isEqualTo(200);
        assertThat(c.getContentType()).startsWith("text/event-stream");
        int states = 0;
        String last = null;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(c.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null && states < 2; line = in.readLine()) {
                if (line.startsWith("data:")) {
                    states++;
                    last = line;
                }
            }
        } finally {
            c.disconnect();
        }
        assertThat(states).as("the state now and once more after a refresh").isEqualTo(2);
        assertThat(last).contains("\"guards\":[{").contains("\"name\":\"pricing\"")
                .contains("\"plans\":[\"drill-orders\"]").contains("\"backups\":{\"rpo\":\"PT1H\"")
                .contains("\"auditVerification\":{\"intact\":true");
    }

    @Test
    void anOperatorStartsADrillFromThePageAndWatchesItsStepsAdvance() throws Exception {
        Assumptions.assumeTrue(ensureChromium(), "Debian's chromium and chromium-driver are not installed and could "
                + "not be installed");
        ChromeOptions options = new ChromeOptions().setBinary("/usr/bin/chromium")
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1200,1000");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        try {
            // the operator's login: the browser presents their credentials on every request of the page
            driver.executeCdpCommand("Network.enable", Map.of());
            driver.executeCdpCommand("Network.setExtraHTTPHeaders", Map.<String, Object>of("headers",
                    Map.of("Authorization", basic(OPERATOR, OPERATOR_PASSWORD))));
            driver.get("http://localhost:" + port + "/dr");
            WebDriverWait wait = new WebDriverWait(driver, PATIENCE);
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-guard='pricing']")));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("audit"), "chain intact"));

            driver.findElement(By.cssSelector("button[data-plan='drill-orders']")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("started"), "started"));
            step(wait, "fence", "RUNNING");
            screenshot(driver, "dr-console.png");
            FENCED.countDown();
            step(wait, "fence", "SUCCEEDED");
            step(wait, "restore", "RUNNING");
            RESTORED.countDown();
            step(wait, "restore", "SUCCEEDED");
            step(wait, "check", "SUCCEEDED");
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-status='SUCCEEDED']")));
            // the drill's records were added to the audit log: the page verified the chain again
            wait.until(ExpectedConditions.textMatches(By.id("audit"), Pattern.compile(
                    "chain intact, [1-9]\\d* records")));
            screenshot(driver, "dr-console-finished.png");
        } finally {
            driver.quit();
            FENCED.countDown();
            RESTORED.countDown();
        }
        Execution drill = plans.recent().get(0);
        assertThat(drill.result().join().mode()).isEqualTo(ExecutionMode.DRILL);
        byte[] png = Files.readAllBytes(Path.of("target", "dr-console.png"));
        assertThat(png).startsWith(new byte[] {(byte) 0x89, 'P', 'N', 'G'});
    }

    static void step(WebDriverWait wait, String step, String state) {
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(
                "span[data-step='" + step + "'][data-state='" + state + "']")));
    }

    static void screenshot(WebDriver driver, String name) throws Exception {
        Path out = Path.of("target", name);
        Files.createDirectories(out.getParent());
        Files.write(out, ((ChromeDriver) driver).getScreenshotAs(OutputType.BYTES));
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Installs Debian's chromium and chromium-driver when they are missing; false when they cannot be. */
    static boolean ensureChromium() throws Exception {
        if (Files.isExecutable(Path.of("/usr/bin/chromium")) && Files.isExecutable(Path.of("/usr/bin/chromedriver"))) {
            return true;
        }
        Process p = new ProcessBuilder("apt-get", "install", "-y", "chromium", "chromium-driver")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(15, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            return false;
        }
        return p.exitValue() == 0 && Files.isExecutable(Path.of("/usr/bin/chromedriver"));
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
        @Bean
        TestGuard<String> pricingGuard() {
            return TestGuard.named("pricing");
        }

        @Bean
        Plan drillOrders(DrPlanFactory plans) {
            return plans.builder("drill-orders")
                    .step("fence", ctx -> FENCED.await(2, TimeUnit.MINUTES))
                    .step("restore", ctx -> RESTORED.await(2, TimeUnit.MINUTES), s -> s.dependsOn("fence"))
                    .step("check", ctx -> ctx.progress(1.0, "checked"), s -> s.dependsOn("restore"))
                    .build();
        }

        @Bean
        UserDetailsService users() {
            return new InMemoryUserDetailsManager(
                    User.withUsername(OPERATOR).password("{noop}" + OPERATOR_PASSWORD).roles("DR_OPERATOR").build(),
                    User.withUsername(VIEWER).password("{noop}" + VIEWER_PASSWORD).roles("VIEWER").build());
        }
    }
}
