package dev.drkit.test.acceptance;

import static dev.drkit.test.drill.DrillAssertions.assertThat;
import static dev.drkit.test.drill.DrillAssertions.assertThatAuditFile;
import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.audit.AuditSink;
import dev.drkit.api.incident.Incident;
import dev.drkit.api.recovery.ExecutionMode;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.audit.AuditFilter;
import dev.drkit.core.audit.AuditLog;
import dev.drkit.core.audit.AuditVerifier;
import dev.drkit.core.incident.IncidentManager;
import dev.drkit.core.incident.IncidentSignal;
import dev.drkit.core.incident.IncidentSource;
import dev.drkit.core.recovery.ExecutionResult;
import dev.drkit.core.recovery.RecoveryExecutor;
import dev.drkit.core.recovery.StepState;
import dev.drkit.core.report.PostIncidentReport;
import dev.drkit.core.report.ReportInput;
import dev.drkit.core.report.Runbook;
import dev.drkit.core.store.SnapshotStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance scenario of recovery: a realistic plan (fence writes, restore the latest
 * snapshot, verify the data, switch traffic, unfence) runs as a DRILL and LIVE in a child JVM
 * that is killed midway, is resumed here, and yields its runbook and a post-incident report
 * with the measured RTO and RPO.
 */
class RecoveryAcceptanceTest {
    static final Duration SNAPSHOT_AGE = Duration.ofMinutes(4);
    static final Duration FAULT_BEFORE_DETECTION = Duration.ofSeconds(90);

    @TempDir
    Path root;

    final AtomicReference<AuditSink> currentAudit = new AtomicReference<>();

    /** Where a scenario leaves its runbook and report for people to read. */
    static Path output() throws Exception {
        Path out = Path.of("target", "acceptance");
        Files.createDirectories(out);
        return out;
    }

    record Outcome(ExecutionResult result, String incidentId, Path audit, OrdersRecovery orders) {
    }

    Outcome crashAndResume(ExecutionMode mode, String executionId, String hangAt) throws Exception {
        SnapshotStore backups = SnapshotStores.file(root.resolve("backups"));
        OrdersRecovery orders = new OrdersRecovery(root, backups);
        Path auditFile = root.resolve("audit.jsonl");
        IncidentManager incidents = IncidentManager.builder().audit(e -> currentAudit.get().append(e)).build();

        // an alert opens the incident, which is when the failure counts as detected; the audit
        // log is closed before the child appends to it
        String incidentId;
        Instant detectedAt;
        try (AuditLog audit = AuditLog.file(auditFile)) {
            currentAudit.set(audit);
            Incident incident = incidents.open(new IncidentSignal(IncidentSource.ALERT, "Orders store corrupted",
                    "alert OrdersChecksumMismatch firing", Map.of("severity", "critical", "dr_fault", "data"),
                    "checkout cannot read orders", Instant.now().minus(FAULT_BEFORE_DETECTION), "fp-orders",
                    "alertmanager"));
            incidentId = incident.id();
            detectedAt = incident.openedAt();
        }
        orders.setUp(detectedAt, SNAPSHOT_AGE);

        // the recovery runs in another JVM, which dies at the given step
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                OrdersRecoveryMain.class.getName(), root.toString(), mode.name(), executionId, detectedAt.toString(),
                incidentId, hangAt)
                .redirectErrorStream(true).redirectOutput(root.resolve("child.log").toFile()).start();
        try {
            for (int i = 0; i < 60_000 && !Files.exists(orders.marker) && child.isAlive(); i++) {
                Thread.sleep(1);
            }
            assertThat(orders.marker).as("child reached %s; log %s", hangAt, root.resolve("child.log")).exists();
        } finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }

        // this process resumes it from the journal, appending to the same audit log
        ExecutionResult result;
        try (AuditLog audit = AuditLog.file(auditFile);
                SnapshotStore state = SnapshotStores.file(root.resolve("state"));
                RecoveryExecutor executor = RecoveryExecutor.builder().audit(audit).journal(state, "executions")
                        .pollInterval(Duration.ofMillis(1)).build()) {
            currentAudit.set(audit);
            assertThat(executor.unfinished()).containsExactly(executionId);
            incidents.acknowledge(incidentId, "oncall-alice");
            result = executor.resume(orders.plan("none"), executionId).await(Duration.ofMinutes(1));
            incidents.link(incidentId, result);
            incidents.resolve(incidentId, "oncall-alice", "Restored the orders from the latest snapshot and switched"
                    + " traffic to the restored copy.", "A schema migration truncated rows in the orders store.");
        }
        return new Outcome(result, incidentId, auditFile, orders);
    }

    @Test
    void aLiveRecoveryKilledMidwayResumesMeetsItsObjectivesAndIsReported() throws Exception {
        Outcome o = crashAndResume(ExecutionMode.LIVE, "live-1", "switch-traffic");
        ExecutionResult r = o.result();

        assertThat(r).succeeded().metRto().metRpo().stepEnded("unfence-writes", StepState.SUCCEEDED);
        assertThat(r.resumed()).isTrue();
        assertThat(r.step("restore").orElseThrow().resumed()).isTrue();
        assertThat(r.step("switch-traffic").orElseThrow().resumed()).isFalse();
        // the RPO is the age of the restored snapshot at detection; the RTO spans the crash
        assertThat(r.achievedRpo()).contains(SNAPSHOT_AGE);
        assertThat(r.achievedRto().orElseThrow()).isPositive();
        assertThat(o.orders().routing()).isEqualTo("restored");
        assertThat(o.orders().fence).doesNotExist();
        assertThat(Files.readString(o.orders().restored)).isEqualTo(OrdersRecovery.GOOD);
        assertThatAuditFile(o.audit()).verifies();

        String runbook = Runbook.of(o.orders().plan("none")).toMarkdown();
        var input = ReportInput.fromAudit(AuditVerifier.read(o.audit(), AuditFilter.all()), o.incidentId()).orElseThrow();
        PostIncidentReport report = PostIncidentReport.of(input);
        String md = report.toMarkdown();
        Files.writeString(output().resolve("runbook.md"), runbook);
        Files.writeString(output().resolve("post-incident-report.md"), md);
        Files.writeString(output().resolve("post-incident-report.json"), report.toJson());

        assertThat(runbook).contains("### 1. fence-writes", "### 2. restore", "### 3. verify-data",
                "### 4. switch-traffic", "### 5. unfence-writes", "| Owner | dba |", "orders readable");
        assertThat(md).contains("Orders store corrupted", "SEV1, DATA fault", "A schema migration truncated rows",
                "| orders-recovery | LIVE | ", "| 4 min | 10 min | yes |", "resumed after an interruption",
                "interrupted-execution");
        assertThat(input.executions()).singleElement().satisfies(e -> {
            assertThat(e.rto()).isEqualTo(r.achievedRto().orElseThrow());
            assertThat(e.rpo()).isEqualTo(SNAPSHOT_AGE);
        });
    }

    @Test
    void aDrillKilledMidwayResumesWithoutTouchingTheService() throws Exception {
        Outcome o = crashAndResume(ExecutionMode.DRILL, "drill-1", "verify-data");
        ExecutionResult r = o.result();

        assertThat(r).succeeded().metRto().metRpo();
        assertThat(r.mode()).isEqualTo(ExecutionMode.DRILL);
        assertThat(r.achievedRpo()).contains(SNAPSHOT_AGE);
        assertThat(o.orders().routing()).isEqualTo("primary");
        assertThat(o.orders().fence).doesNotExist();
        assertThat(o.orders().restored).doesNotExist();
        assertThat(r.step("switch-traffic").orElseThrow().notes()).anyMatch(n -> n.startsWith("would route traffic"));
        assertThatAuditFile(o.audit()).verifies();
        var input = ReportInput.fromAudit(AuditVerifier.read(o.audit(), AuditFilter.all()), o.incidentId()).orElseThrow();
        String md = PostIncidentReport.of(input).toMarkdown();
        Files.writeString(output().resolve("drill-report.md"), md);
        assertThat(md).contains("| orders-recovery | DRILL | ", "drill-only");
    }
}
