package dev.drkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ConfigCommandTest {

    /** The project's own rollback_config.json, at the root of the checkout. */
    private static final Path ROOT_CONFIG = Path.of("..", "rollback_config.json");

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = DrCommand.newCommandLine(Map.of());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void theRootRollbackConfigIsValid() {
        Run run = run("config", "validate", "--file", ROOT_CONFIG.toString(), "--json");

        assertThat(run.code()).as(run.err()).isZero();
        JsonNode json = JsonMapper.builder().build().readTree(run.out());
        assertThat(json.get("valid").asBoolean()).isTrue();
        assertThat(json.get("guards").has("pricing")).isTrue();
    }

    @Test
    void theRootRollbackConfigHasTheSameStepsAsTheOrdersServiceSample() throws IOException {
        Properties sample = new Properties();
        sample.load(new StringReader(Files.readString(
                Path.of("..", "samples", "orders-service", "src", "main", "resources", "application.properties"))));
        Run run = run("config", "validate", "--file", ROOT_CONFIG.toString(), "--json");

        JsonNode steps = JsonMapper.builder().build().readTree(run.out()).get("guards").get("pricing").get("steps");
        StringBuilder weights = new StringBuilder();
        steps.forEach(w -> weights.append(weights.length() == 0 ? "" : ",").append(w.asDouble()));
        assertThat(weights.toString()).isEqualTo(sample.getProperty("dr.guards.pricing.steps"));
    }

    @Test
    void aPersonReadsOneLinePerGuard() {
        Run run = run("config", "validate", "--file", ROOT_CONFIG.toString());

        assertThat(run.code()).isZero();
        assertThat(run.out()).contains("valid, 1 guard").contains("pricing: steps [0.1, 0.25, 0.5, 1.0]")
                .contains("probes every 5 s, revert window 15 min").doesNotContain("PT");
    }

    @Test
    void aValueOutOfRangeExitsTwoNamingTheField(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("rollback_config.json");
        Files.writeString(file, "{\"guards\": {\"checkout\": {\"judge\": {\"alpha\": 1.5}}}}");

        Run run = run("config", "validate", "--file", file.toString());

        assertThat(run.code()).isEqualTo(DrCommand.EXIT_USAGE);
        assertThat(run.err()).contains("guards.checkout.judge.alpha").contains("1.5");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void anUnknownSettingExitsTwoNamingIt(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("rollback_config.json");
        Files.writeString(file, "{\"guards\": {\"checkout\": {\"revertWindoww\": \"5m\"}}}");

        Run run = run("config", "validate", "--file", file.toString());

        assertThat(run.code()).isEqualTo(DrCommand.EXIT_USAGE);
        assertThat(run.err()).contains("revertWindoww");
    }

    @Test
    void aMissingFileExitsTwoNamingIt(@TempDir Path dir) {
        Path missing = dir.resolve("nowhere.json");

        Run run = run("config", "validate", "--file", missing.toString());

        assertThat(run.code()).isEqualTo(DrCommand.EXIT_USAGE);
        assertThat(run.err()).contains("nowhere.json");
    }
}
