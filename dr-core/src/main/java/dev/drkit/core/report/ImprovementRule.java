package dev.drkit.core.report;

import dev.drkit.api.recovery.ExecutionMode;
import dev.drkit.core.recovery.ExecutionStatus;
import dev.drkit.core.recovery.StepState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Derives improvement suggestions from what happened in an incident. The defaults cover
 * breached objectives, slow detection and acknowledgement, flaky and slow steps, escalated
 * approvals, failed compensations and interrupted executions; users add their own.
 */
@FunctionalInterface
public interface ImprovementRule {

    /**
     * Applies the rule.
     *
     * @param input the incident, its executions and evidence
     * @return the suggestions, possibly none
     */
    List<Suggestion> apply(ReportInput input);

    /** How long detection may take before {@link #slowDetection} speaks up. */
    Duration SLOW_DETECTION = Duration.ofMinutes(5);
    /** How long acknowledgement may take before {@link #slowAcknowledgement} speaks up. */
    Duration SLOW_ACK = Duration.ofMinutes(15);
    /** How many attempts make a step flaky for {@link #flakySteps}. */
    int MANY_ATTEMPTS = 3;

    /** The default rules, in the order their suggestions are listed. */
    List<ImprovementRule> DEFAULT = List.of(rpoBreached(), rtoBreached(), slowDetection(), slowAcknowledgement(),
            flakySteps(), escalatedApprovals(), failedCompensations(), interruptedExecutions(), drillOnly());

    /**
     * Returns {@link #DEFAULT}.
     *
     * @return the rules
     * @deprecated use {@link #DEFAULT}
     */
    @Deprecated
    static List<ImprovementRule> defaults() {
        return DEFAULT;
    }

    /**
     * RPO breached: back up more often.
     *
     * @return the rule
     */
    static ImprovementRule rpoBreached() {
        return in -> {
            List<Suggestion> out = new ArrayList<>();
            for (ReportInput.ExecutionSummary e : in.executions()) {
                if (!e.rpoMet()) {
                    out.add(new Suggestion("rpo-breached", "Plan " + e.plan() + " restored data "
                            + Durations.human(e.rpo()) + " old, over the RPO of " + Durations.human(e.rpoObjective()) + ".",
                            "Back up more often: at least every " + Durations.human(e.rpoObjective().dividedBy(2))
                                    + ", or add continuous replication for this data.", "backup owner"));
                }
            }
            return out;
        };
    }

    /**
     * RTO breached: shorten where the time went. The RTO counts from detection, so it splits
     * into the time until the incident was opened, the time until the plan started and the
     * plan's run; the suggestion addresses the longest of them (the slowest step, when the run
     * took longest) and the finding gives each.
     *
     * @return the rule
     */
    static ImprovementRule rtoBreached() {
        return in -> {
            List<Suggestion> out = new ArrayList<>();
            for (ReportInput.ExecutionSummary e : in.executions()) {
                if (e.status() == ExecutionStatus.SUCCEEDED && !e.rtoMet()) {
                    out.add(RtoPhases.of(e, in.incident().openedAt()).suggestion(in.incident()));
                }
            }
            return out;
        };
    }

    /**
     * Slow detection: a more sensitive judge or probe.
     *
     * @return the rule
     */
    static ImprovementRule slowDetection() {
        return in -> {
            var i = in.incident();
            if (i.faultStartedAt() == null) {
                return List.of();
            }
            Duration d = Duration.between(i.faultStartedAt(), in.detectedAt());
            if (d.compareTo(SLOW_DETECTION) <= 0) {
                return List.of();
            }
            return List.of(new Suggestion("slow-detection", "The fault began " + Durations.human(d)
                    + " before it was detected (" + i.source() + ").",
                    "Make detection more sensitive: a judge with a lower failure-rate threshold or a shorter window, "
                            + "a probe that runs more often, or an alert with a shorter 'for' clause.", "service owner"));
        };
    }

    /**
     * Slow acknowledgement: check the paging route.
     *
     * @return the rule
     */
    static ImprovementRule slowAcknowledgement() {
        return in -> {
            var i = in.incident();
            if (i.escalations() > 0 || (i.acknowledgedAt() != null
                    && Duration.between(i.openedAt(), i.acknowledgedAt()).compareTo(SLOW_ACK) > 0)) {
                String took = i.acknowledgedAt() == null ? "was never acknowledged"
                        : "was acknowledged after " + Durations.human(Duration.between(i.openedAt(), i.acknowledgedAt()));
                return List.of(new Suggestion("slow-acknowledgement", "The incident " + took + " and escalated "
                        + i.escalations() + (i.escalations() == 1 ? " time." : " times."),
                        "Check the paging route and the on-call rota for " + i.severity() + " incidents.",
                        "on-call lead"));
            }
            return List.of();
        };
    }

    /**
     * A step retried many times: raise its timeout or fix what makes it flaky.
     *
     * @return the rule
     */
    static ImprovementRule flakySteps() {
        return in -> {
            List<Suggestion> out = new ArrayList<>();
            for (ReportInput.ExecutionSummary e : in.executions()) {
                for (ReportInput.StepSummary s : e.steps()) {
                    if (s.attempts() >= MANY_ATTEMPTS) {
                        out.add(new Suggestion("flaky-step", "Step " + s.name() + " of plan " + e.plan() + " needed "
                                + s.attempts() + " attempts.", "Raise step " + s.name()
                                + "'s timeout if its attempts timed out, or fix what makes it fail intermittently.",
                                "plan owner"));
                    }
                }
            }
            return out;
        };
    }

    /**
     * An approval escalated: more approvers or pre-approval.
     *
     * @return the rule
     */
    static ImprovementRule escalatedApprovals() {
        return in -> {
            List<Suggestion> out = new ArrayList<>();
            for (ReportInput.ExecutionSummary e : in.executions()) {
                for (ReportInput.StepSummary s : e.steps()) {
                    if (s.approvalEscalated()) {
                        out.add(new Suggestion("slow-approval", "The approval of step " + s.name() + " escalated.",
                                "Add approvers to the rota, or pre-approve step " + s.name() + " for "
                                        + in.incident().faultType() + " faults.", "plan owner"));
                    }
                }
            }
            return out;
        };
    }

    /**
     * A failed or unrun compensation: make it idempotent and rehearse it.
     *
     * @return the rule
     */
    static ImprovementRule failedCompensations() {
        return in -> {
            List<Suggestion> out = new ArrayList<>();
            for (ReportInput.ExecutionSummary e : in.executions()) {
                if (e.status() == ExecutionStatus.SUCCEEDED) {
                    continue;
                }
                for (ReportInput.StepSummary s : e.steps()) {
                    if (s.state() == StepState.FAILED) {
                        out.add(new Suggestion("failed-step", "Step " + s.name() + " of plan " + e.plan() + " failed: "
                                + (s.error() == null ? "no reason recorded" : s.error()) + ".",
                                "Fix step " + s.name() + " and rehearse plan " + e.plan() + " in a drill.", "plan owner"));
                    }
                }
            }
            return out;
        };
    }

    /**
     * An execution interrupted and resumed: keep the executor where it survives.
     *
     * @return the rule
     */
    static ImprovementRule interruptedExecutions() {
        return in -> in.executions().stream().filter(ReportInput.ExecutionSummary::resumed)
                .map(e -> new Suggestion("interrupted-execution", "Execution " + e.id() + " of plan " + e.plan()
                        + " was interrupted and resumed from its journal.",
                        "Run recovery from a process that does not share the failing host, and keep the journal "
                                + "in a store that survives it.", "platform team"))
                .toList();
    }

    /**
     * Only drills ran: nothing was recovered for real.
     *
     * @return the rule
     */
    static ImprovementRule drillOnly() {
        return in -> !in.executions().isEmpty() && in.executions().stream()
                .allMatch(e -> e.mode() == ExecutionMode.DRILL)
                ? List.of(new Suggestion("drill-only", "Only drills ran for this incident.",
                        "Confirm that the drill's findings are fixed before the next real failure.", "plan owner"))
                : List.of();
    }
}
