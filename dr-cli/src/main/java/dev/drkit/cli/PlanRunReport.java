package dev.drkit.cli;

import dev.drkit.core.recovery.ExecutionResult;
import dev.drkit.core.recovery.StepOutcome;
import dev.drkit.core.recovery.VerificationOutcome;
import dev.drkit.core.report.Durations;
import java.time.Duration;
import java.util.Optional;

/** The Markdown report of one plan run: outcome, RTO and RPO against the objectives, each step. */
final class PlanRunReport {
    private PlanRunReport() {
    }

    static String objectiveLine(String name, Optional<Duration> achieved, Duration objective, boolean met) {
        return name + " " + achieved.map(Durations::human).orElse("not measured") + " (objective "
                + Durations.human(objective) + "): " + (achieved.isEmpty() ? "-" : met ? "met" : "MISSED");
    }

    /**
     * The RTO against its objective; a drill's waits that it skipped and a live run would take
     * are added to what the clock measured, and shown: {@code RTO 68 ms + 5 min of planned
     * waits = 5 min 0.07 s (objective 1 min): MISSED}.
     */
    static String rtoLine(ExecutionResult r) {
        if (r.plannedWaits().isZero() || r.measuredRto().isEmpty()) {
            return objectiveLine("RTO", r.achievedRto(), r.objectives().rto(), r.rtoMet());
        }
        return "RTO " + Durations.human(r.measuredRto().get()) + " + " + Durations.human(r.plannedWaits())
                + " of planned waits = " + objectiveLine("", r.achievedRto(), r.objectives().rto(), r.rtoMet()).strip();
    }

    static String markdown(ExecutionResult r, String countedFrom) {
        StringBuilder md = new StringBuilder();
        md.append("# Plan run: ").append(r.planName()).append("\n\n");
        md.append("- Execution: `").append(r.executionId()).append("`").append(r.resumed() ? " (resumed)" : "")
                .append('\n');
        md.append("- Mode: ").append(r.mode()).append('\n');
        md.append("- Status: **").append(r.status()).append(r.succeeded() && !r.succeededCleanly() ? " (not clean)" : "")
                .append("**").append(r.reason().isEmpty() ? "" : ": " + r.reason()).append('\n');
        if (r.incidentId() != null) {
            md.append("- Incident: ").append(r.incidentId()).append('\n');
        }
        md.append("- Detected: ").append(r.detectedAt()).append(" (the RTO counts from ").append(countedFrom)
                .append("), started: ").append(r.startedAt())
                .append(", finished: ").append(r.finishedAt()).append('\n');
        md.append("- ").append(rtoLine(r)).append('\n');
        md.append("- ").append(objectiveLine("RPO", r.achievedRpo(), r.objectives().rpo(), r.rpoMet())).append("\n\n");
        md.append("## Steps\n\n| step | state | attempts | took | notes |\n|---|---|---|---|---|\n");
        for (StepOutcome s : r.steps()) {
            String notes = String.join("; ", s.notes()) + (s.error() == null ? "" : (s.notes().isEmpty() ? "" : "; ")
                    + "error: " + s.error());
            md.append("| ").append(s.name()).append(" | ").append(s.state())
                    .append(s.compensationFailed() ? ", undo FAILED" : "").append(s.resumed() ? " (before resume)" : "")
                    .append(" | ").append(s.attempts()).append(" | ")
                    .append(s.duration().map(Durations::human).orElse("-")).append(" | ")
                    .append(notes.replace("|", "\\|").replace("\n", " ")).append(" |\n");
        }
        if (!r.verifications().isEmpty()) {
            md.append("\n## Verifications\n\n| check | phase | passed | checks | failures | last |\n"
                    + "|---|---|---|---|---|---|\n");
            for (VerificationOutcome v : r.verifications()) {
                md.append("| ").append(v.name()).append(" | ").append(v.phase()).append(" | ").append(v.passed())
                        .append(" | ").append(v.checks()).append(" | ").append(v.failures()).append(" | ")
                        .append(v.lastDetail().replace("|", "\\|")).append(" |\n");
            }
        }
        return md.toString();
    }
}
