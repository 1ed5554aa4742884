package dev.drkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

/** {@code dr restore-test} through the real command line against a file repository. */
class RestoreTestCommandTest {
    @TempDir
    Path dir;

    Path repo;
    Path data;
    Path sandbox;
    StringWriter out;
    StringWriter err;

    @BeforeEach
    void setUp() throws IOException {
        repo = dir.resolve("repo");
        data = dir.resolve("orders");
        sandbox = dir.resolve("sandbox");
        Files.createDirectories(data);
        Files.writeString(data.resolve("ledger.csv"), "id,amount\n1,10\n2,20\n3,30\n");
        assertThat(dr("init", "--repo", repo.toString())).isZero();
        assertThat(dr("backup", "--repo", repo.toString(), data.toString())).isZero();
    }

    int dr(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        CommandLine cl = DrCommand.newCommandLine(Map.of("DR_PASSWORD", "correct horse"));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void aPassingTestPrintsTheProjectedRtoAndEachValidatorAndIsAudited() throws IOException {
        Path audit = dir.resolve("audit.jsonl");
        int exit = dr("restore-test", "--repo", repo.toString(), "--sandbox", sandbox.toString(),
                "--rows", "orders/ledger.csv=3", "--smoke", "test \"$(wc -l < orders/ledger.csv)\" -eq 4",
                "--audit", audit.toString());
        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString()).containsPattern("restore test of snapshot [0-9a-f]{8} \\(captured .*\\): 1 file, "
                + ".* restored in .* \\(projected RTO\\)")
                .contains("ok     rows of orders/ledger.csv: orders/ledger.csv: 3 rows (at least 3)")
                .contains("ok     smoke: `sh -c test \"$(wc -l < orders/ledger.csv)\" -eq 4` exited 0")
                .contains("restore test passed");
        try (Stream<Path> left = Files.list(sandbox)) {
            assertThat(left).isEmpty();
        }
        assertThat(dr("audit", "list", "--file", audit.toString())).isZero();
        assertThat(out.toString()).contains("restore.test");
    }

    @Test
    void aTestAuditedWithAKeyFileVerifiesOnlyWithThatKeyAndAnotherKeyIsRefused() throws IOException {
        Path audit = dir.resolve("audit.jsonl");
        String key = Files.writeString(dir.resolve("key"), "the-audit-key").toString();
        String other = Files.writeString(dir.resolve("other-key"), "another-key").toString();
        int exit = dr("restore-test", "--repo", repo.toString(), "--sandbox", sandbox.toString(),
                "--audit", audit.toString(), "--key-file", key);
        assertThat(exit).as(err.toString()).isZero();
        assertThat(dr("audit", "verify", "--file", audit.toString(), "--key-file", key)).isZero();
        assertThat(dr("audit", "verify", "--file", audit.toString())).isEqualTo(3);

        byte[] before = Files.readAllBytes(audit);
        assertThat(dr("restore-test", "--repo", repo.toString(), "--sandbox", sandbox.toString(),
                "--audit", audit.toString(), "--key-file", other)).isEqualTo(3);
        assertThat(err.toString()).contains("refusing to append to audit log " + audit).contains("--key-file " + other);
        assertThat(Files.readAllBytes(audit)).isEqualTo(before);
    }

    @Test
    void aFailingValidatorExitsOneWithItsMessageAndJsonCarriesTheChecks() {
        int exit = dr("restore-test", "--repo", repo.toString(), "--sandbox", sandbox.toString(), "--json",
                "--rows", "orders/ledger.csv=1000", "--smoke", "echo smoke ok");
        assertThat(exit).isEqualTo(1);
        JsonNode r = CliJson.COMPACT.readTree(out.toString());
        assertThat(r.get("passed").asBoolean()).isFalse();
        assertThat(r.get("reason").asString()).isEqualTo(
                "validator rows of orders/ledger.csv failed: orders/ledger.csv: 3 rows (at least 1000)");
        assertThat(r.get("checks").get(1).get("detail").asString()).isEqualTo("`sh -c echo smoke ok` exited 0: smoke ok");
        assertThat(data.resolve("ledger.csv")).hasContent("id,amount\n1,10\n2,20\n3,30\n");
    }

    @Test
    void badOptionsAreNamed() {
        assertThat(dr("restore-test", "--repo", repo.toString(), "--rows", "orders/ledger.csv")).isEqualTo(2);
        assertThat(err.toString()).contains("--rows must be FILE=MIN with MIN >= 0, but was 'orders/ledger.csv'");
        assertThat(dr("restore-test", "--repo", repo.toString(), "--sample", "--snapshot", "latest")).isEqualTo(2);
        assertThat(err.toString()).contains("--sample draws a snapshot; --snapshot names one");
        assertThat(dr("restore-test", "--repo", repo.toString(), "--snapshot", "deadbeef")).isEqualTo(1);
        assertThat(out.toString()).contains("restore test FAILED: no snapshot to test: ");
    }
}
