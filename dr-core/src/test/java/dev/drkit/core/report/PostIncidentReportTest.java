package dev.drkit.core.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.api.incident.FaultType;
import dev.drkit.api.incident.IncidentStatus;
import dev.drkit.api.incident.Severity;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.audit.AuditFilter;
import dev.drkit.core.audit.AuditLog;
import dev.drkit.core.audit.AuditLogConfig;
import dev.drkit.core.audit.AuditRecord;
import dev.drkit.core.recovery.ExecutionRequest;
import dev.drkit.core.recovery.ExecutionResult;
import dev.drkit.core.recovery.Plan;
import dev.drkit.core.recovery.RecoveryExecutor;
import dev.drkit.core.recovery.Steps;
import dev.drkit.core.store.SnapshotStores;
import dev.drkit.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PostIncidentReportTest {
    static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    final ManualClock clock = ManualClock.at(T0);

    /** Runs a plan whose restore is 20 minutes old and whose switch needs three attempts. */
    ExecutionResult run(AuditLog audit) {
        AtomicInteger switches = new AtomicInteger();
        Plan plan = Plan.builder("orders-db-restore").objectives(Duration.ofMinutes(30), Duration.ofMinutes(15))
                .step("fence", c -> clock.advance(Duration.ofMinutes(1)), s -> s.owner("dba"))
                .step("restore", Steps.restore("the latest snapshot", c -> {
                    clock.advance(Duration.ofMinutes(6));
                    return T0.minus(Duration.ofMinutes(20));
                }), s -> s.dependsOn("fence").timeout(Duration.ofMinutes(30)))
                .step("switch", c -> {
                    clock.advance(Duration.ofMinutes(1));
                    if (switches.incrementAndGet() < 3) {
                        throw new IllegalStateException("router busy");
                    }
                }, s -> s.dependsOn("restore").retry(3, Duration.ofMillis(1)))
                .build();
        try (RecoveryExecutor ex = RecoveryExecutor.builder().clock(clock).audit(audit)
                .pollInterval(Duration.ofMillis(1)).build()) {
            return ex.run(plan, ExecutionRequest.live().by("alice").forIncident("INC-1")
                    .detectedAt(T0.minus(Duration.ofMinutes(2))), Duration.ofSeconds(30));
        }
    }

    static AuditEvent incident(Instant at, String actor, String action, Map<String, String> details) {
        return new AuditEvent(at, actor, action, "INC-1", AuditOutcome.SUCCESS, details);
    }

    @Test
    void theReportHasEverySectionTheMeasuredObjectivesAndSuggestionsFromTheRules() {
        SnapshotStore store = SnapshotStores.memory();
        List<AuditRecord> records;
        ExecutionResult result;
        try (AuditLog audit = AuditLog.store(store, "audit", AuditLogConfig.DEFAULT)) {
            audit.append(incident(T0.minus(Duration.ofMinutes(2)), "alertmanager", "incident.open", Map.of(
                    "title", "Orders database corrupted", "severity", "SEV1", "faultType", "DATA", "source", "alert",
                    "trigger", "alert OrdersDbChecksumMismatch", "impact", "checkout fails for all users",
                    "faultStartedAt", T0.minus(Duration.ofMinutes(12)).toString())));
            audit.append(incident(T0.minus(Duration.ofMinutes(1)), "alice", "incident.ack", Map.of()));
            result = run(audit);
            audit.append(incident(clock.instant(), "alice", "incident.resolve", Map.of("resolution",
                    "Restored from the snapshot of 09:40 and switched traffic.", "rootCause",
                    "A migration rewrote order totals.")));
            records = audit.records(AuditFilter.all());
        }
        ReportInput input = ReportInput.fromAudit(records, "INC-1").orElseThrow();
        PostIncidentReport report = PostIncidentReport.of(input);
        String md = report.toMarkdown();
        assertThat(md).contains("## Summary", "## Impact", "## Root cause and trigger", "## Detection",
                "## Resolution", "## Timeline", "## RTO and RPO", "## Action items", "## Improvement suggestions");
        assertThat(md).contains("A migration rewrote order totals.").contains("alert OrdersDbChecksumMismatch")
                .contains("detection took 10 min").contains("checkout fails for all users");
        // detected at T0-2m; steps took 1 + 6 + 3 minutes: RTO 12 min; data 20 min old at T0 is 18 min old at detection
        assertThat(result.achievedRto()).contains(Duration.ofMinutes(12));
        assertThat(md).contains("| orders-db-restore | LIVE | 12 min | 30 min | yes | 18 min | 15 min | **no** |");
        assertThat(report.suggestions()).extracting(Suggestion::rule)
                .containsExactly("rpo-breached", "slow-detection", "flaky-step");
        assertThat(md).contains("Back up more often: at least every 7 min 30 s")
                .contains("Step switch of plan orders-db-restore needed 3 attempts")
                .contains("a judge with a lower failure-rate threshold");
        assertThat(input.incident().status()).isEqualTo(IncidentStatus.RESOLVED);
        assertThat(input.incident().severity()).isEqualTo(Severity.SEV1);
        assertThat(input.incident().faultType()).isEqualTo(FaultType.DATA);
        assertThat(md).contains("| seq | time | actor | action | target | outcome |");
        assertThat(report.toJson()).contains("\"rpoMet\" : false").contains("\"rule\" : \"rpo-breached\"");
    }

    @Test
    void theReportFromLiveObjectsMatchesTheOneFromTheAuditLog() {
        SnapshotStore store = SnapshotStores.memory();
        try (AuditLog audit = AuditLog.store(store, "audit", AuditLogConfig.DEFAULT)) {
            audit.append(incident(T0.minus(Duration.ofMinutes(2)), "alice", "incident.open", Map.of(
                    "title", "Orders database corrupted", "severity", "SEV2", "faultType", "DATA")));
            ExecutionResult result = run(audit);
            List<AuditRecord> records = audit.records(AuditFilter.all());
            ReportInput fromAudit = ReportInput.fromAudit(records, "INC-1").orElseThrow();
            ReportInput live = ReportInput.of(fromAudit.incident(), List.of(result), records);
            assertThat(live.executions().get(0).rto()).isEqualTo(fromAudit.executions().get(0).rto());
            assertThat(live.executions().get(0).rpo()).isEqualTo(fromAudit.executions().get(0).rpo());
            assertThat(PostIncidentReport.of(live).suggestions()).isEqualTo(PostIncidentReport.of(fromAudit).suggestions());
        }
    }

    @Test
    void theHtmlFormDrawsTheTimelineAndTheObjectivesToScaleAndEscapesWhatTheLogSays() {
        SnapshotStore store = SnapshotStores.memory();
        List<AuditRecord> records;
        try (AuditLog audit = AuditLog.store(store, "audit", AuditLogConfig.ofDefaults())) {
            audit.append(incident(T0.minus(Duration.ofMinutes(2)), "alertmanager", "incident.open", Map.of(
                    "title", "Orders <db> & \"co\"", "severity", "SEV1", "faultType", "DATA", "source", "alert",
                    "trigger", "<script>alert(1)</script>",
                    "faultStartedAt", T0.minus(Duration.ofMinutes(12)).toString())));
            run(audit);
            records = audit.records(AuditFilter.all());
        }
        String html = PostIncidentReport.of(ReportInput.fromAudit(records, "INC-1").orElseThrow()).toHtml();

        assertThat(html).startsWith("<!DOCTYPE html>").endsWith("</body></html>\n")
                .contains("<h1>Post-incident report: Orders &lt;db&gt; &amp; &quot;co&quot;</h1>")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script>");
        // the timeline spans the fault's start (T0-12m) to the RTO objective's end (T0-2m+30m): 40 minutes
        // over 730 units from x=150; detection at T0-2m is x=333, the start at T0 x=369
        assertThat(html).contains("<svg class=\"timeline\"")
                .contains("<rect class=\"waiting\" x=\"333\" y=\"52\" width=\"36\"")
                .contains("<line class=\"rto-objective\" x1=\"880\"");
        // the objectives: 30 minutes over 730 units; RTO 12 min (met), RPO 18 min against 15 (missed)
        assertThat(html).contains("<svg class=\"objectives\"")
                .contains("<rect class=\"rto met\" x=\"150\" y=\"10\" width=\"292\"")
                .contains("<rect class=\"rpo missed\" x=\"150\" y=\"35\" width=\"438\"")
                .contains("<line class=\"objective\" x1=\"515\"")
                .contains("12 min of 30 min: met").contains("18 min of 15 min: MISSED")
                .contains("<td class=\"missed\">18 min</td>");
    }
}
