package dev.drkit.core.report;

import dev.drkit.core.report.ReportInput.ExecutionSummary;
import dev.drkit.core.report.ReportInput.IncidentFacts;
import dev.drkit.core.report.ReportInput.StepSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Where the time of one recovery went, from detection to verified recovery: until the
 * incident was opened, from then until the plan started, and the plan's run. A breached RTO
 * is shortened where most of it went, so {@link ImprovementRule#rtoBreached()} suggests from
 * the longest phase.
 *
 * @param execution the execution, which recovered
 * @param untilOpened from detection until the incident was opened (or the plan started, if sooner)
 * @param untilStarted from the incident's opening until the plan started
 * @param running from the plan's start until it recovered and its checks passed
 */
record RtoPhases(ExecutionSummary execution, Duration untilOpened, Duration untilStarted, Duration running) {

    RtoPhases {
        Objects.requireNonNull(execution, "execution");
    }

    /** Splits an execution's RTO at the incident's opening and the plan's start. */
    static RtoPhases of(ExecutionSummary e, Instant openedAt) {
        Instant detected = e.detectedAt();
        Instant started = e.startedAt().isBefore(detected) ? detected : e.startedAt();
        Instant opened = openedAt.isBefore(detected) ? detected : openedAt.isAfter(started) ? started : openedAt;
        Instant end = e.rto() == null ? started : detected.plus(e.rto());
        return new RtoPhases(e, Duration.between(detected, opened), Duration.between(opened, started),
                end.isBefore(started) ? Duration.ZERO : Duration.between(started, end));
    }

    /** The suggestion for a breached RTO: each phase in the finding, an action for the longest. */
    Suggestion suggestion(IncidentFacts incident) {
        ExecutionSummary e = execution;
        String plan = e.plan();
        List<String> parts = new ArrayList<>();
        if (positive(untilOpened)) {
            parts.add(Durations.human(untilOpened) + " from detection until the incident was opened");
        }
        if (positive(untilStarted)) {
            parts.add(Durations.human(untilStarted) + " from then until the plan started");
        }
        if (!parts.isEmpty()) {
            parts.add(Durations.human(running) + " running it");
        }
        String finding = "Recovery with plan " + plan + " took " + Durations.human(e.rto()) + " from detection, over "
                + "the RTO of " + Durations.human(e.rtoObjective()) + (parts.isEmpty() ? "." : ": "
                + String.join(", ", parts) + ".");
        if (untilOpened.compareTo(untilStarted) >= 0 && untilOpened.compareTo(running) > 0) {
            return new Suggestion("rto-breached", finding, "Open the incident when the fault is detected, since most of "
                    + "the time passed before it was opened: route the alert or probe that detected it to the incident "
                    + "manager, and page the on-call engineer on detection.", "on-call lead");
        }
        if (untilStarted.compareTo(running) > 0) {
            return new Suggestion("rto-breached", finding, "Start plan " + plan + " as soon as the incident is opened, "
                    + "since most of the time passed before it started: have the alert run it (dr_action run_plan), or "
                    + "pre-approve it for " + incident.faultType() + " faults.", "on-call lead");
        }
        StepSummary slowest = e.steps().stream().filter(s -> s.duration() != null)
                .max(Comparator.comparing(StepSummary::duration)).orElse(null);
        return new Suggestion("rto-breached", finding, slowest == null
                ? "Automate the manual steps and run independent steps in parallel."
                : "Speed up step " + slowest.name() + " (" + Durations.human(slowest.duration())
                        + "), or run it in parallel with others; rehearse the plan in a drill.", "plan owner");
    }

    private static boolean positive(Duration d) {
        return !d.isZero() && !d.isNegative();
    }
}
