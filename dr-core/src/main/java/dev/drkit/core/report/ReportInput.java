package dev.drkit.core.report;

import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.api.incident.FaultType;
import dev.drkit.api.incident.Incident;
import dev.drkit.api.incident.IncidentStatus;
import dev.drkit.api.incident.Severity;
import dev.drkit.api.incident.TimelineEntry;
import dev.drkit.api.recovery.ExecutionMode;
import dev.drkit.core.audit.AuditRecord;
import dev.drkit.core.recovery.ExecutionResult;
import dev.drkit.core.recovery.ExecutionStatus;
import dev.drkit.core.recovery.StepOutcome;
import dev.drkit.core.recovery.StepState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a post-incident report is made from: the incident, the executions it caused and the
 * audit records that are its evidence. Built from live objects with
 * {@link #of(IncidentFacts, List, List)} or from an audit log alone with {@link #fromAudit}.
 *
 * <p>A report measures everything from one detection instant, {@link #detectedAt()}: the
 * earliest of the incident's opening and the detection its live executions were given (a plan
 * run with {@code --detected-at} before the incident was opened); a drill's detection, which
 * rehearses, does not move it. A live execution that counted
 * from a later instant (one started without a detection time, which counts from its own start)
 * is measured from the incident's detection instead, its RTO longer and its RPO shorter by the
 * difference, so that the summary, the impact, the detection and the RTO table agree; a drill
 * rehearses and keeps its own measure.
 *
 * @param incident the incident
 * @param timeline every related event, oldest first
 * @param executions the recovery executions
 * @param evidence the audit records about the incident and its executions
 */
public record ReportInput(IncidentFacts incident, List<TimelineEntry> timeline, List<ExecutionSummary> executions,
        List<AuditRecord> evidence) {

    /** Copies the lists and measures every live execution from the incident's detection. */
    public ReportInput {
        Objects.requireNonNull(incident, "incident");
        timeline = List.copyOf(timeline);
        executions = measuredFromDetection(incident, executions);
        evidence = List.copyOf(evidence);
    }

    /**
     * Returns when the fault was detected: the earliest of the incident's opening and the
     * detection instants of its live executions; a drill's, which rehearses, does not count.
     * RTOs, the duration of impact and the detection delay all count from here.
     *
     * @return the detection instant
     */
    public Instant detectedAt() {
        return detectedAt(incident, executions);
    }

    private static Instant detectedAt(IncidentFacts incident, List<ExecutionSummary> executions) {
        Instant detected = incident.openedAt();
        for (ExecutionSummary e : executions) {
            if (e.mode() == ExecutionMode.LIVE && e.detectedAt().isBefore(detected)) {
                detected = e.detectedAt();
            }
        }
        return detected;
    }

    private static List<ExecutionSummary> measuredFromDetection(IncidentFacts incident,
            List<ExecutionSummary> executions) {
        Instant detected = detectedAt(incident, executions);
        return executions.stream().map(e -> e.mode() == ExecutionMode.LIVE ? e.measuredFrom(detected) : e).toList();
    }

    /**
     * The facts of an incident that a report needs.
     *
     * @param id the incident's id
     * @param title one line
     * @param severity SEV1..SEV4
     * @param faultType the class of fault
     * @param status where it stands
     * @param source what opened it: rollback, probe, alert or operator (who opened it, for facts
     *     derived from an {@link Incident}, which does not keep its source)
     * @param trigger what exactly fired, such as an alert name or a guard's verdict
     * @param impact who or what was affected, for a person; may be empty
     * @param faultStartedAt when the fault began, if known (an alert's startsAt)
     * @param openedAt when it was detected and opened
     * @param acknowledgedAt when a person took it, or {@code null}
     * @param resolvedAt when it was resolved, or {@code null}
     * @param assignee who has it, or {@code null}
     * @param rootCause the cause found, or {@code null} while unknown
     * @param resolution how it was resolved, or {@code null}
     * @param escalations how many times it escalated for want of an acknowledgement
     */
    public record IncidentFacts(String id, String title, Severity severity, FaultType faultType, IncidentStatus status,
            String source, String trigger, String impact, @Nullable Instant faultStartedAt, Instant openedAt,
            @Nullable Instant acknowledgedAt, @Nullable Instant resolvedAt, @Nullable String assignee,
            @Nullable String rootCause, @Nullable String resolution, int escalations) {
        /** Checks the required fields. */
        public IncidentFacts {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(title, "title");
            Objects.requireNonNull(severity, "severity");
            Objects.requireNonNull(faultType, "faultType");
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(trigger, "trigger");
            Objects.requireNonNull(impact, "impact");
            Objects.requireNonNull(openedAt, "openedAt");
        }

        /**
         * Derives the facts from an incident and its timeline: the entries of kind
         * {@code acknowledged}, {@code resolved}, {@code escalated}, {@code opened} (whose actor
         * becomes the source) and {@code root-cause}.
         *
         * @param incident the incident
         * @return the facts
         */
        public static IncidentFacts of(Incident incident) {
            Instant ack = null;
            Instant resolved = null;
            String resolution = null;
            String rootCause = null;
            String trigger = "";
            String source = "operator";
            int escalations = 0;
            for (TimelineEntry e : incident.timeline()) {
                switch (e.kind()) {
                    case "acknowledged" -> ack = ack == null ? e.at() : ack;
                    case "resolved" -> {
                        resolved = e.at();
                        resolution = e.text();
                    }
                    case "escalated" -> escalations++;
                    case "root-cause" -> rootCause = e.text();
                    case "opened" -> {
                        trigger = e.text();
                        source = e.actor();
                    }
                    default -> {
                    }
                }
            }
            return new IncidentFacts(incident.id(), incident.title(), incident.severity(), incident.faultType(),
                    incident.status(), source, trigger, "", null, incident.openedAt(), ack, resolved,
                    incident.assignee(), rootCause, resolution, escalations);
        }
    }

    /**
     * One recovery execution as a report sees it.
     *
     * @param id the execution
     * @param plan the plan
     * @param mode LIVE or DRILL
     * @param status how it ended
     * @param reason why it failed, or empty
     * @param detectedAt detection
     * @param startedAt start
     * @param recoveredAt when the last step succeeded, or {@code null}
     * @param verifiedAt when the checks passed, or {@code null}
     * @param finishedAt the end
     * @param rto the achieved RTO, or {@code null}
     * @param rpo the achieved RPO, or {@code null}
     * @param rtoObjective the RTO objective
     * @param rpoObjective the RPO objective
     * @param resumed whether it was resumed after an interruption
     * @param steps its steps
     */
    public record ExecutionSummary(String id, String plan, ExecutionMode mode, ExecutionStatus status, String reason,
            Instant detectedAt, Instant startedAt, @Nullable Instant recoveredAt, @Nullable Instant verifiedAt,
            Instant finishedAt, @Nullable Duration rto, @Nullable Duration rpo, Duration rtoObjective,
            Duration rpoObjective, boolean resumed, List<StepSummary> steps) {
        /** Copies the steps. */
        public ExecutionSummary {
            steps = List.copyOf(steps);
        }

        /**
         * Summarizes an execution's result.
         *
         * @param r the result
         * @return the summary
         */
        public static ExecutionSummary of(ExecutionResult r) {
            List<StepSummary> steps = new ArrayList<>();
            for (StepOutcome s : r.steps()) {
                steps.add(new StepSummary(s.name(), s.state(), s.attempts(), s.duration().orElse(null), s.error(),
                        s.compensated(), s.notes().stream().anyMatch(n -> n.startsWith("approval escalated"))));
            }
            return new ExecutionSummary(r.executionId(), r.planName(), r.mode(), r.status(), r.reason(), r.detectedAt(),
                    r.startedAt(), r.recoveredAt(), r.verifiedAt(), r.finishedAt(), r.achievedRto().orElse(null),
                    r.achievedRpo().orElse(null), r.objectives().rto(), r.objectives().rpo(), r.resumed(), steps);
        }

        /**
         * Returns this execution measured from an earlier detection: the RTO longer and the
         * RPO (the age of the restored data at detection) shorter by the difference.
         *
         * @param detected the detection instant, no later than this execution's
         * @return the summary measured from {@code detected}, or this one when it counts from there already
         */
        ExecutionSummary measuredFrom(Instant detected) {
            if (!detected.isBefore(detectedAt)) {
                return this;
            }
            Duration earlier = Duration.between(detected, detectedAt);
            Duration rpoFromDetected = rpo == null ? null : rpo.compareTo(earlier) <= 0 ? Duration.ZERO
                    : rpo.minus(earlier);
            return new ExecutionSummary(id, plan, mode, status, reason, detected, startedAt, recoveredAt, verifiedAt,
                    finishedAt, rto == null ? null : rto.plus(earlier), rpoFromDetected, rtoObjective, rpoObjective,
                    resumed, steps);
        }

        /**
         * Returns when recovery ended: when the checks passed, else when the last step succeeded.
         *
         * @return the instant, or {@code null} when it did not recover
         */
        public @Nullable Instant recoveryEndedAt() {
            return verifiedAt != null ? verifiedAt : recoveredAt;
        }

        /**
         * Returns whether the RTO was met.
         *
         * @return false when recovery did not complete or took longer
         */
        public boolean rtoMet() {
            return rto != null && rto.compareTo(rtoObjective) <= 0;
        }

        /**
         * Returns whether the RPO was met; true when nothing was restored.
         *
         * @return whether the RPO was met
         */
        public boolean rpoMet() {
            return rpo == null || rpo.compareTo(rpoObjective) <= 0;
        }
    }

    /**
     * One step of an execution as a report sees it.
     *
     * @param name the step
     * @param state its final state
     * @param attempts how many attempts ran
     * @param duration how long it took, or {@code null}
     * @param error why it failed, or {@code null}
     * @param compensated whether it was undone
     * @param approvalEscalated whether its approval escalated
     */
    public record StepSummary(String name, StepState state, int attempts, @Nullable Duration duration,
            @Nullable String error, boolean compensated, boolean approvalEscalated) {
    }

    /**
     * Builds the input from live objects.
     *
     * @param incident the incident's facts
     * @param executions the executions it caused
     * @param audit the audit records, of which those about the incident or its executions become evidence
     * @return the input
     */
    public static ReportInput of(IncidentFacts incident, List<ExecutionResult> executions, List<AuditRecord> audit) {
        List<ExecutionSummary> ex = measuredFromDetection(incident, executions.stream().map(ExecutionSummary::of)
                .toList());
        Set<String> ids = new LinkedHashSet<>();
        ex.forEach(e -> ids.add(e.id()));
        List<AuditRecord> evidence = related(audit, incident.id(), ids);
        return new ReportInput(incident, timelineOf(evidence, incident, ex), ex, evidence);
    }

    /**
     * Builds the input from an audit log alone: the incident's {@code incident.*} records and
     * the {@code plan.*} records of the executions linked to it. The root cause is the latest
     * given, by the resolution or by a note of kind {@code root-cause}.
     *
     * @param audit the records
     * @param incidentId the incident
     * @return the input, or empty when the log has no {@code incident.open} record for the id
     */
    public static Optional<ReportInput> fromAudit(List<AuditRecord> audit, String incidentId) {
        AuditRecord open = audit.stream().filter(r -> r.action().equals("incident.open")
                && r.target().equals(incidentId)).findFirst().orElse(null);
        if (open == null) {
            return Optional.empty();
        }
        Map<String, String> d = open.details();
        Instant ack = null;
        Instant resolved = null;
        String assignee = null;
        String rootCause = null;
        String resolution = null;
        int escalations = 0;
        IncidentStatus status = IncidentStatus.OPEN;
        Severity severity = Severity.valueOf(d.getOrDefault("severity", "SEV3"));
        for (AuditRecord r : audit) {
            if (!r.target().equals(incidentId)) {
                continue;
            }
            switch (r.action()) {
                case "incident.ack" -> {
                    ack = ack == null ? r.time() : ack;
                    status = status == IncidentStatus.RESOLVED ? status : IncidentStatus.ACKNOWLEDGED;
                    assignee = assignee == null ? r.actor() : assignee;
                }
                case "incident.assign" -> assignee = r.details().getOrDefault("assignee", assignee);
                case "incident.escalate" -> escalations++;
                case "incident.severity" -> severity = Severity.valueOf(r.details().getOrDefault("severity",
                        severity.name()));
                case "incident.note" -> {
                    if ("root-cause".equals(r.details().get("kind"))) {
                        rootCause = r.details().getOrDefault("text", rootCause);
                    }
                }
                case "incident.resolve" -> {
                    resolved = r.time();
                    status = IncidentStatus.RESOLVED;
                    resolution = r.details().get("resolution");
                    rootCause = r.details().getOrDefault("rootCause", rootCause);
                }
                default -> {
                }
            }
        }
        IncidentFacts facts = new IncidentFacts(incidentId, d.getOrDefault("title", incidentId), severity,
                FaultType.valueOf(d.getOrDefault("faultType", "SOFTWARE")), status, d.getOrDefault("source", open.actor()),
                d.getOrDefault("trigger", ""), d.getOrDefault("impact", ""),
                d.containsKey("faultStartedAt") ? Instant.parse(d.get("faultStartedAt")) : null, open.time(), ack,
                resolved, assignee, rootCause, resolution, escalations);
        Set<String> ids = new LinkedHashSet<>();
        for (AuditRecord r : audit) {
            if (r.action().equals("plan.finish") && incidentId.equals(r.details().get("incident"))) {
                ids.add(r.details().get("execution"));
            }
        }
        List<ExecutionSummary> recorded = new ArrayList<>();
        for (String id : ids) {
            recorded.add(summaryFromAudit(audit, id));
        }
        List<ExecutionSummary> executions = measuredFromDetection(facts, recorded);
        List<AuditRecord> evidence = related(audit, incidentId, ids);
        return Optional.of(new ReportInput(facts, timelineOf(evidence, facts, executions), executions, evidence));
    }

    private static ExecutionSummary summaryFromAudit(List<AuditRecord> audit, String executionId) {
        AuditRecord fin = null;
        Map<String, StepSummary> steps = new LinkedHashMap<>();
        Set<String> escalated = new LinkedHashSet<>();
        boolean resumed = false;
        for (AuditRecord r : audit) {
            if (!executionId.equals(r.details().get("execution"))) {
                continue;
            }
            String step = r.details().get("step");
            switch (r.action()) {
                case "plan.finish" -> fin = r;
                case "plan.resume" -> resumed = true;
                case "plan.approval.escalated" -> escalated.add(r.target().substring(r.target().indexOf('/') + 1));
                case "plan.step" -> {
                    if (step != null) {
                        String dur = r.details().get("duration");
                        steps.put(step, new StepSummary(step, r.outcome() == AuditOutcome.SUCCESS ? StepState.SUCCEEDED
                                : StepState.FAILED, Integer.parseInt(r.details().getOrDefault("attempts", "1")),
                                dur == null ? null : Duration.parse(dur), r.details().get("error"), false,
                                escalated.contains(step)));
                    }
                }
                case "plan.compensate" -> {
                    StepSummary s = step == null ? null : steps.get(step);
                    if (s != null) {
                        boolean ok = r.outcome() == AuditOutcome.SUCCESS;
                        steps.put(step, new StepSummary(s.name(), ok && s.state() == StepState.SUCCEEDED
                                ? StepState.COMPENSATED : s.state(), s.attempts(), s.duration(), s.error(), ok,
                                s.approvalEscalated()));
                    }
                }
                default -> {
                }
            }
        }
        if (fin == null) {
            throw new IllegalStateException("no plan.finish for " + executionId);
        }
        Map<String, String> d = fin.details();
        return new ExecutionSummary(executionId, fin.target(), ExecutionMode.valueOf(d.getOrDefault("mode", "LIVE")),
                ExecutionStatus.valueOf(d.get("status")), d.getOrDefault("reason", ""), Instant.parse(d.get("detectedAt")),
                Instant.parse(d.get("startedAt")), instant(d, "recoveredAt"), instant(d, "verifiedAt"), fin.time(),
                duration(d, "rto"), duration(d, "rpo"), Duration.parse(d.get("rtoObjective")),
                Duration.parse(d.get("rpoObjective")), resumed, new ArrayList<>(steps.values()));
    }

    private static @Nullable Instant instant(Map<String, String> d, String k) {
        return d.containsKey(k) ? Instant.parse(d.get(k)) : null;
    }

    private static @Nullable Duration duration(Map<String, String> d, String k) {
        return d.containsKey(k) ? Duration.parse(d.get(k)) : null;
    }

    private static List<AuditRecord> related(List<AuditRecord> audit, String incidentId, Set<String> executionIds) {
        List<AuditRecord> out = new ArrayList<>();
        for (AuditRecord r : audit) {
            if (r.target().equals(incidentId) || incidentId.equals(r.details().get("incident"))
                    || executionIds.contains(r.details().get("execution"))) {
                out.add(r);
            }
        }
        return out;
    }

    private static List<TimelineEntry> timelineOf(List<AuditRecord> evidence, IncidentFacts incident,
            List<ExecutionSummary> executions) {
        List<TimelineEntry> out = new ArrayList<>();
        if (incident.faultStartedAt() != null) {
            out.add(new TimelineEntry(incident.faultStartedAt(), "system", "fault", "fault began ("
                    + incident.trigger() + ")"));
        }
        for (AuditRecord r : evidence) {
            ExecutionSummary finished = !r.action().equals("plan.finish") ? null : executions.stream()
                    .filter(e -> e.id().equals(r.details().get("execution"))).findFirst().orElse(null);
            out.add(new TimelineEntry(r.time(), r.actor(), r.action(), finished == null ? describe(r)
                    : finished(r, finished)));
        }
        if (evidence.stream().noneMatch(r -> r.action().equals("incident.open"))) {
            out.add(new TimelineEntry(incident.openedAt(), incident.source(), "incident.open", "incident opened"
                    + how(incident.source()) + ": " + incident.title()));
        }
        Instant detected = detectedAt(incident, executions);
        if (detected.isBefore(incident.openedAt())) {
            out.add(detection(evidence, detected, incident.openedAt()));
        }
        out.sort(Comparator.comparing(TimelineEntry::at));
        return out;
    }

    /**
     * The entry of a detection before the incident was opened, by whoever started the live run
     * that recorded it (its {@code plan.finish} record), so that the timeline starts where the
     * summary, the impact and the RTO table count from.
     */
    private static TimelineEntry detection(List<AuditRecord> evidence, Instant detected, Instant opened) {
        String later = Durations.human(Duration.between(detected, opened)) + " before the incident was opened";
        for (AuditRecord r : evidence) {
            if (r.action().equals("plan.finish") && detected.toString().equals(r.details().get("detectedAt"))
                    && ExecutionMode.LIVE.name().equals(r.details().getOrDefault("mode", ExecutionMode.LIVE.name()))) {
                return new TimelineEntry(detected, r.actor(), "detected", "fault detected, " + later
                        + ", as the LIVE run of plan " + r.target() + " recorded it");
            }
        }
        return new TimelineEntry(detected, "system", "detected", "fault detected, " + later
                + ", as a recovery run recorded it");
    }

    static String describe(AuditRecord r) {
        Map<String, String> d = r.details();
        return switch (r.action()) {
            case "incident.open" -> "incident opened" + how(d.getOrDefault("source", "")) + ": "
                    + d.getOrDefault("title", r.target()) + " (" + d.getOrDefault("severity", "?") + ", "
                    + d.getOrDefault("faultType", "?") + ")";
            case "incident.ack" -> "acknowledged by " + r.actor();
            case "incident.assign" -> "assigned to " + d.getOrDefault("assignee", "?");
            case "incident.escalate" -> "escalated to " + d.getOrDefault("to", "?") + " (not acknowledged)";
            case "incident.note" -> d.getOrDefault("text", "note");
            case "incident.resolve" -> "resolved: " + d.getOrDefault("resolution", "");
            case "plan.start" -> d.getOrDefault("mode", "") + " run of plan " + r.target() + " started";
            case "plan.resume" -> "plan " + r.target() + " resumed after an interruption";
            case "plan.step" -> "step " + d.getOrDefault("step", r.target()) + " "
                    + (r.outcome() == AuditOutcome.SUCCESS ? "succeeded" : "failed: " + d.getOrDefault("error", ""))
                    + attempts(d);
            case "plan.approval" -> r.target() + " " + ("approve".equals(d.get("decision")) ? "approved" : "rejected")
                    + " by " + r.actor() + ": " + d.getOrDefault("comment", "");
            case "plan.approval.requested" -> r.target() + " waits for approval by " + d.getOrDefault("approvers", "?");
            case "plan.approval.escalated" -> r.target() + " approval escalated to " + d.getOrDefault("escalateTo", "?");
            case "plan.compensate" -> "step " + d.getOrDefault("step", r.target()) + " undone"
                    + (r.outcome() == AuditOutcome.SUCCESS ? "" : " - FAILED: " + d.getOrDefault("error", ""));
            case "plan.verify" -> "verification " + r.target() + " " + (r.outcome() == AuditOutcome.SUCCESS ? "passed"
                    : "failed") + ": " + d.getOrDefault("detail", "");
            case "plan.finish" -> "plan " + r.target() + " " + d.getOrDefault("status", "?")
                    + (d.containsKey("rto") ? ", RTO " + Durations.human(Duration.parse(d.get("rto"))) : "")
                    + (d.containsKey("rpo") ? ", RPO " + Durations.human(Duration.parse(d.get("rpo"))) : "");
            default -> r.action() + " " + r.target() + " " + r.outcome().name().toLowerCase();
        };
    }

    /**
     * How an incident of a source was opened, to follow "opened": the actor who opened it is
     * named apart, so that an entry names one actor.
     */
    static String how(String source) {
        return switch (source) {
            case "alert" -> " on an alert";
            case "probe" -> " on a failing probe";
            case "rollback" -> " on a rollback";
            case "operator" -> " by hand";
            default -> "";
        };
    }

    /** A plan's end with the RTO and RPO the report measured, which may count from an earlier detection. */
    private static String finished(AuditRecord r, ExecutionSummary e) {
        return "plan " + r.target() + " " + e.status() + (e.rto() == null ? "" : ", RTO " + Durations.human(e.rto()))
                + (e.rpo() == null ? "" : ", RPO " + Durations.human(e.rpo()));
    }

    private static String attempts(Map<String, String> d) {
        String a = d.get("attempts");
        return a == null || a.equals("1") ? "" : " after " + a + " attempts";
    }
}
