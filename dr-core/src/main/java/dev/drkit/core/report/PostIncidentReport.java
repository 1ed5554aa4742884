package dev.drkit.core.report;

import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.api.incident.TimelineEntry;
import dev.drkit.api.recovery.ExecutionMode;
import dev.drkit.core.audit.AuditRecord;
import dev.drkit.core.recovery.ExecutionStatus;
import dev.drkit.core.report.ReportInput.ExecutionSummary;
import dev.drkit.core.report.ReportInput.IncidentFacts;
import dev.drkit.core.report.ReportInput.StepSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A post-incident report: Summary, Impact, Root cause and trigger (with evidence from the
 * audit log), Detection, Resolution, Timeline, RTO and RPO against the objectives, Action
 * items and improvement suggestions derived by {@link ImprovementRule}s. Written as Markdown
 * and HTML (with an SVG timeline) for people and JSON for machines.
 */
public final class PostIncidentReport {
    private final ReportInput input;
    private final List<Suggestion> suggestions;

    private PostIncidentReport(ReportInput input, List<Suggestion> suggestions) {
        this.input = input;
        this.suggestions = List.copyOf(suggestions);
    }

    /**
     * Builds a report with the default rules.
     *
     * @param input the incident, executions and evidence
     * @return the report
     */
    public static PostIncidentReport of(ReportInput input) {
        return of(input, ImprovementRule.DEFAULT);
    }

    /**
     * Builds a report with the given rules.
     *
     * @param input the incident, executions and evidence
     * @param rules the rules that derive suggestions
     * @return the report
     */
    public static PostIncidentReport of(ReportInput input, List<ImprovementRule> rules) {
        Objects.requireNonNull(input, "input");
        List<Suggestion> s = new ArrayList<>();
        for (ImprovementRule r : rules) {
            s.addAll(r.apply(input));
        }
        return new PostIncidentReport(input, s);
    }

    /**
     * Returns what the report was made from.
     *
     * @return the input
     */
    public ReportInput input() {
        return input;
    }

    /**
     * Returns the improvement suggestions.
     *
     * @return the suggestions, in rule order
     */
    public List<Suggestion> suggestions() {
        return suggestions;
    }

    /** Who opened the incident: the actor of its {@code incident.open} record, else its source. */
    String openedBy() {
        return input.timeline().stream().filter(t -> t.kind().equals("incident.open")).map(TimelineEntry::actor)
                .findFirst().orElse(input.incident().source());
    }

    /**
     * The execution the summary and the impact speak of: the live run that completed the
     * recovery (the last to succeed, by when it finished), else the last live run, else, when
     * only drills ran, the first drill, which recovers nothing.
     */
    private @Nullable ExecutionSummary main() {
        ExecutionSummary best = null;
        for (ExecutionSummary e : input.executions()) {
            if (best == null || rank(e) > rank(best) || rank(e) == rank(best) && rank(e) > 0
                    && !e.finishedAt().isBefore(best.finishedAt())) {
                best = e;
            }
        }
        return best;
    }

    /** 2 for a live run that succeeded, 1 for another live run, 0 for a drill. */
    private static int rank(ExecutionSummary e) {
        return e.mode() != ExecutionMode.LIVE ? 0 : e.status() == ExecutionStatus.SUCCEEDED ? 2 : 1;
    }

    /**
     * Writes the report as Markdown.
     *
     * @return the Markdown
     */
    public String toMarkdown() {
        IncidentFacts i = input.incident();
        ExecutionSummary main = main();
        StringBuilder md = new StringBuilder();
        md.append("# Post-incident report: ").append(i.title()).append("\n\n");
        md.append("Incident `").append(i.id()).append("` - ").append(i.severity()).append(", ").append(i.faultType())
                .append(" fault - ").append(i.status()).append("\n\n");

        Instant detected = input.detectedAt();
        md.append("## Summary\n\n");
        if (detected.isBefore(i.openedAt())) {
            md.append("On ").append(detected).append(" the fault was detected; ").append(openedBy())
                    .append(" opened a ").append(i.severity()).append(" ").append(i.faultType().name().toLowerCase())
                    .append(" incident").append(ReportInput.how(i.source())).append(" at ").append(i.openedAt())
                    .append(", ").append(Durations.human(Duration.between(detected, i.openedAt()))).append(" later: ")
                    .append(i.title()).append('.');
        } else {
            md.append("On ").append(i.openedAt()).append(" ").append(openedBy()).append(" opened a ")
                    .append(i.severity()).append(" ").append(i.faultType().name().toLowerCase()).append(" incident")
                    .append(ReportInput.how(i.source())).append(": ").append(i.title()).append(".");
        }
        if (main != null) {
            md.append(" Plan **").append(main.plan()).append("** ran (").append(main.mode()).append(") and ")
                    .append(main.status().name().toLowerCase());
            if (main.mode() != ExecutionMode.LIVE) {
                md.append("; a drill rehearses and recovers nothing, and no live recovery is recorded");
            } else if (main.rto() != null) {
                // a live run is measured from the incident's detection (ReportInput)
                md.append(", recovering ").append(Durations.human(main.rto())).append(" after detection against an RTO of ")
                        .append(Durations.human(main.rtoObjective()));
            }
            md.append('.');
        }
        if (i.resolvedAt() != null) {
            md.append(" Resolved at ").append(i.resolvedAt()).append('.');
        }
        md.append("\n\n");

        md.append("## Impact\n\n");
        md.append("- Severity: ").append(i.severity()).append('\n');
        if (!i.impact().isBlank()) {
            md.append("- Affected: ").append(i.impact()).append('\n');
        }
        Instant from = i.faultStartedAt() != null && i.faultStartedAt().isBefore(detected) ? i.faultStartedAt()
                : detected;
        boolean recovered = main != null && main.mode() == ExecutionMode.LIVE && main.recoveryEndedAt() != null;
        Instant to = recovered ? main.recoveryEndedAt() : i.resolvedAt();
        String noRecovery = main != null && main.mode() != ExecutionMode.LIVE
                ? "no recovery is recorded, since only drills ran and a drill does not recover production" : "";
        if (to != null) {
            md.append("- Duration of impact: ").append(Durations.human(Duration.between(from, to))).append(" (")
                    .append(from).append(" to ").append(to)
                    .append(noRecovery.isEmpty() ? "" : ", when the incident was resolved: " + noRecovery).append(")\n");
        } else {
            md.append("- Duration of impact: ongoing since ").append(from)
                    .append(noRecovery.isEmpty() ? "" : ": " + noRecovery + "; it lasts until the incident is resolved")
                    .append('\n');
        }
        if (main != null && main.mode() == ExecutionMode.LIVE && main.rpo() != null) {
            md.append("- Data lost: up to ").append(Durations.human(main.rpo())).append(" of changes before detection\n");
        }
        md.append('\n');

        md.append("## Root cause and trigger\n\n");
        md.append("- Trigger: ").append(i.trigger().isBlank() ? "(none recorded)" : i.trigger()).append('\n');
        md.append("- Root cause: ").append(i.rootCause() == null ? "not yet determined" : i.rootCause()).append("\n\n");
        List<AuditRecord> evidence = input.evidence().stream()
                .filter(r -> r.action().startsWith("incident.") || r.action().startsWith("rollback")
                        || r.action().equals("plan.finish") || r.outcome() == AuditOutcome.FAILURE)
                .limit(20).toList();
        if (!evidence.isEmpty()) {
            md.append("Evidence from the audit log (verify with `dr audit verify` or `AuditVerifier.verify`):\n\n");
            md.append("| seq | time | actor | action | target | outcome |\n|---|---|---|---|---|---|\n");
            for (AuditRecord r : evidence) {
                md.append("| ").append(r.seq()).append(" | ").append(r.time()).append(" | ").append(cell(r.actor()))
                        .append(" | ").append(r.action()).append(" | ").append(cell(r.target())).append(" | ")
                        .append(r.outcome()).append(" |\n");
            }
            md.append('\n');
        }

        md.append("## Detection\n\n");
        if (detected.isBefore(i.openedAt())) {
            md.append("- Detected: ").append(detected).append(", as the recovery run recorded it\n");
            md.append("- Incident opened: ").append(i.openedAt()).append(" by ").append(openedBy()).append(", ")
                    .append(Durations.human(Duration.between(detected, i.openedAt()))).append(" after detection\n");
        } else {
            md.append("- Detected: ").append(detected).append(", when ").append(openedBy())
                    .append(" opened the incident").append(ReportInput.how(i.source())).append('\n');
        }
        if (i.faultStartedAt() != null) {
            md.append("- Fault began: ").append(i.faultStartedAt()).append(" (detection took ")
                    .append(Durations.human(Duration.between(i.faultStartedAt(), detected))).append(")\n");
        }
        if (i.acknowledgedAt() != null) {
            md.append("- Acknowledged: ").append(i.acknowledgedAt()).append(" by ")
                    .append(i.assignee() == null ? "?" : i.assignee()).append(" (")
                    .append(Durations.human(Duration.between(i.openedAt(), i.acknowledgedAt())))
                    .append(" after the incident was opened)\n");
        } else {
            md.append("- Acknowledged: not yet\n");
        }
        if (i.escalations() > 0) {
            md.append("- Escalations: ").append(i.escalations()).append('\n');
        }
        md.append('\n');

        md.append("## Resolution\n\n");
        if (input.executions().isEmpty()) {
            md.append("No recovery plan ran.\n");
        }
        for (ExecutionSummary e : input.executions()) {
            md.append("- Plan **").append(e.plan()).append("**, execution `").append(e.id()).append("`, ")
                    .append(e.mode()).append(": ").append(e.status())
                    .append(e.reason().isBlank() ? "" : " - " + e.reason()).append(e.resumed() ? " (resumed after an interruption)" : "")
                    .append('\n');
            for (StepSummary s : e.steps()) {
                md.append("  - ").append(s.name()).append(": ").append(s.state())
                        .append(s.attempts() > 1 ? ", " + s.attempts() + " attempts" : "")
                        .append(s.duration() == null ? "" : ", " + Durations.human(s.duration()))
                        .append(s.error() == null ? "" : " - " + s.error()).append('\n');
            }
        }
        if (i.resolution() != null) {
            md.append("\n").append(i.resolution()).append('\n');
        }
        md.append('\n');

        md.append("## Timeline\n\n");
        md.append("| time | who | event |\n|---|---|---|\n");
        for (TimelineEntry t : input.timeline()) {
            md.append("| ").append(t.at()).append(" | ").append(cell(t.actor())).append(" | ").append(cell(t.text()))
                    .append(" |\n");
        }
        md.append('\n');

        md.append("## RTO and RPO\n\n");
        if (input.executions().isEmpty()) {
            md.append("No recovery was measured.\n\n");
        } else {
            md.append("| plan | mode | RTO achieved | RTO objective | met | RPO achieved | RPO objective | met |\n")
                    .append("|---|---|---|---|---|---|---|---|\n");
            for (ExecutionSummary e : input.executions()) {
                md.append("| ").append(e.plan()).append(" | ").append(e.mode()).append(" | ")
                        .append(e.rto() == null ? "not recovered" : Durations.human(e.rto())).append(" | ")
                        .append(Durations.human(e.rtoObjective())).append(" | ").append(e.rtoMet() ? "yes" : "**no**")
                        .append(" | ").append(e.rpo() == null ? "nothing restored" : Durations.human(e.rpo()))
                        .append(" | ").append(Durations.human(e.rpoObjective())).append(" | ")
                        .append(e.rpoMet() ? "yes" : "**no**").append(" |\n");
            }
            md.append("\nRTO is measured from detection (").append(detected).append(") to verified recovery; RPO is ")
                    .append("the age of the restored data at detection.");
            if (input.executions().stream().anyMatch(e -> !e.detectedAt().equals(detected))) {
                md.append(" A drill is measured from its own start, or the detection time it was given.");
            }
            md.append("\n\n");
        }

        md.append("## Action items\n\n");
        if (suggestions.isEmpty()) {
            md.append(noActionItems(i)).append("\n\n");
        } else {
            md.append("| # | action | owner | status |\n|---|---|---|---|\n");
            int n = 1;
            for (Suggestion s : suggestions) {
                md.append("| ").append(n++).append(" | ").append(cell(s.action())).append(" | ").append(s.owner())
                        .append(" | open |\n");
            }
            md.append('\n');
        }

        md.append("## Improvement suggestions\n\n");
        if (suggestions.isEmpty()) {
            md.append("No rule found anything to improve.\n");
        }
        for (Suggestion s : suggestions) {
            md.append("- **").append(s.rule()).append("**: ").append(s.finding()).append(' ').append(s.action())
                    .append('\n');
        }
        return md.toString();
    }

    /**
     * Says why there are no action items: the objectives were met only when a recovery was
     * measured; an incident still open may get its measure and its actions later.
     */
    private String noActionItems(IncidentFacts i) {
        boolean open = i.resolvedAt() == null;
        boolean measured = input.executions().stream().anyMatch(e -> e.mode() == ExecutionMode.LIVE);
        if (!measured) {
            String why = input.executions().isEmpty() ? "no recovery plan has run"
                    : "only drills ran, which recover nothing";
            return open ? "None yet: the incident is still open and " + why + ", so the objectives are not measured yet."
                    : "None: " + why.replace("has run", "ran") + ", so the objectives were not measured; no rule found "
                            + "anything to improve.";
        }
        return open ? "None so far: the objectives were met by the recovery recorded and nothing needed more than "
                + "one attempt; the incident is still open, so this may change."
                : "None: the objectives were met and nothing needed more than one attempt.";
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    /**
     * Writes the report as one self-contained HTML page: the facts, an SVG timeline of the
     * incident and its recoveries (each phase a bar, the RTO objective a dashed mark), SVG bars
     * of the RTO and RPO achieved against the objectives, the steps, the events and the
     * suggestions. Every text from the audit log is escaped.
     *
     * @return the HTML
     */
    public String toHtml() {
        return HtmlReport.of(this, main());
    }

    /**
     * Writes the report as JSON.
     *
     * @return the JSON
     */
    public String toJson() {
        IncidentFacts i = input.incident();
        Map<String, Object> root = new LinkedHashMap<>();
        Map<String, Object> inc = new LinkedHashMap<>();
        inc.put("id", i.id());
        inc.put("title", i.title());
        inc.put("severity", i.severity().name());
        inc.put("faultType", i.faultType().name());
        inc.put("status", i.status().name());
        inc.put("source", i.source());
        inc.put("trigger", i.trigger());
        inc.put("impact", i.impact());
        inc.put("faultStartedAt", str(i.faultStartedAt()));
        inc.put("detectedAt", input.detectedAt().toString());
        inc.put("openedAt", i.openedAt().toString());
        inc.put("acknowledgedAt", str(i.acknowledgedAt()));
        inc.put("resolvedAt", str(i.resolvedAt()));
        inc.put("assignee", i.assignee());
        inc.put("rootCause", i.rootCause());
        inc.put("resolution", i.resolution());
        inc.put("escalations", i.escalations());
        root.put("incident", inc);
        List<Object> ex = new ArrayList<>();
        for (ExecutionSummary e : input.executions()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", e.id());
            m.put("plan", e.plan());
            m.put("mode", e.mode().name());
            m.put("status", e.status().name());
            m.put("reason", e.reason());
            m.put("detectedAt", e.detectedAt().toString());
            m.put("startedAt", e.startedAt().toString());
            m.put("recoveredAt", str(e.recoveredAt()));
            m.put("verifiedAt", str(e.verifiedAt()));
            m.put("finishedAt", e.finishedAt().toString());
            m.put("rto", e.rto() == null ? null : e.rto().toString());
            m.put("rtoObjective", e.rtoObjective().toString());
            m.put("rtoMet", e.rtoMet());
            m.put("rpo", e.rpo() == null ? null : e.rpo().toString());
            m.put("rpoObjective", e.rpoObjective().toString());
            m.put("rpoMet", e.rpoMet());
            m.put("resumed", e.resumed());
            List<Object> steps = new ArrayList<>();
            for (StepSummary s : e.steps()) {
                Map<String, Object> sm = new LinkedHashMap<>();
                sm.put("name", s.name());
                sm.put("state", s.state().name());
                sm.put("attempts", s.attempts());
                sm.put("duration", s.duration() == null ? null : s.duration().toString());
                sm.put("error", s.error());
                sm.put("compensated", s.compensated());
                steps.add(sm);
            }
            m.put("steps", steps);
            ex.add(m);
        }
        root.put("executions", ex);
        List<Object> tl = new ArrayList<>();
        for (TimelineEntry t : input.timeline()) {
            tl.add(Map.of("at", t.at().toString(), "actor", t.actor(), "kind", t.kind(), "text", t.text()));
        }
        root.put("timeline", tl);
        List<Object> ev = new ArrayList<>();
        for (AuditRecord r : input.evidence()) {
            ev.add(Map.of("seq", r.seq(), "time", r.time().toString(), "actor", r.actor(), "action", r.action(),
                    "target", r.target(), "outcome", r.outcome().name(), "hash", r.hash()));
        }
        root.put("evidence", ev);
        List<Object> sg = new ArrayList<>();
        for (Suggestion s : suggestions) {
            sg.add(Map.of("rule", s.rule(), "finding", s.finding(), "action", s.action(), "owner", s.owner()));
        }
        root.put("suggestions", sg);
        return Json.write(root);
    }

    private static @Nullable String str(@Nullable Instant t) {
        return t == null ? null : t.toString();
    }
}
