package dev.drkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.core.audit.AuditVerifier;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dr demo} runs the whole drill, leaves its evidence, and refuses to reuse a drill's directory. */
class DemoCommandTest {
    @TempDir
    Path dir;

    @Test
    void theDrillSucceedsAndLeavesTheAuditLogReportAndRunbook() throws Exception {
        Path work = dir.resolve("drill");
        AuditCommandTest.Run run = AuditCommandTest.dr("demo", "--workdir", work.toString());

        assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(0);
        assertThat(run.out()).contains("[1/6] Back up the service's state", "incremental backup",
                "rolled back automatically by the judge", "evidence: ", "orders-intact: DOWN",
                "verification orders-intact: passed", "RTO ", ": met", "6 of 6 stages succeeded");
        assertThat(work.resolve("report.md")).content().contains("# Post-incident report", "restore-orders");
        assertThat(work.resolve("runbook.md")).content().contains("# Runbook: restore-orders");
        assertThat(AuditVerifier.verify(work.resolve("audit.jsonl"), null, null).intact()).isTrue();
        assertThat(Files.readString(work.resolve("audit.jsonl"))).contains("\"rollback.automatic\"")
                .contains("\"plan.finish\"");
    }

    @Test
    void aKeyFileKeysTheDrillsAuditLog() throws Exception {
        Path work = dir.resolve("drill");
        Path key = Files.writeString(dir.resolve("key"), "the-audit-key");
        AuditCommandTest.Run run = AuditCommandTest.dr("demo", "--workdir", work.toString(), "--key-file", key.toString());

        assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(0);
        assertThat(run.out()).contains("HMAC-keyed hash-chained records, intact");
        Path audit = work.resolve("audit.jsonl");
        assertThat(AuditVerifier.verify(audit, Files.readAllBytes(key), null).intact()).isTrue();
        assertThat(AuditVerifier.verify(audit, null, null).keyMismatch()).isTrue();
    }

    @Test
    void aDirectoryHoldingAnEarlierDrillIsRefused() throws Exception {
        Files.createDirectories(dir.resolve("repository"));
        AuditCommandTest.Run run = AuditCommandTest.dr("demo", "--workdir", dir.toString());

        assertThat(run.exit()).isEqualTo(DrCommand.EXIT_FAILED);
        assertThat(run.out()).contains("FAILED at stage 0");
        assertThat(run.err()).contains("holds an earlier drill");
    }
}
