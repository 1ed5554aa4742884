package dev.drkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.core.audit.AuditLog;
import dev.drkit.core.recovery.ExecutionRequest;
import dev.drkit.core.recovery.Plan;
import dev.drkit.core.recovery.RecoveryExecutor;
import dev.drkit.core.recovery.Steps;
import dev.drkit.core.report.Runbook;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanAndReportCommandTest {
    @TempDir
    Path dir;

    static Plan plan() {
        return Plan.builder("orders-db").objectives(Duration.ofMinutes(30), Duration.ofMinutes(15))
                .step("fence", Steps.described("Fence writes", c -> {
                }), s -> s.owner("dba"))
                .step("restore", Steps.restore("the latest snapshot", c -> Instant.now().minusSeconds(60)),
                        s -> s.dependsOn("fence"))
                .build();
    }

    @Test
    void planRenderWritesTheRunbookAsMarkdownOrJson() throws Exception {
        Path file = dir.resolve("plan.json");
        Files.writeString(file, Runbook.of(plan()).toJson());
        AuditCommandTest.Run md = AuditCommandTest.dr("plan", "render", "--file", file.toString());
        assertThat(md.exit()).as(md.err()).isEqualTo(0);
        assertThat(md.out()).startsWith("# Runbook: orders-db").contains("### 2. restore");
        AuditCommandTest.Run json = AuditCommandTest.dr("plan", "render", "--file", file.toString(), "--format", "json");
        assertThat(json.out()).contains("\"plan\" : \"orders-db\"");
    }

    @Test
    void planRenderShowsCommandsShellQuotedAndNamesEscaped() throws Exception {
        Path file = dir.resolve("plan.yaml");
        Files.writeString(file, "name: orders\nobjectives: {rto: 30m, rpo: 15m}\nsteps:\n"
                + "  - {name: 'log | *now*', kind: command, run: [sh, -c, 'echo fenced >> log.txt']}\n");
        AuditCommandTest.Run md = AuditCommandTest.dr("plan", "render", "--file", file.toString());
        assertThat(md.exit()).as(md.err()).isEqualTo(0);
        assertThat(md.out()).contains("### 1. log \\| \\*now\\*\n").contains("Run `sh -c 'echo fenced >> log.txt'`.\n");
    }

    @Test
    void planRenderOfAMalformedPlanIsAUsageError() throws Exception {
        Path file = dir.resolve("plan.json");
        Files.writeString(file, "{\"plan\":\"p\"}");
        AuditCommandTest.Run run = AuditCommandTest.dr("plan", "render", "--file", file.toString());
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("objectives.rto");
    }

    Path auditWithIncident() {
        Path file = dir.resolve("audit.jsonl");
        try (AuditLog audit = AuditLog.file(file);
                RecoveryExecutor ex = RecoveryExecutor.builder().audit(audit).build()) {
            audit.append(new AuditEvent(Instant.now(), "alertmanager", "incident.open", "INC-7", AuditOutcome.SUCCESS,
                    Map.of("title", "Orders lost", "severity", "SEV2", "faultType", "DATA", "source", "alert")));
            ex.run(plan(), ExecutionRequest.live().forIncident("INC-7"), Duration.ofSeconds(30));
        }
        return file;
    }

    @Test
    void reportIncidentWritesThePostIncidentReportFromTheAuditLog() {
        Path audit = auditWithIncident();
        AuditCommandTest.Run run = AuditCommandTest.dr("report", "incident", "--audit", audit.toString(), "--incident",
                "INC-7");
        assertThat(run.exit()).as(run.err()).isEqualTo(0);
        assertThat(run.out()).startsWith("# Post-incident report: Orders lost").contains("## RTO and RPO")
                .contains("| orders-db | LIVE |");
        AuditCommandTest.Run missing = AuditCommandTest.dr("report", "incident", "--audit", audit.toString(),
                "--incident", "INC-8");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("no incident INC-8");
    }

    @Test
    void aPlanRunDetectedBeforeTheIncidentWasOpenedIsReportedFromThatDetection() throws Exception {
        Path plan = dir.resolve("plan.yaml");
        Files.writeString(plan, String.join("\n", "name: quick-fix", "objectives: {rto: 10m, rpo: 15m}", "steps:",
                "  - {name: restart, kind: command, run: ['true']}", ""));
        String audit = dir.resolve("audit.jsonl").toString();
        AuditCommandTest.Run opened = AuditCommandTest.dr("incident", "open", "--audit", audit, "--title", "orders down",
                "--fault", "software", "--actor", "alice", "--json");
        String id = dev.drkit.core.json.JsonMappers.compact().readTree(opened.out()).get("id").asString();
        Instant detected = Instant.now().minus(Duration.ofMinutes(40)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        AuditCommandTest.Run run = AuditCommandTest.dr("plan", "run", "--file", plan.toString(), "--live", "--audit",
                audit, "--incident", id, "--detected-at", detected.toString(), "--actor", "bob");
        assertThat(run.exit()).as(run.err()).isEqualTo(0);

        AuditCommandTest.Run report = AuditCommandTest.dr("report", "incident", "--audit", audit, "--incident", id);
        assertThat(report.exit()).as(report.err()).isEqualTo(0);
        assertThat(report.out()).contains("On " + detected + " the fault was detected; alice opened a SEV2 software "
                        + "incident by hand at ")
                .contains("recovering 40 min")
                .contains("- Detected: " + detected + ", as the recovery run recorded it")
                .contains("- Duration of impact: 40 min").contains("(" + detected + " to ")
                .contains("| quick-fix | LIVE | 40 min")
                .contains("Open the incident when the fault is detected")
                .doesNotContain("Speed up step restart");
    }

    @Test
    void aLiveRunForAnIncidentCountsItsRtoFromTheIncidentsDetectionAsTheReportDoes() throws Exception {
        Path plan = dir.resolve("plan.yaml");
        Files.writeString(plan, String.join("\n", "name: quick-fix", "objectives: {rto: 10m, rpo: 15m}", "steps:",
                "  - {name: restart, kind: command, run: ['true']}", ""));
        Path audit = dir.resolve("audit.jsonl");
        Instant opened = Instant.now().minus(Duration.ofMinutes(40)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        try (AuditLog log = AuditLog.file(audit)) {
            log.append(new AuditEvent(opened, "alice", "incident.open", "INC-9", AuditOutcome.SUCCESS,
                    Map.of("title", "Orders down", "severity", "SEV2", "faultType", "SOFTWARE", "source", "operator")));
        }

        AuditCommandTest.Run run = AuditCommandTest.dr("plan", "run", "--file", plan.toString(), "--live", "--audit",
                audit.toString(), "--incident", "INC-9", "--actor", "bob");
        assertThat(run.exit()).as(run.err()).isEqualTo(0);
        assertThat(run.out()).contains("RTO 40 min").contains("(objective 10 min): MISSED\n  counted from " + opened
                + " (the detection of incident INC-9, as its report counts)\n");
        java.util.regex.Matcher rto = java.util.regex.Pattern.compile("RTO (.+) \\(objective 10 min\\)")
                .matcher(run.out());
        assertThat(rto.find()).as(run.out()).isTrue();

        AuditCommandTest.Run report = AuditCommandTest.dr("report", "incident", "--audit", audit.toString(),
                "--incident", "INC-9");
        assertThat(report.exit()).as(report.err()).isEqualTo(0);
        assertThat(report.out()).contains("| quick-fix | LIVE | " + rto.group(1) + " | 10 min | **no** |")
                .contains("recovering " + rto.group(1) + " after detection");

        AuditCommandTest.Run drill = AuditCommandTest.dr("plan", "run", "--file", plan.toString(), "--drill", "--audit",
                audit.toString(), "--incident", "INC-9");
        assertThat(drill.out()).contains("(the run's start: a drill keeps its own measure)");
        AuditCommandTest.Run noAudit = AuditCommandTest.dr("plan", "run", "--file", plan.toString(), "--live",
                "--incident", "INC-9");
        assertThat(noAudit.out()).contains("(the run's start: without --audit the detection of incident INC-9 is not "
                + "known)");
        AuditCommandTest.Run other = AuditCommandTest.dr("plan", "run", "--file", plan.toString(), "--live", "--audit",
                audit.toString(), "--incident", "INC-10");
        assertThat(other.out()).contains("(the run's start: the --audit log has no incident INC-10)");
    }

    @Test
    void aLiveRunGivenALaterDetectionThanTheIncidentsCountsFromTheIncidentsAndSaysSo() throws Exception {
        Path plan = dir.resolve("plan.yaml");
        Files.writeString(plan, String.join("\n", "name: quick-fix", "objectives: {rto: 10m, rpo: 15m}", "steps:",
                "  - {name: restart, kind: command, run: ['true']}", ""));
        Path audit = dir.resolve("audit.jsonl");
        Instant opened = Instant.now().minus(Duration.ofMinutes(40)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Instant later = opened.plus(Duration.ofMinutes(30));
        try (AuditLog log = AuditLog.file(audit)) {
            log.append(new AuditEvent(opened, "alice", "incident.open", "INC-9", AuditOutcome.SUCCESS,
                    Map.of("title", "Orders down", "severity", "SEV2", "faultType", "SOFTWARE", "source", "operator")));
        }
        Path runReport = dir.resolve("run.md");

        AuditCommandTest.Run run = AuditCommandTest.dr("plan", "run", "--file", plan.toString(), "--live", "--audit",
                audit.toString(), "--incident", "INC-9", "--detected-at", later.toString(), "--report",
                runReport.toString());
        assertThat(run.exit()).as(run.err()).isEqualTo(0);
        assertThat(run.out()).contains("RTO 40 min").contains("(objective 10 min): MISSED\n  counted from " + opened
                + " (the detection of incident INC-9, earlier than --detected-at " + later + ", as its report counts)\n");
        assertThat(Files.readString(runReport)).contains("- Detected: " + opened + " (the RTO counts from the detection "
                + "of incident INC-9, earlier than --detected-at " + later + ", as its report counts)");
        java.util.regex.Matcher rto = java.util.regex.Pattern.compile("RTO (.+) \\(objective 10 min\\)")
                .matcher(run.out());
        assertThat(rto.find()).as(run.out()).isTrue();

        AuditCommandTest.Run report = AuditCommandTest.dr("report", "incident", "--audit", audit.toString(),
                "--incident", "INC-9");
        assertThat(report.exit()).as(report.err()).isEqualTo(0);
        assertThat(report.out()).contains("| quick-fix | LIVE | " + rto.group(1) + " | 10 min | **no** |")
                .contains("recovering " + rto.group(1) + " after detection")
                .contains("- Detected: " + opened + ", when alice opened the incident by hand");

        // an earlier --detected-at moves the incident's detection, and the run counts from it
        Instant earlier = opened.minus(Duration.ofMinutes(5));
        AuditCommandTest.Run early = AuditCommandTest.dr("plan", "run", "--file", plan.toString(), "--live", "--audit",
                audit.toString(), "--incident", "INC-9", "--detected-at", earlier.toString());
        assertThat(early.exit()).as(early.err()).isEqualTo(0);
        assertThat(early.out()).contains("  counted from " + earlier + " (--detected-at)\n");
        // a drill keeps the detection it was given
        AuditCommandTest.Run drill = AuditCommandTest.dr("plan", "run", "--file", plan.toString(), "--drill", "--audit",
                audit.toString(), "--incident", "INC-9", "--detected-at", later.toString());
        assertThat(drill.out()).contains("  counted from " + later + " (--detected-at)\n");
    }

    @Test
    void reportIncidentRefusesATamperedAuditLogWithExitThree() throws Exception {
        Path audit = auditWithIncident();
        List<String> lines = Files.readAllLines(audit);
        lines.set(0, lines.get(0).replace("SEV2", "SEV4"));
        Files.write(audit, lines);
        AuditCommandTest.Run run = AuditCommandTest.dr("report", "incident", "--audit", audit.toString(), "--incident",
                "INC-7");
        assertThat(run.exit()).isEqualTo(3);
        assertThat(run.err()).contains("record 1");
    }
}
