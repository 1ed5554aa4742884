package dev.drkit.samples.readme;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.core.rollback.GuardedRelease;
import dev.drkit.samples.readme.ReadmeBlocks.Block;
import java.io.IOException;
import java.io.StringReader;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.DefaultResourceLoader;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The first hour of a Spring Boot user, from the READMEs alone: a throwaway application whose
 * {@code application.properties} is the properties block with {@code dr.repository.uri} of
 * {@code dr-spring-starter/README.md}, and once more of the root README's Spring Boot section,
 * and whose configuration class holds the starter README's {@code @Bean} blocks, compiled with
 * {@code javax.tools}, started in process on a random port, and then driven over HTTP: it is
 * healthy, backs up on its schedule, and its guard rolls the broken candidate back.
 *
 * <p>What the test adds to the README's text, and nothing else:
 *
 * <ul>
 *   <li>the application's own code the snippets name: the {@code @SpringBootApplication} class
 *       around the beans, its imports, and {@code PricingEngine}, {@code PricingV1} and
 *       {@code PricingV2} (v2 fails every call);
 *   <li>absolute paths ({@code /var/...}, {@code /run/...}), in the properties and in the Java,
 *       mapped under a temporary directory, where the test creates the directories of
 *       {@code dr.backup.sources} with a file in each, those of
 *       {@code dr.backup.continuous.directories} and the {@code dr.repository.password-file}
 *       (what an operator provides before the first start);
 *   <li>two command-line properties: {@code server.port=0} and a one-second
 *       {@code dr.backup.schedule.interval} instead of the README's 15 minutes, so that a
 *       scheduled backup happens within the test.
 * </ul>
 *
 * <p>Everything else (creating the repository, reading the password, the guard's steps, the
 * exposed endpoints) must come from the README: remove {@code dr.repository.init-if-missing}
 * from its block and this test fails at start-up.
 */
class ReadmeFromZeroTest {
    static final Path STARTER_README = Path.of("dr-spring-starter/README.md");
    static final Duration DEADLINE = Duration.ofSeconds(60);
    /** An absolute path in a value or a string literal: {@code /var/...} or {@code /run/...}. */
    static final Pattern ABSOLUTE = Pattern.compile("(?<![\\w.:/-])/(var|run)/|(?<=file:)/(var|run)/");
    static final String PACKAGE = "fromzero";
    static final String APPLICATION = "FromZeroApplication";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final JsonMapper json = JsonMapper.builder().build();

    @ParameterizedTest(name = "properties from {0}")
    @ValueSource(strings = {"dr-spring-starter/README.md", "README.md"})
    void anApplicationMadeOfTheReadmesSnippetsBacksUpOnScheduleAndRollsAGuardBack(String propertiesReadme,
            @TempDir Path home) throws Exception {
        List<Block> blocks = ReadmeBlocks.all(ReadmeBlocks.root());
        Block properties = blocks.stream()
                .filter(b -> b.file().equals(Path.of(propertiesReadme)) && b.language().equals("properties")
                        && b.text().contains("dr.repository.uri="))
                .findFirst().orElseThrow(() -> new AssertionError(propertiesReadme
                        + " has no properties block with dr.repository.uri: a fresh application has nothing to copy"));
        List<Block> beans = blocks.stream().filter(b -> b.file().equals(STARTER_README)
                && b.language().equals("java") && b.text().contains("@Bean")).toList();
        assertThat(beans).as(STARTER_README + "'s @Bean blocks").isNotEmpty();
        assertThat(beans).as("a @Bean block defines the guard 'pricing'")
                .anyMatch(b -> b.text().contains("builder(\"pricing\")"));

        Path app = home.resolve("app");
        Path classes = app.resolve("target/classes");
        String propertiesText = underHome(properties.text(), home);
        Files.createDirectories(classes);
        Files.writeString(classes.resolve("application.properties"), propertiesText + "\n");
        Path sourceFile = app.resolve("src/main/java/" + PACKAGE + "/" + APPLICATION + ".java");
        Files.createDirectories(sourceFile.getParent());
        Files.writeString(sourceFile, application(beans, home));
        compile(sourceFile, classes);

        // What an operator provides before the first start, where the properties say: the data to
        // back up and the password file.
        Properties settings = new Properties();
        settings.load(new StringReader(propertiesText));
        String sources = settings.getProperty("dr.backup.sources");
        assertThat(sources).as(properties + " sets dr.backup.sources").isNotBlank();
        for (String dir : sources.split(",")) {
            Path source = Path.of(dir.strip());
            assertThat(source).as("dr.backup.sources, mapped under the temporary directory").startsWithRaw(home);
            Files.createDirectories(source);
            Files.writeString(source.resolve("order-1.json"), "{\"cents\":1999}");
        }
        String journaled = settings.getProperty("dr.backup.continuous.directories", "");
        for (String dir : journaled.split(",")) {
            if (!dir.isBlank()) {
                Path watched = Path.of(dir.strip());
                assertThat(watched).as("dr.backup.continuous.directories, mapped under the temporary directory")
                        .startsWithRaw(home);
                Files.createDirectories(watched);
            }
        }
        String password = settings.getProperty("dr.repository.password-file");
        assertThat(password).as(properties + " sets dr.repository.password-file").isNotBlank();
        Path passwordFile = Path.of(password.strip());
        assertThat(passwordFile).as("the password file, mapped under the temporary directory").startsWithRaw(home);
        Files.createDirectories(passwordFile.getParent());
        Files.writeString(passwordFile, "correct horse battery staple\n");

        ClassLoader original = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                ReadmeFromZeroTest.class.getClassLoader())) {
            Thread.currentThread().setContextClassLoader(loader);
            Class<?> main = loader.loadClass(PACKAGE + "." + APPLICATION);
            SpringApplication spring = new SpringApplication(new DefaultResourceLoader(loader), main);
            spring.setMainApplicationClass(main);
            try (ConfigurableApplicationContext context = spring.run(
                    "--server.port=0",
                    // the README's 15 minutes, shortened so that a scheduled backup happens within the test
                    "--dr.backup.schedule.interval=1s")) {
                String base = "http://localhost:" + context.getEnvironment().getProperty("local.server.port");
                exercise(base, context, loader);
            }
        } finally {
            Thread.currentThread().setContextClassLoader(original);
        }
    }

    private void exercise(String base, ConfigurableApplicationContext context, ClassLoader loader) throws Exception {
        // Healthy: while the candidate is rolled out the application is DEGRADED, which answers 200
        // (the README's Health section); the backups are UP.
        HttpResponse<String> health = get(base + "/actuator/health");
        assertThat(health.statusCode()).as("GET /actuator/health: %s", health.body()).isEqualTo(200);
        assertThat(json.readTree(health.body()).path("status").asString()).isEqualTo("DEGRADED");
        JsonNode group = json.readTree(get(base + "/actuator/health/dr").body());
        assertThat(group.path("components").path("drBackups").path("status").asString())
                .as("/actuator/health/dr: %s", group).isEqualTo("UP");
        assertThat(group.path("components").path("drGuards").path("details").path("pricing").path("state")
                .asString()).isEqualTo("ROLLING_OUT");

        // A scheduled backup: nobody asks for one.
        JsonNode backups = await("a scheduled backup in GET /actuator/dr", () -> dr(base).path("backups"),
                b -> b.hasNonNull("lastSnapshot"));
        assertThat(backups.path("rpoMet").asBoolean()).as("backups: %s", backups).isTrue();
        assertThat(backups.has("lastError")).as("backups: %s", backups).isFalse();
        JsonNode snapshots = json.readTree(get(base + "/actuator/dr/snapshots/all").body());
        assertThat(snapshots.isArray() && !snapshots.isEmpty()).as("GET /actuator/dr/snapshots/all: %s", snapshots)
                .isTrue();
        assertThat(snapshots.get(0).path("files").asLong()).isGreaterThanOrEqualTo(1);

        // Traffic through the guard, with varying keys as real traffic has: v2 fails every call.
        @SuppressWarnings("unchecked")
        GuardedRelease<Object> pricing = context.getBean("pricing", GuardedRelease.class);
        Method price = loader.loadClass(PACKAGE + "." + APPLICATION + "$PricingEngine")
                .getMethod("priceCents", String.class);
        int calls = 0;
        int failures = 0;
        long until = System.nanoTime() + DEADLINE.toNanos();
        while (pricing.lastRollback().isEmpty() && System.nanoTime() < until && calls < 100_000) {
            String customerId = "customer-" + calls++;
            try {
                pricing.call(customerId, engine -> invoke(price, engine, customerId));
            } catch (IllegalStateException e) {
                failures++; // the candidate's exceptions reach the caller
            }
        }
        assertThat(pricing.lastRollback()).as("a rollback after %d calls, %d of them failed", calls, failures)
                .isPresent();
        assertThat(failures).as("the candidate was called and failed").isPositive();

        // The endpoint and health show it.
        JsonNode guard = await("guard 'pricing' ROLLED_BACK in GET /actuator/dr", () -> dr(base).path("guards"),
                g -> g.isArray() && !g.isEmpty() && g.get(0).path("state").asString().equals("ROLLED_BACK")).get(0);
        assertThat(guard.path("name").asString()).isEqualTo("pricing");
        assertThat(guard.path("lastRollback").path("from").asString()).as("guard: %s", guard).isEqualTo("v2");
        assertThat(guard.path("lastRollback").path("to").asString()).isEqualTo("v1");
        assertThat(guard.path("lastRollback").path("mode").asString()).isEqualTo("AUTOMATIC");
        assertThat(guard.path("awaitingAcknowledgement").asBoolean()).isTrue();
        assertThat(get(base + "/actuator/health").statusCode())
                .as("health after an automatic rollback, until an operator acknowledges it").isEqualTo(503);
    }

    private static Object invoke(Method method, Object target, String argument) {
        try {
            return method.invoke(target, argument);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode dr(String base) {
        HttpResponse<String> r = get(base + "/actuator/dr");
        assertThat(r.statusCode()).as("GET /actuator/dr: %s", r.body()).isEqualTo(200);
        return json.readTree(r.body());
    }

    private HttpResponse<String> get(String uri) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError("GET " + uri + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("GET " + uri + " interrupted", e);
        }
    }

    /** Polls {@code read} with short sleeps until {@code done} holds, for at most {@link #DEADLINE}. */
    private static JsonNode await(String what, java.util.function.Supplier<JsonNode> read,
            java.util.function.Predicate<JsonNode> done) throws InterruptedException {
        long until = System.nanoTime() + DEADLINE.toNanos();
        JsonNode last = read.get();
        while (!done.test(last)) {
            if (System.nanoTime() > until) {
                throw new AssertionError("no " + what + " within " + DEADLINE + "; last seen: " + last);
            }
            Thread.sleep(100);
            last = read.get();
        }
        return last;
    }

    /** Maps every absolute {@code /var/} and {@code /run/} path of a text under {@code home}. */
    static String underHome(String text, Path home) {
        Matcher m = ABSOLUTE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String dir = m.group(1) != null ? m.group(1) : m.group(2);
            m.appendReplacement(out, Matcher.quoteReplacement(home.resolve(dir) + "/"));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * Returns the application's one source file: the imports a user's IDE adds, the
     * {@code @SpringBootApplication} class with the README's bean blocks as they are written (paths
     * mapped), and the placeholder types the snippets name.
     */
    private static String application(List<Block> beans, Path home) {
        StringBuilder s = new StringBuilder("package " + PACKAGE + ";\n\n");
        for (String p : SnippetCompiler.drKitPackages()) {
            s.append("import ").append(p).append(".*;\n");
        }
        for (String i : List.of("java.nio.file.*", "java.time.*", "java.util.*",
                "org.springframework.boot.autoconfigure.SpringBootApplication",
                "org.springframework.context.annotation.Bean")) {
            s.append("import ").append(i).append(";\n");
        }
        s.append("\n@SpringBootApplication\npublic class ").append(APPLICATION).append(" {\n");
        for (Block b : beans) {
            s.append("    // ").append(b).append('\n');
            for (String line : underHome(b.text(), home).split("\n", -1)) {
                s.append("    ").append(line).append('\n');
            }
        }
        s.append("""

                    /** The component the guard releases. */
                    public interface PricingEngine {
                        long priceCents(String customerId);
                    }

                    /** The stable version. */
                    public static class PricingV1 implements PricingEngine {
                        @Override
                        public long priceCents(String customerId) {
                            return 1999;
                        }
                    }

                    /** The candidate: broken, it fails every call. */
                    public static class PricingV2 implements PricingEngine {
                        @Override
                        public long priceCents(String customerId) {
                            throw new IllegalStateException("v2 is broken");
                        }
                    }
                }
                """);
        return s.toString();
    }

    private static void compile(Path source, Path classes) throws IOException {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = compiler.getStandardFileManager(null, Locale.ROOT,
                StandardCharsets.UTF_8)) {
            List<String> options = List.of("-classpath", System.getProperty("java.class.path"), "-d",
                    classes.toString(), "-parameters", "-proc:none", "-encoding", "UTF-8", "-nowarn");
            boolean ok = compiler.getTask(null, files, diagnostics, options, null,
                    files.getJavaFileObjects(source)).call();
            List<String> errors = new ArrayList<>();
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                if (d.getKind() == Diagnostic.Kind.ERROR) {
                    errors.add("line " + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT));
                }
            }
            if (!ok || !errors.isEmpty()) {
                throw new AssertionError("the application made of " + STARTER_README + "'s @Bean blocks does not "
                        + "compile:\n  " + String.join("\n  ", errors) + "\n" + numbered(Files.readString(source)));
            }
        }
    }

    private static String numbered(String text) {
        List<String> lines = text.lines().toList();
        return java.util.stream.IntStream.range(0, lines.size())
                .mapToObj(i -> String.format(Locale.ROOT, "%4d  %s", i + 1, lines.get(i)))
                .collect(Collectors.joining("\n"));
    }
}
