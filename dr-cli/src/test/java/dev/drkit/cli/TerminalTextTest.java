package dev.drkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

/** Names with control characters print escaped in text output and exact in JSON. */
class TerminalTextTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int dr(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        CommandLine cl = DrCommand.newCommandLine(Map.of("DR_PASSWORD", "correct horse"));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void controlCharactersBackslashesAndBidiOverridesAreEscapedAndOtherTextIsKept() {
        assertThat(TerminalText.escape("orders/ünïcode €.txt")).isEqualTo("orders/ünïcode €.txt");
        assertThat(TerminalText.escape("a\nb\tc\rd")).isEqualTo("a\\nb\\tc\\rd");
        assertThat(TerminalText.escape("\u001b]0;owned\u0007\u001b[2J")).isEqualTo("\\x1b]0;owned\\x07\\x1b[2J");
        assertThat(TerminalText.escape("\u0000\u007f\u009b")).isEqualTo("\\x00\\x7f\\x9b");
        assertThat(TerminalText.escape("gpj.\u202eexe")).isEqualTo("gpj.\\u202eexe");
        assertThat(TerminalText.escape("a\\nb")).as("a real backslash cannot pass for an escape").isEqualTo("a\\\\nb");
    }

    @Test
    void diffPrintsNamesWithANewlineOrAnEscapeEscapedSoTheyCannotFakeLinesAndJsonKeepsThemExact() throws IOException {
        Path data = Files.createDirectories(dir.resolve("orders"));
        String spoof = "x\n- important.db";
        String escape = "\u001b[2Jcleared.txt";
        Files.writeString(data.resolve("important.db"), "keep");
        String repo = dir.resolve("repo").toString();
        assertThat(dr("init", "--repo", repo)).isZero();
        assertThat(dr("backup", "--repo", repo, data.toString())).isZero();
        Files.writeString(data.resolve(spoof), "a");
        Files.writeString(data.resolve(escape), "b");
        assertThat(dr("backup", "--repo", repo, data.toString())).isZero();
        assertThat(dr("snapshots", "--repo", repo, "--json")).isZero();
        JsonNode list = CliJson.MAPPER.readTree(out.toString());
        String first = list.get(1).get("id").asString();

        assertThat(dr("diff", "--repo", repo, first, "latest")).isZero();
        assertThat(out.toString()).contains("+ orders/x\\n- important.db", "+ orders/\\x1b[2Jcleared.txt",
                "2 added, 0 removed").doesNotContain("\u001b").doesNotContain("\n- important.db");

        assertThat(dr("diff", "--repo", repo, first, "latest", "--json")).isZero();
        JsonNode changes = CliJson.MAPPER.readTree(out.toString()).get("changes");
        List<String> paths = new ArrayList<>();
        changes.forEach(c -> paths.add(c.get("path").asString()));
        assertThat(paths).containsExactlyInAnyOrder("orders/" + spoof, "orders/" + escape);

        assertThat(dr("restore", "--repo", repo, "latest", "--target", dir.resolve("out\u001b[31m").toString()))
                .isZero();
        assertThat(out.toString()).contains("out\\x1b[31m").doesNotContain("\u001b");
        assertThat(dr("diff", "--repo", repo, first, "no\u001bsuch")).isNotZero();
        assertThat(err.toString()).contains("no\\x1bsuch").doesNotContain("\u001b");
    }
}
