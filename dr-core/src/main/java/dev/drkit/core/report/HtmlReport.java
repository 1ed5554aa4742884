package dev.drkit.core.report;

import dev.drkit.api.incident.TimelineEntry;
import dev.drkit.core.report.ReportInput.ExecutionSummary;
import dev.drkit.core.report.ReportInput.IncidentFacts;
import dev.drkit.core.report.ReportInput.StepSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The HTML form of a {@link PostIncidentReport}: one self-contained page (no script, no
 * external file) with an SVG timeline of the incident and its recoveries, and SVG bars of
 * the RTO and RPO achieved against their objectives.
 */
final class HtmlReport {
    /** Width of the drawing area of the SVG figures, in user units. */
    static final int WIDTH = 900;
    private static final int LEFT = 150;
    private static final int RIGHT = 20;
    private static final String CSS = """
            body{font-family:system-ui,sans-serif;margin:2em auto;max-width:960px;color:#222}
            h1{font-size:1.6em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}
            table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .5em;
            text-align:left;font-size:.9em}.met{color:#1a7f37}.missed{color:#cf222e;font-weight:bold}
            svg text{font-size:11px;font-family:system-ui,sans-serif}.axis{stroke:#999}
            """;

    private HtmlReport() {
    }

    static String of(PostIncidentReport report, @Nullable ExecutionSummary main) {
        ReportInput input = report.input();
        IncidentFacts i = input.incident();
        StringBuilder h = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        h.append("<title>Post-incident report: ").append(esc(i.title())).append("</title><style>").append(CSS)
                .append("</style></head><body>\n");
        h.append("<h1>Post-incident report: ").append(esc(i.title())).append("</h1>\n");
        h.append("<p>Incident <code>").append(esc(i.id())).append("</code> - ").append(i.severity()).append(", ")
                .append(i.faultType()).append(" fault - <strong>").append(i.status()).append("</strong></p>\n");
        h.append("<ul><li>Detected: ").append(input.detectedAt()).append("</li><li>Opened: ").append(i.openedAt()).append(" by ").append(esc(report.openedBy()))
                .append(esc(ReportInput.how(i.source()))).append("</li>");
        if (i.resolvedAt() != null) {
            h.append("<li>Resolved: ").append(i.resolvedAt()).append("</li>");
        }
        h.append("<li>Trigger: ").append(esc(i.trigger().isBlank() ? "(none recorded)" : i.trigger())).append("</li>");
        h.append("<li>Root cause: ").append(esc(i.rootCause() == null ? "not yet determined" : i.rootCause()))
                .append("</li>");
        if (main != null) {
            h.append("<li>Plan <strong>").append(esc(main.plan())).append("</strong> (").append(main.mode())
                    .append("): ").append(main.status()).append("</li>");
        }
        h.append("</ul>\n");

        h.append("<h2>Timeline</h2>\n").append(timeline(input)).append('\n');
        h.append("<h2>RTO and RPO against the objectives</h2>\n");
        if (input.executions().isEmpty()) {
            h.append("<p>No recovery was measured.</p>\n");
        } else {
            h.append(objectives(input.executions())).append('\n');
            h.append("<table><tr><th>plan</th><th>mode</th><th>RTO</th><th>objective</th><th>RPO</th>"
                    + "<th>objective</th></tr>\n");
            for (ExecutionSummary e : input.executions()) {
                h.append("<tr><td>").append(esc(e.plan())).append("</td><td>").append(e.mode()).append("</td><td class=\"")
                        .append(e.rtoMet() ? "met" : "missed").append("\">")
                        .append(e.rto() == null ? "not recovered" : Durations.human(e.rto())).append("</td><td>")
                        .append(Durations.human(e.rtoObjective())).append("</td><td class=\"")
                        .append(e.rpoMet() ? "met" : "missed").append("\">")
                        .append(e.rpo() == null ? "nothing restored" : Durations.human(e.rpo())).append("</td><td>")
                        .append(Durations.human(e.rpoObjective())).append("</td></tr>\n");
            }
            h.append("</table>\n<p>RTO is measured from detection to verified recovery; RPO is the age of the "
                    + "restored data at detection.</p>\n");
        }

        h.append("<h2>Resolution</h2>\n");
        if (input.executions().isEmpty()) {
            h.append("<p>No recovery plan ran.</p>\n");
        }
        for (ExecutionSummary e : input.executions()) {
            h.append("<p>Plan <strong>").append(esc(e.plan())).append("</strong>, execution <code>").append(esc(e.id()))
                    .append("</code>, ").append(e.mode()).append(": ").append(e.status())
                    .append(e.reason().isBlank() ? "" : " - " + esc(e.reason())).append("</p>\n");
            h.append("<table><tr><th>step</th><th>state</th><th>attempts</th><th>took</th><th>error</th></tr>\n");
            for (StepSummary s : e.steps()) {
                h.append("<tr><td>").append(esc(s.name())).append("</td><td>").append(s.state()).append("</td><td>")
                        .append(s.attempts()).append("</td><td>")
                        .append(s.duration() == null ? "-" : Durations.human(s.duration())).append("</td><td>")
                        .append(s.error() == null ? "" : esc(s.error())).append("</td></tr>\n");
            }
            h.append("</table>\n");
        }

        h.append("<h2>Events</h2>\n<table><tr><th>time</th><th>who</th><th>event</th></tr>\n");
        for (TimelineEntry t : input.timeline()) {
            h.append("<tr><td>").append(t.at()).append("</td><td>").append(esc(t.actor())).append("</td><td>")
                    .append(esc(t.text())).append("</td></tr>\n");
        }
        h.append("</table>\n");

        h.append("<h2>Improvement suggestions</h2>\n");
        if (report.suggestions().isEmpty()) {
            h.append("<p>No rule found anything to improve.</p>\n");
        } else {
            h.append("<ul>");
            for (Suggestion s : report.suggestions()) {
                h.append("<li><strong>").append(esc(s.rule())).append("</strong>: ").append(esc(s.finding())).append(' ')
                        .append(esc(s.action())).append(" (owner: ").append(esc(s.owner())).append(")</li>");
            }
            h.append("</ul>\n");
        }
        return h.append("</body></html>\n").toString();
    }

    /**
     * The timeline: one lane for the incident's events, one per execution with its waiting,
     * recovery and verification phases, and a dashed line where its RTO objective falls.
     */
    static String timeline(ReportInput input) {
        IncidentFacts i = input.incident();
        Instant from = i.faultStartedAt() != null ? i.faultStartedAt() : i.openedAt();
        Instant to = from;
        List<Instant> all = new ArrayList<>();
        all.add(i.openedAt());
        if (i.resolvedAt() != null) {
            all.add(i.resolvedAt());
        }
        for (TimelineEntry t : input.timeline()) {
            all.add(t.at());
        }
        for (ExecutionSummary e : input.executions()) {
            all.add(e.detectedAt());
            all.add(e.startedAt());
            all.add(e.finishedAt());
            all.add(e.detectedAt().plus(e.rtoObjective()));
        }
        for (Instant t : all) {
            if (t.isBefore(from)) {
                from = t;
            }
            if (t.isAfter(to)) {
                to = t;
            }
        }
        long span = Math.max(1, Duration.between(from, to).toMillis());
        int lanes = 1 + input.executions().size();
        int height = 40 + lanes * 40;
        Scale x = new Scale(from, span);
        StringBuilder s = new StringBuilder();
        s.append("<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH)
                .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ')
                .append(height).append("\" role=\"img\" aria-label=\"Timeline of incident ").append(esc(i.id()))
                .append("\">\n");
        int axisY = height - 25;
        s.append("<line class=\"axis\" x1=\"").append(LEFT).append("\" y1=\"").append(axisY).append("\" x2=\"")
                .append(WIDTH - RIGHT).append("\" y2=\"").append(axisY).append("\"/>\n");
        s.append(text(LEFT, axisY + 15, "start", from.toString()));
        s.append(text(WIDTH - RIGHT, axisY + 15, "end", "+" + Durations.human(Duration.ofMillis(span))));

        int y = 20;
        s.append(text(5, y + 4, "start", "incident"));
        s.append("<line class=\"axis\" x1=\"").append(LEFT).append("\" y1=\"").append(y).append("\" x2=\"")
                .append(WIDTH - RIGHT).append("\" y2=\"").append(y).append("\"/>\n");
        for (TimelineEntry t : input.timeline()) {
            s.append("<circle class=\"event\" cx=\"").append(x.at(t.at())).append("\" cy=\"").append(y)
                    .append("\" r=\"5\" fill=\"#0969da\"><title>").append(esc(t.at() + " " + t.actor() + ": " + t.text()))
                    .append("</title></circle>\n");
        }
        for (ExecutionSummary e : input.executions()) {
            y += 40;
            s.append(text(5, y + 4, "start", e.plan() + " (" + e.mode().name().toLowerCase(Locale.ROOT) + ")"));
            s.append(bar("waiting", x, e.detectedAt(), e.startedAt(), y, "#d0d7de", "from detection to start"));
            Instant recovered = e.recoveredAt() != null ? e.recoveredAt() : e.finishedAt();
            s.append(bar("recovery", x, e.startedAt(), recovered, y, e.rtoMet() ? "#2da44e" : "#cf222e",
                    "recovery: " + e.status()));
            if (e.verifiedAt() != null && e.verifiedAt().isAfter(recovered)) {
                s.append(bar("verification", x, recovered, e.verifiedAt(), y, "#8250df", "verification"));
            }
            int objective = x.at(e.detectedAt().plus(e.rtoObjective()));
            s.append("<line class=\"rto-objective\" x1=\"").append(objective).append("\" y1=\"").append(y - 14)
                    .append("\" x2=\"").append(objective).append("\" y2=\"").append(y + 14)
                    .append("\" stroke=\"#cf222e\" stroke-dasharray=\"4 3\"><title>RTO objective ")
                    .append(Durations.human(e.rtoObjective())).append("</title></line>\n");
        }
        return s.append("</svg>").toString();
    }

    /** Bars of each execution's RTO and RPO, drawn to one scale with its objective as a mark. */
    static String objectives(List<ExecutionSummary> executions) {
        long max = 1;
        for (ExecutionSummary e : executions) {
            max = Math.max(max, Math.max(e.rtoObjective().toMillis(), e.rpoObjective().toMillis()));
            max = Math.max(max, e.rto() == null ? 0 : e.rto().toMillis());
            max = Math.max(max, e.rpo() == null ? 0 : e.rpo().toMillis());
        }
        int height = 20 + executions.size() * 60;
        StringBuilder s = new StringBuilder();
        s.append("<svg class=\"objectives\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH)
                .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ')
                .append(height).append("\" role=\"img\" aria-label=\"RTO and RPO against the objectives\">\n");
        int y = 10;
        double perMs = (WIDTH - LEFT - RIGHT) / (double) max;
        for (ExecutionSummary e : executions) {
            s.append(measure("RTO", e.plan(), e.rto(), e.rtoObjective(), e.rtoMet(), y, perMs));
            s.append(measure("RPO", e.plan(), e.rpo(), e.rpoObjective(), e.rpoMet(), y + 25, perMs));
            y += 60;
        }
        return s.append("</svg>").toString();
    }

    private static String measure(String name, String plan, @Nullable Duration achieved, Duration objective, boolean met,
            int y, double perMs) {
        StringBuilder s = new StringBuilder();
        s.append(text(5, y + 13, "start", plan + " " + name));
        int w = achieved == null ? 0 : (int) Math.max(1, Math.round(achieved.toMillis() * perMs));
        s.append("<rect class=\"").append(name.toLowerCase(Locale.ROOT)).append(achieved == null ? " none" : met
                ? " met" : " missed").append("\" x=\"").append(LEFT).append("\" y=\"").append(y).append("\" width=\"")
                .append(w).append("\" height=\"18\" fill=\"").append(met ? "#2da44e" : "#cf222e").append("\"><title>")
                .append(name).append(' ').append(achieved == null ? "not measured" : Durations.human(achieved))
                .append("</title></rect>\n");
        int o = LEFT + (int) Math.round(objective.toMillis() * perMs);
        s.append("<line class=\"objective\" x1=\"").append(o).append("\" y1=\"").append(y - 3).append("\" x2=\"")
                .append(o).append("\" y2=\"").append(y + 21).append("\" stroke=\"#222\" stroke-width=\"2\"><title>")
                .append(name).append(" objective ").append(Durations.human(objective)).append("</title></line>\n");
        s.append(text(Math.min(WIDTH - RIGHT, Math.max(LEFT + w, o) + 6), y + 13, "start",
                (achieved == null ? "not measured" : Durations.human(achieved)) + " of " + Durations.human(objective)
                        + (achieved == null ? "" : met ? ": met" : ": MISSED")));
        return s.toString();
    }

    private static String bar(String cls, Scale x, Instant from, Instant to, int y, String fill, String title) {
        int x1 = x.at(from);
        int x2 = Math.max(x1 + 1, x.at(to));
        return "<rect class=\"" + cls + "\" x=\"" + x1 + "\" y=\"" + (y - 8) + "\" width=\"" + (x2 - x1)
                + "\" height=\"16\" fill=\"" + fill + "\"><title>" + esc(title + " (" + from + " to " + to + ")")
                + "</title></rect>\n";
    }

    private static String text(int x, int y, String anchor, String text) {
        return "<text x=\"" + x + "\" y=\"" + y + "\" text-anchor=\"" + anchor + "\">" + esc(text) + "</text>\n";
    }

    /** Maps instants to x positions between the left margin and the right edge. */
    private record Scale(Instant from, long spanMillis) {
        int at(Instant t) {
            double f = Duration.between(from, t).toMillis() / (double) spanMillis;
            return LEFT + (int) Math.round(Math.max(0, Math.min(1, f)) * (WIDTH - LEFT - RIGHT));
        }
    }

    static String esc(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
