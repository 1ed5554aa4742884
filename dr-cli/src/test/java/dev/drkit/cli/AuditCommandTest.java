package dev.drkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.core.audit.AuditLog;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class AuditCommandTest {
    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    static Run dr(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = DrCommand.newCommandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private Path log() {
        Path file = dir.resolve("audit.jsonl");
        try (AuditLog log = AuditLog.file(file)) {
            for (int i = 1; i <= 5; i++) {
                log.append(new AuditEvent(Instant.parse("2026-11-26T10:00:00Z").plusSeconds(i), i == 3 ? "bob" : "alice",
                        "restore", "snap-" + i, AuditOutcome.SUCCESS, Map.of("n", "" + i)));
            }
        }
        return file;
    }

    @Test
    void verifyExitsZeroOnAnIntactLog() {
        Run run = dr("audit", "verify", "--file", log().toString());
        assertThat(run.exit()).as(run.err()).isEqualTo(0);
        assertThat(run.out()).contains("intact: 6 records");
    }

    @Test
    void verifyExitsThreeNamingTheFirstBadRecordOfATamperedLog() throws Exception {
        Path file = log();
        List<String> lines = Files.readAllLines(file);
        lines.set(2, lines.get(2).replace("\"bob\"", "\"eve\""));
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        Run run = dr("audit", "verify", "--file", file.toString());
        assertThat(run.exit()).isEqualTo(3);
        assertThat(run.out()).contains("TAMPERED at seq 3");
        Run json = dr("audit", "verify", "--file", file.toString(), "--json");
        assertThat(json.out()).contains("\"firstBadSeq\":3");
    }

    @Test
    void verifyChecksALogKeptInAStore() {
        Path root = dir.resolve("store");
        try (var store = dev.drkit.core.store.SnapshotStores.file(root);
                AuditLog log = AuditLog.store(store, "audit", dev.drkit.core.audit.AuditLogConfig.DEFAULT)) {
            log.append(new AuditEvent(Instant.parse("2026-11-26T10:00:00Z"), "alice", "restore", "snap-1",
                    AuditOutcome.SUCCESS, Map.of()));
        }
        Run run = dr("audit", "verify", "--store", root.toUri().toString(), "--prefix", "audit");
        assertThat(run.exit()).as(run.err()).isEqualTo(0);
        assertThat(run.out()).contains("intact: 2 records");
        assertThat(dr("audit", "verify").exit()).isEqualTo(2);
    }

    @Test
    void verifyOfAMissingFileIsAFailureNotAStackTrace() {
        Run run = dr("audit", "verify", "--file", dir.resolve("nope").toString());
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).startsWith("dr: audit log").doesNotContain("at dev.");
    }

    @Test
    void verifyOfAStoreThatDoesNotExistFailsNamingIt() {
        Path missing = dir.resolve("nonexistent-dir");
        Run run = dr("audit", "verify", "--store", "file:" + missing);
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).doesNotContain("intact");
        assertThat(run.err()).startsWith("dr: ").contains("nonexistent-dir").contains("no audit log");
    }

    @Test
    void aWrongKeyFileIsReportedAsAKeyMismatchNotAsTampering() throws Exception {
        Path key = Files.writeString(dir.resolve("key"), "not-the-logs-key");
        Run run = dr("audit", "verify", "--file", log().toString(), "--key-file", key.toString());
        assertThat(run.exit()).isEqualTo(3);
        assertThat(run.out()).doesNotContain("TAMPERED").contains("does not match the key").contains("not keyed");
    }

    @Test
    void listFiltersByActor() {
        Run run = dr("audit", "list", "--file", log().toString(), "--actor", "bob", "--json");
        assertThat(run.exit()).isEqualTo(0);
        assertThat(run.out().lines()).hasSize(1).first().asString().contains("\"seq\":3").contains("\"target\":\"snap-3\"");
    }

    @Test
    void listRefusesALogWithAnAlteredFieldNamingTheFirstBadRecord() throws Exception {
        Path file = log();
        List<String> lines = Files.readAllLines(file);
        lines.set(2, lines.get(2).replace("\"snap-3\"", "\"snap-9\""));
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        Run run = dr("audit", "list", "--file", file.toString());
        assertThat(run.exit()).isEqualTo(3);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines()).hasSize(1).first().asString().startsWith("dr: audit log")
                .contains("TAMPERED at seq 3").contains("record 3 was altered");
    }

    @Test
    void jsonLinesCarryAnyTextIntact() {
        Path file = dir.resolve("odd.jsonl");
        String actor = "ops \"night\"\\shift\n\u00e9\u2603\u0001";
        try (AuditLog log = AuditLog.file(file)) {
            log.append(new AuditEvent(Instant.parse("2026-11-26T10:00:00Z"), actor, "restore", "snap \"1\"",
                    AuditOutcome.SUCCESS, Map.of("note", "line one\nline \"two\"")));
        }
        Run run = dr("audit", "list", "--file", file.toString(), "--action", "restore", "--json");
        assertThat(run.exit()).as(run.err()).isEqualTo(0);
        assertThat(run.out().lines()).hasSize(1);
        tools.jackson.databind.ObjectMapper mapper = tools.jackson.databind.json.JsonMapper.builder().build();
        tools.jackson.databind.JsonNode node = mapper.readTree(run.out());
        assertThat(node.get("actor").asString()).isEqualTo(actor);
        assertThat(node.get("target").asString()).isEqualTo("snap \"1\"");
        assertThat(node.get("details").get("note").asString()).isEqualTo("line one\nline \"two\"");

        Run verify = dr("audit", "verify", "--file", file.toString(), "--json");
        tools.jackson.databind.JsonNode result = mapper.readTree(verify.out());
        assertThat(result.get("intact").asBoolean()).isTrue();
        assertThat(result.get("firstBadSeq").isNull()).isTrue();
    }
}
