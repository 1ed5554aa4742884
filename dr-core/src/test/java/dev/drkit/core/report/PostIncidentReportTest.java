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

    /** A plan whose one step takes a second, run live for INC-1, detected when given or at its start. */
    ExecutionResult quickFix(AuditLog audit, Duration rto, Instant detectedAt) {
        Plan plan = Plan.builder("quick-fix").objectives(rto, Duration.ofMinutes(15))
                .step("restart", c -> clock.advance(Duration.ofSeconds(1)), s -> s.owner("sre"))
                .build();
        ExecutionRequest request = ExecutionRequest.live().by("bob").forIncident("INC-1");
        try (RecoveryExecutor ex = RecoveryExecutor.builder().clock(clock).audit(audit)
                .pollInterval(Duration.ofMillis(1)).build()) {
            return ex.run(plan, detectedAt == null ? request : request.detectedAt(detectedAt), Duration.ofSeconds(30));
        }
    }

    static AuditEvent openedByAlice(Instant at) {
        return incident(at, "alice", "incident.open", Map.of("title", "Orders down", "severity", "SEV2",
                "faultType", "SOFTWARE", "source", "operator", "trigger", "operator report"));
    }

    @Test
    void aDetectionBeforeTheIncidentWasOpenedCountsForTheSummaryTheImpactTheDetectionTheTimelineAndTheRto() {
        SnapshotStore store = SnapshotStores.memory();
        List<AuditRecord> records;
        try (AuditLog audit = AuditLog.store(store, "audit", AuditLogConfig.DEFAULT)) {
            audit.append(openedByAlice(T0));
            quickFix(audit, Duration.ofMinutes(10), T0.minus(Duration.ofMinutes(40)));
            clock.advance(Duration.ofMinutes(5));
            audit.append(incident(clock.instant(), "alice", "incident.resolve", Map.of("resolution", "restarted")));
            records = audit.records(AuditFilter.all());
        }
        ReportInput input = ReportInput.fromAudit(records, "INC-1").orElseThrow();
        PostIncidentReport report = PostIncidentReport.of(input);
        String md = report.toMarkdown();

        assertThat(input.detectedAt()).isEqualTo("2026-11-26T09:20:00Z");
        assertThat(md).contains("On 2026-11-26T09:20:00Z the fault was detected; alice opened a SEV2 software incident "
                        + "by hand at 2026-11-26T10:00:00Z, 40 min later: Orders down. Plan **quick-fix** ran (LIVE) and "
                        + "succeeded, recovering 40 min 1 s after detection against an RTO of 10 min.")
                .contains("- Duration of impact: 40 min 1 s (2026-11-26T09:20:00Z to 2026-11-26T10:00:01Z)")
                .contains("- Detected: 2026-11-26T09:20:00Z, as the recovery run recorded it\n"
                        + "- Incident opened: 2026-11-26T10:00:00Z by alice, 40 min after detection\n")
                .contains("| quick-fix | LIVE | 40 min 1 s | 10 min | **no** |")
                .contains("| bob | plan quick-fix SUCCEEDED, RTO 40 min 1 s |");
        // the timeline starts where the summary, the impact and the RTO table count from
        assertThat(input.timeline()).first().satisfies(t -> {
            assertThat(t.at()).isEqualTo(input.detectedAt());
            assertThat(t.kind()).isEqualTo("detected");
        });
        assertThat(md).contains("| time | who | event |\n|---|---|---|\n| 2026-11-26T09:20:00Z | bob | fault detected, "
                + "40 min before the incident was opened, as the LIVE run of plan quick-fix recorded it |\n"
                + "| 2026-11-26T10:00:00Z | alice | incident opened by hand: Orders down (SEV2, SOFTWARE) |");
        // the step took a second: the time went before the incident was opened, and that is what to fix
        assertThat(report.suggestions()).filteredOn(s -> s.rule().equals("rto-breached")).singleElement()
                .satisfies(s -> {
                    assertThat(s.finding()).isEqualTo("Recovery with plan quick-fix took 40 min 1 s from detection, "
                            + "over the RTO of 10 min: 40 min from detection until the incident was opened, 1 s running it.");
                    assertThat(s.action()).startsWith("Open the incident when the fault is detected, since most of the "
                            + "time passed before it was opened").doesNotContain("step restart");
                    assertThat(s.owner()).isEqualTo("on-call lead");
                });
        assertThat(report.toJson()).contains("\"detectedAt\" : \"2026-11-26T09:20:00Z\"");
        assertThat(report.toHtml()).contains("<li>Detected: 2026-11-26T09:20:00Z</li>");
    }

    @Test
    void aLiveRunStartedAfterTheIncidentWasOpenedIsMeasuredFromTheOpening() {
        SnapshotStore store = SnapshotStores.memory();
        List<AuditRecord> records;
        try (AuditLog audit = AuditLog.store(store, "audit", AuditLogConfig.DEFAULT)) {
            audit.append(openedByAlice(T0));
            clock.advance(Duration.ofMinutes(10));
            ExecutionResult result = quickFix(audit, Duration.ofMinutes(5), null);
            assertThat(result.achievedRto()).as("the run alone counts from its start").contains(Duration.ofSeconds(1));
            records = audit.records(AuditFilter.all());
        }
        ReportInput input = ReportInput.fromAudit(records, "INC-1").orElseThrow();
        PostIncidentReport report = PostIncidentReport.of(input);
        String md = report.toMarkdown();

        assertThat(input.detectedAt()).isEqualTo(T0);
        assertThat(input.executions()).singleElement().satisfies(e -> {
            assertThat(e.detectedAt()).isEqualTo(T0);
            assertThat(e.rto()).isEqualTo(Duration.ofMinutes(10).plusSeconds(1));
        });
        assertThat(md).contains("recovering 10 min 1 s after detection against an RTO of 5 min")
                .contains("- Detected: 2026-11-26T10:00:00Z, when alice opened the incident by hand\n")
                .contains("- Duration of impact: 10 min 1 s (2026-11-26T10:00:00Z to 2026-11-26T10:10:01Z)")
                .contains("| quick-fix | LIVE | 10 min 1 s | 5 min | **no** |")
                .contains("plan quick-fix SUCCEEDED, RTO 10 min 1 s");
        assertThat(report.suggestions()).filteredOn(s -> s.rule().equals("rto-breached")).singleElement()
                .satisfies(s -> assertThat(s.action()).startsWith("Start plan quick-fix as soon as the incident is "
                        + "opened, since most of the time passed before it started"));
    }

    @Test
    void anIncidentOpenedWhenItWasDetectedHasNoSeparateDetectionInItsTimeline() {
        SnapshotStore store = SnapshotStores.memory();
        List<AuditRecord> records;
        try (AuditLog audit = AuditLog.store(store, "audit", AuditLogConfig.DEFAULT)) {
            audit.append(openedByAlice(T0));
            quickFix(audit, Duration.ofMinutes(10), null);
            records = audit.records(AuditFilter.all());
        }
        ReportInput input = ReportInput.fromAudit(records, "INC-1").orElseThrow();
        assertThat(input.timeline()).extracting(t -> t.kind()).doesNotContain("detected").first()
                .isEqualTo("incident.open");
    }

    /** A plan whose one step fails, run live for INC-1. */
    ExecutionResult failingFix(AuditLog audit) {
        Plan plan = Plan.builder("failing-fix").objectives(Duration.ofMinutes(30), Duration.ofMinutes(15))
                .step("failover", c -> {
                    clock.advance(Duration.ofMinutes(2));
                    throw new IllegalStateException("standby unreachable");
                }, s -> s.owner("sre"))
                .build();
        try (RecoveryExecutor ex = RecoveryExecutor.builder().clock(clock).audit(audit)
                .pollInterval(Duration.ofMillis(1)).build()) {
            return ex.run(plan, ExecutionRequest.live().by("bob").forIncident("INC-1"), Duration.ofSeconds(30));
        }
    }

    /** A drill of plan quick-fix for INC-1, whose one step takes a second. */
    ExecutionResult quickFixDrill(AuditLog audit) {
        return quickFixDrill(audit, null);
    }

    /** A drill of plan quick-fix for INC-1, detected when given or at its start. */
    ExecutionResult quickFixDrill(AuditLog audit, Instant detectedAt) {
        Plan plan = Plan.builder("quick-fix").objectives(Duration.ofMinutes(10), Duration.ofMinutes(15))
                .step("restart", c -> clock.advance(Duration.ofSeconds(1)), s -> s.owner("sre"))
                .build();
        try (RecoveryExecutor ex = RecoveryExecutor.builder().clock(clock).audit(audit)
                .pollInterval(Duration.ofMillis(1)).build()) {
            ExecutionRequest request = ExecutionRequest.drill().by("carol").forIncident("INC-1");
            return ex.run(plan, detectedAt == null ? request : request.detectedAt(detectedAt), Duration.ofSeconds(30));
        }
    }

    @Test
    void ofSeveralLiveRunsTheOneThatCompletedTheRecoveryIsTheOneTheSummaryAndTheImpactSpeakOf() {
        SnapshotStore store = SnapshotStores.memory();
        List<AuditRecord> records;
        try (AuditLog audit = AuditLog.store(store, "audit", AuditLogConfig.DEFAULT)) {
            audit.append(openedByAlice(T0));
            clock.advance(Duration.ofMinutes(1));
            assertThat(failingFix(audit).succeeded()).isFalse();
            clock.advance(Duration.ofMinutes(5));
            assertThat(quickFix(audit, Duration.ofMinutes(10), null).succeeded()).isTrue();
            clock.advance(Duration.ofMinutes(5));
            quickFixDrill(audit);
            records = audit.records(AuditFilter.all());
        }
        String md = PostIncidentReport.of(ReportInput.fromAudit(records, "INC-1").orElseThrow()).toMarkdown();

        // the failed run took T0+1m..T0+3m; quick-fix started at T0+8m and recovered a second later
        assertThat(md).contains("Plan **quick-fix** ran (LIVE) and succeeded, recovering 8 min 1 s after detection "
                        + "against an RTO of 10 min.")
                .contains("- Duration of impact: 8 min 1 s (2026-11-26T10:00:00Z to 2026-11-26T10:08:01Z)")
                .doesNotContain("Plan **failing-fix** ran").contains("failing-fix");
    }

    @Test
    void aDrillDetectedEarlierDoesNotMoveTheDetectionOfTheIncidentOrItsLiveRun() {
        SnapshotStore store = SnapshotStores.memory();
        List<AuditRecord> records;
        try (AuditLog audit = AuditLog.store(store, "audit", AuditLogConfig.DEFAULT)) {
            audit.append(openedByAlice(T0));
            clock.advance(Duration.ofMinutes(2));
            quickFixDrill(audit, T0.minus(Duration.ofHours(1)));
            clock.advance(Duration.ofMinutes(8));
            quickFix(audit, Duration.ofMinutes(15), null);
            records = audit.records(AuditFilter.all());
        }
        ReportInput input = ReportInput.fromAudit(records, "INC-1").orElseThrow();
        String md = PostIncidentReport.of(input).toMarkdown();

        // the incident was opened at T0; the live run recovered at T0+10m2s (the drill's second, then its own)
        assertThat(input.detectedAt()).isEqualTo(T0);
        assertThat(input.timeline()).extracting(t -> t.kind()).doesNotContain("detected").first()
                .isEqualTo("incident.open");
        assertThat(input.executions()).filteredOn(e -> e.mode() == dev.drkit.api.recovery.ExecutionMode.LIVE)
                .singleElement().satisfies(e -> {
                    assertThat(e.detectedAt()).isEqualTo(T0);
                    assertThat(e.rto()).isEqualTo(Duration.ofMinutes(10).plusSeconds(2));
                });
        // the drill keeps the measure it was given
        assertThat(input.executions()).filteredOn(e -> e.mode() == dev.drkit.api.recovery.ExecutionMode.DRILL)
                .singleElement().satisfies(e -> {
                    assertThat(e.detectedAt()).isEqualTo(T0.minus(Duration.ofHours(1)));
                    assertThat(e.rto()).isEqualTo(Duration.ofMinutes(62).plusSeconds(1));
                });
        assertThat(md).contains("On 2026-11-26T10:00:00Z alice opened a SEV2 software incident by hand: Orders down. "
                        + "Plan **quick-fix** ran (LIVE) and succeeded, recovering 10 min 2 s after detection against "
                        + "an RTO of 15 min.")
                .contains("- Detected: 2026-11-26T10:00:00Z, when alice opened the incident by hand\n")
                .contains("- Duration of impact: 10 min 2 s (2026-11-26T10:00:00Z to 2026-11-26T10:10:02Z)")
                .contains("| quick-fix | LIVE | 10 min 2 s | 15 min | yes |")
                .contains("RTO is measured from detection (2026-11-26T10:00:00Z)")
                .contains("A drill is measured from its own start, or the detection time it was given.");
    }

    @Test
    void aDrillOnlyIncidentIsDetectedWhenItWasOpenedWhateverDetectionTheDrillWasGiven() {
        SnapshotStore store = SnapshotStores.memory();
        List<AuditRecord> records;
        try (AuditLog audit = AuditLog.store(store, "audit", AuditLogConfig.DEFAULT)) {
            audit.append(openedByAlice(T0));
            clock.advance(Duration.ofMinutes(3));
            quickFixDrill(audit, T0.minus(Duration.ofHours(1)));
            records = audit.records(AuditFilter.all());
        }
        ReportInput input = ReportInput.fromAudit(records, "INC-1").orElseThrow();
        assertThat(input.detectedAt()).isEqualTo(T0);
        assertThat(PostIncidentReport.of(input).toMarkdown())
                .contains("- Duration of impact: ongoing since 2026-11-26T10:00:00Z: no recovery is recorded")
                .doesNotContain("the fault was detected;");
    }

    @Test
    void anOpenIncidentWithNothingMeasuredSaysTheObjectivesAreNotMeasuredYetNotThatTheyWereMet() {
        SnapshotStore store = SnapshotStores.memory();
        List<AuditRecord> records;
        try (AuditLog audit = AuditLog.store(store, "audit", AuditLogConfig.DEFAULT)) {
            audit.append(openedByAlice(T0));
            records = audit.records(AuditFilter.all());
        }
        PostIncidentReport nothingRan = PostIncidentReport.of(ReportInput.fromAudit(records, "INC-1").orElseThrow());
        assertThat(nothingRan.suggestions()).isEmpty();
        assertThat(nothingRan.toMarkdown()).contains("## Action items\n\nNone yet: the incident is still open and no "
                + "recovery plan has run, so the objectives are not measured yet.")
                .doesNotContain("objectives were met");

        clock.advance(Duration.ofMinutes(3));
        try (AuditLog audit = AuditLog.store(store, "audit", AuditLogConfig.DEFAULT)) {
            assertThat(quickFixDrill(audit).succeeded()).isTrue();
            records = audit.records(AuditFilter.all());
        }
        // The default rules ask to confirm a drill's findings; without rules, nothing is asked.
        PostIncidentReport drilled = PostIncidentReport.of(ReportInput.fromAudit(records, "INC-1").orElseThrow(),
                List.of());
        assertThat(drilled.toMarkdown()).contains("None yet: the incident is still open and only drills ran, which "
                + "recover nothing, so the objectives are not measured yet.").doesNotContain("objectives were met");

        clock.advance(Duration.ofMinutes(10));
        try (AuditLog audit = AuditLog.store(store, "audit", AuditLogConfig.DEFAULT)) {
            audit.append(incident(clock.instant(), "alice", "incident.resolve", Map.of("resolution", "restarted")));
            records = audit.records(AuditFilter.all());
        }
        assertThat(PostIncidentReport.of(ReportInput.fromAudit(records, "INC-1").orElseThrow(), List.of())
                .toMarkdown()).contains("None: only drills ran, which recover nothing, so the objectives were not "
                        + "measured; no rule found anything to improve.").doesNotContain("objectives were met");
    }

    @Test
    void anIncidentWithOnlyDrillsHasNoRecoveryAndItsImpactLastsUntilItIsResolved() {
        SnapshotStore store = SnapshotStores.memory();
        List<AuditRecord> records;
        try (AuditLog audit = AuditLog.store(store, "audit", AuditLogConfig.DEFAULT)) {
            audit.append(openedByAlice(T0));
            clock.advance(Duration.ofMinutes(3));
            assertThat(quickFixDrill(audit).succeeded()).isTrue();
            records = audit.records(AuditFilter.all());
        }
        String open = PostIncidentReport.of(ReportInput.fromAudit(records, "INC-1").orElseThrow()).toMarkdown();
        assertThat(open).contains("Plan **quick-fix** ran (DRILL) and succeeded; a drill rehearses and recovers "
                        + "nothing, and no live recovery is recorded.")
                .contains("- Duration of impact: ongoing since 2026-11-26T10:00:00Z: no recovery is recorded, since "
                        + "only drills ran and a drill does not recover production; it lasts until the incident is "
                        + "resolved\n")
                .doesNotContain("recovering").doesNotContain("- Data lost");

        clock.advance(Duration.ofMinutes(20));
        List<AuditRecord> resolved;
        try (AuditLog audit = AuditLog.store(store, "audit", AuditLogConfig.DEFAULT)) {
            audit.append(incident(clock.instant(), "alice", "incident.resolve", Map.of("resolution", "failed over by hand")));
            resolved = audit.records(AuditFilter.all());
        }
        String md = PostIncidentReport.of(ReportInput.fromAudit(resolved, "INC-1").orElseThrow()).toMarkdown();
        // the drill verified at T0+3m1s; the incident was resolved at T0+23m1s
        assertThat(md).contains("- Duration of impact: 23 min 1 s (2026-11-26T10:00:00Z to 2026-11-26T10:23:01Z, "
                + "when the incident was resolved: no recovery is recorded, since only drills ran and a drill does "
                + "not recover production)");
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
