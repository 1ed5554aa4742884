package dev.drkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

/** {@code dr snapshots}: newest first, as the actuator endpoint lists them, with sizes people can read. */
class SnapshotsCommandTest {
    @TempDir
    Path dir;

    private Path repo;
    private Path data;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void setUp() throws IOException {
        repo = dir.resolve("repo");
        data = Files.createDirectories(dir.resolve("orders"));
        Files.writeString(data.resolve("order-1.json"), "{\"cents\":1999}\n"); // 15 bytes
        Files.writeString(data.resolve("x"), "y");                              // 1 byte
        assertThat(dr("init", "--repo", repo.toString())).isZero();
    }

    private int dr(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        CommandLine cl = DrCommand.newCommandLine(Map.of("DR_PASSWORD", "correct horse"));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void theNewestSnapshotComesFirstInTextAndJson() {
        dr("backup", "--repo", repo.toString(), data.toString(), "--tag", "older");
        dr("backup", "--repo", repo.toString(), data.toString(), "--tag", "newer");

        assertThat(dr("snapshots", "--repo", repo.toString())).isZero();
        List<String> rows = out.toString().lines().toList();
        assertThat(rows.get(0)).startsWith("ID");
        assertThat(rows.get(1)).contains("tags: newer");
        assertThat(rows.get(2)).contains("tags: older");

        assertThat(dr("snapshots", "--repo", repo.toString(), "--json")).isZero();
        JsonNode list = CliJson.MAPPER.readTree(out.toString());
        assertThat(list.get(0).get("tags").get(0).asString()).isEqualTo("newer");
        assertThat(list.get(1).get("tags").get(0).asString()).isEqualTo("older");
    }

    @Test
    void aRecordedSnapshotWhoseManifestWasDeletedIsNamedOnStderrWhileStdoutAndTheExitCodeStayAsTheyWere()
            throws IOException {
        dr("backup", "--repo", repo.toString(), data.toString(), "--tag", "older");
        dr("backup", "--repo", repo.toString(), data.toString(), "--tag", "newer");
        assertThat(dr("snapshots", "--repo", repo.toString(), "--json")).isZero();
        String newest = CliJson.MAPPER.readTree(out.toString()).get(0).get("id").asString();
        assertThat(err.toString()).as("nothing to warn of").doesNotContain("warning");
        Files.delete(repo.resolve("snapshots.d").resolve(newest));

        assertThat(dr("snapshots", "--repo", repo.toString())).isZero();
        assertThat(out.toString()).contains("1 snapshot").contains("tags: older").doesNotContain("newer")
                .doesNotContain("warning");
        assertThat(err.toString()).contains("warning: the history records 1 snapshot not listed, its manifest "
                + "deleted or unreadable: " + newest + "; run dr verify");
        assertThat(dr("snapshots", "--repo", repo.toString(), "--json")).isZero();
        JsonNode list = CliJson.MAPPER.readTree(out.toString());
        assertThat(list).hasSize(1);
        assertThat(err.toString()).contains(newest);

        assertThat(dr("forget", "--repo", repo.toString(), newest)).isZero();
        assertThat(dr("snapshots", "--repo", repo.toString())).isZero();
        assertThat(err.toString()).as("given up on purpose").doesNotContain("warning");
    }

    @Test
    void sixteenBytesShowAsSixteenBytes() {
        dr("backup", "--repo", repo.toString(), data.toString());
        assertThat(dr("snapshots", "--repo", repo.toString())).isZero();
        assertThat(out.toString()).contains(" 16 B").doesNotContain("MiB");
    }
}
