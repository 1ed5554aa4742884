package dev.drkit.core.report;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.recovery.ApprovalGate;
import dev.drkit.api.recovery.CompensationStrategy;
import dev.drkit.api.recovery.RecoveryPlan;
import dev.drkit.api.recovery.RecoveryPlan.PlannedStep;
import dev.drkit.api.recovery.StepPolicy;
import dev.drkit.api.recovery.Verification;
import dev.drkit.api.recovery.VerificationPhase;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * A runbook that a person can follow when the automation is down: the plan's steps in order
 * with their owners, approvals, time limits, retries, what to do on failure and how to undo
 * them, the checks, and the objectives. Made from a plan with {@link #of(RecoveryPlan)} or
 * read from its JSON form with {@link #parse(String)}; written as Markdown or JSON.
 *
 * @param plan the plan's name
 * @param description what the plan recovers from
 * @param rto the recovery time objective
 * @param rpo the recovery point objective
 * @param steps the steps in the order to run them
 * @param checks the steady-state verifications
 */
public record Runbook(String plan, String description, Duration rto, Duration rpo, List<Step> steps,
        List<Check> checks) {

    /** Copies the lists. */
    public Runbook {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(rto, "rto");
        Objects.requireNonNull(rpo, "rpo");
        steps = List.copyOf(steps);
        checks = List.copyOf(checks);
    }

    /**
     * One step of a runbook.
     *
     * @param name the step's name
     * @param action what to do, one imperative sentence
     * @param dependsOn the steps to finish first
     * @param owner who does it; may be empty
     * @param timeout the time limit of one attempt
     * @param maxAttempts how many attempts
     * @param backoff the wait before the second attempt
     * @param critical whether its failure fails the plan
     * @param compensation when it is undone
     * @param approval the approval to get first, or {@code null}
     * @param undo how to undo it, one imperative sentence; empty when it has nothing to undo or
     *     is never undone
     * @param verifies whether it checks that recovery worked, changing nothing
     */
    public record Step(String name, String action, List<String> dependsOn, String owner, Duration timeout,
            int maxAttempts, Duration backoff, boolean critical, CompensationStrategy compensation,
            @Nullable ApprovalGate approval, String undo, boolean verifies) {
        /** Copies the dependencies. */
        public Step {
            dependsOn = List.copyOf(dependsOn);
            Objects.requireNonNull(undo, "undo");
        }

        /**
         * Creates a step with nothing to undo that is no verification, as steps were before
         * runbooks knew either.
         *
         * @param name the step's name
         * @param action what to do, one imperative sentence
         * @param dependsOn the steps to finish first
         * @param owner who does it; may be empty
         * @param timeout the time limit of one attempt
         * @param maxAttempts how many attempts
         * @param backoff the wait before the second attempt
         * @param critical whether its failure fails the plan
         * @param compensation when it is undone
         * @param approval the approval to get first, or {@code null}
         */
        public Step(String name, String action, List<String> dependsOn, String owner, Duration timeout,
                int maxAttempts, Duration backoff, boolean critical, CompensationStrategy compensation,
                @Nullable ApprovalGate approval) {
            this(name, action, dependsOn, owner, timeout, maxAttempts, backoff, critical, compensation, approval, "",
                    false);
        }

        /**
         * Returns whether a person undoes this step when the plan fails (or always, for
         * {@link CompensationStrategy#ALWAYS}).
         *
         * @return true when it has an undo
         */
        public boolean undoable() {
            return !undo.isBlank() && compensation != CompensationStrategy.NEVER;
        }
    }

    /**
     * One verification of a runbook.
     *
     * @param name the check
     * @param probe the probe's name
     * @param phase when it runs
     * @param toleratedFailures how many failed answers it tolerates
     */
    public record Check(String name, String probe, VerificationPhase phase, int toleratedFailures) {
    }

    /**
     * Returns what a step does, in one imperative sentence: its description, or "Run step
     * 'name'" when the step gives none (a blank description or the default "Run" plus its
     * class's simple name, which is empty for anonymous classes and noise for lambdas).
     */
    private static String actionOf(PlannedStep s) {
        String described = s.step().describe();
        if (described == null || described.isBlank()
                || described.strip().equals(("Run " + s.step().getClass().getSimpleName()).strip())) {
            return "Run step '" + s.name() + "'";
        }
        return described;
    }

    /**
     * Makes the runbook of a plan.
     *
     * @param plan the plan
     * @return the runbook
     */
    public static Runbook of(RecoveryPlan plan) {
        List<Step> steps = new ArrayList<>();
        for (PlannedStep s : plan.steps()) {
            StepPolicy p = s.policy();
            String undo = p.compensation() == CompensationStrategy.NEVER ? ""
                    : s.step().describeCompensation().orElse("");
            steps.add(new Step(s.name(), actionOf(s), new ArrayList<>(new TreeSet<>(s.dependsOn())), p.owner(),
                    p.timeout(), p.maxAttempts(), p.backoff(), p.critical(), p.compensation(), p.approval(), undo,
                    s.step().verifies()));
        }
        List<Check> checks = new ArrayList<>();
        for (Verification v : plan.verifications()) {
            checks.add(new Check(v.name(), v.probe().name(), v.phase(), v.toleratedFailures()));
        }
        return new Runbook(plan.name(), plan.description(), plan.objectives().rto(), plan.objectives().rpo(), steps,
                checks);
    }

    /**
     * Reads a runbook from its JSON form (as {@link #toJson()} writes it).
     *
     * @param json the JSON
     * @return the runbook
     * @throws DrException {@code INVALID_CONFIG} naming the field that is missing or malformed
     */
    public static Runbook parse(String json) {
        JsonNode n = Json.read(json, "runbook");
        try {
            List<Step> steps = new ArrayList<>();
            int i = 0;
            for (JsonNode s : array(n, "steps")) {
                String at = "steps[" + i++ + "]";
                ApprovalGate gate = null;
                JsonNode a = s.get("approval");
                if (a != null && !a.isNull()) {
                    gate = new ApprovalGate(text(a, at + ".approval.approvers"), duration(a, at + ".approval.escalateAfter"),
                            text(a, at + ".approval.escalateTo"), duration(a, at + ".approval.timeout"));
                }
                List<String> deps = new ArrayList<>();
                JsonNode d = s.get("dependsOn");
                if (d != null && d.isArray()) {
                    for (JsonNode x : d) {
                        if (!x.isString()) {
                            throw new DrException(ErrorCode.INVALID_CONFIG, "runbook: " + at
                                    + ".dependsOn must hold step names, but held " + x, at + ".dependsOn");
                        }
                        deps.add(x.asString());
                    }
                }
                steps.add(new Step(text(s, at + ".name"), opt(s, "action", ""), deps, opt(s, "owner", ""),
                        s.has("timeout") ? duration(s, at + ".timeout") : StepPolicy.DEFAULT_TIMEOUT,
                        s.path("maxAttempts").asInt(1), s.has("backoff") ? duration(s, at + ".backoff") : Duration.ZERO,
                        s.path("critical").asBoolean(true),
                        CompensationStrategy.valueOf(opt(s, "compensation", "ON_FAILURE")), gate, opt(s, "undo", ""),
                        s.path("verifies").asBoolean(false)));
            }
            List<Check> checks = new ArrayList<>();
            i = 0;
            for (JsonNode c : array(n, "checks")) {
                String at = "checks[" + i++ + "]";
                checks.add(new Check(text(c, at + ".name"), opt(c, "probe", ""),
                        VerificationPhase.valueOf(opt(c, "phase", "AFTER")), c.path("toleratedFailures").asInt(0)));
            }
            JsonNode o = n.path("objectives");
            return new Runbook(text(n, "plan"), opt(n, "description", ""), duration(o, "objectives.rto"),
                    duration(o, "objectives.rpo"), steps, checks);
        } catch (IllegalArgumentException | JacksonException e) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "runbook: " + e.getMessage(), null, e);
        }
    }

    private static Iterable<JsonNode> array(JsonNode n, String field) {
        JsonNode a = n.get(field);
        if (a == null || a.isNull()) {
            return List.of();
        }
        if (!a.isArray()) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "runbook: " + field + " must be an array", field);
        }
        return a;
    }

    private static String leaf(String path) {
        return path.substring(path.lastIndexOf('.') + 1);
    }

    private static String text(JsonNode n, String path) {
        JsonNode v = n.get(leaf(path));
        if (v == null || !v.isString() || v.asString().isBlank()) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "runbook: " + path + " must be a non-empty string, but was "
                    + v, path);
        }
        return v.asString();
    }

    private static String opt(JsonNode n, String field, String dflt) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isValueNode()) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "runbook: " + field + " must be a string, but was " + v,
                    field);
        }
        return v.asString();
    }

    private static Duration duration(JsonNode n, String path) {
        String t = text(n, path);
        try {
            return Duration.parse(t);
        } catch (DateTimeParseException e) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "runbook: " + path
                    + " must be an ISO-8601 duration such as PT15M, but was " + t, path, e);
        }
    }

    /**
     * Writes the runbook as JSON, the form {@link #parse(String)} reads.
     *
     * @return the JSON
     */
    public String toJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("plan", plan);
        root.put("description", description);
        root.put("objectives", Map.of("rto", rto.toString(), "rpo", rpo.toString()));
        List<Object> st = new ArrayList<>();
        for (Step s : steps) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", s.name());
            m.put("action", s.action());
            m.put("dependsOn", s.dependsOn());
            m.put("owner", s.owner());
            m.put("timeout", s.timeout().toString());
            m.put("maxAttempts", s.maxAttempts());
            m.put("backoff", s.backoff().toString());
            m.put("critical", s.critical());
            m.put("compensation", s.compensation().name());
            m.put("undo", s.undo());
            m.put("verifies", s.verifies());
            if (s.approval() != null) {
                ApprovalGate g = s.approval();
                m.put("approval", Map.of("approvers", g.approvers(), "escalateAfter", g.escalateAfter().toString(),
                        "escalateTo", g.escalateTo(), "timeout", g.timeout().toString()));
            }
            st.add(m);
        }
        root.put("steps", st);
        List<Object> ch = new ArrayList<>();
        for (Check c : checks) {
            ch.add(Map.of("name", c.name(), "probe", c.probe(), "phase", c.phase().name(),
                    "toleratedFailures", c.toleratedFailures()));
        }
        root.put("checks", ch);
        return Json.write(root);
    }

    /**
     * Writes the runbook as Markdown for a person.
     *
     * @return the Markdown
     */
    public String toMarkdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Runbook: ").append(plan).append("\n\n");
        if (!description.isBlank()) {
            md.append(description).append("\n\n");
        }
        md.append("**Objectives:** recover within ").append(Durations.human(rto)).append(" of detection (RTO); ")
                .append("lose at most ").append(Durations.human(rpo)).append(" of data (RPO).\n\n");
        md.append("Start the clock when the failure is detected. Note the time of each step below; ")
                .append("the RTO is met when the last check passes within ").append(Durations.human(rto))
                .append(".\n\n");
        List<Check> before = checks.stream().filter(c -> c.phase() == VerificationPhase.BEFORE).toList();
        if (!before.isEmpty()) {
            md.append("## Before you start\n\n");
            for (Check c : before) {
                md.append("- [ ] Check **").append(c.name()).append("** (probe `").append(c.probe())
                        .append("`) answers UP").append(tolerance(c)).append(". If not, stop: the plan does not apply.\n");
            }
            md.append('\n');
        }
        List<Check> throughout = checks.stream().filter(c -> c.phase() == VerificationPhase.THROUGHOUT).toList();
        if (!throughout.isEmpty()) {
            md.append("## Watch throughout\n\n");
            for (Check c : throughout) {
                md.append("- Keep checking **").append(c.name()).append("** (probe `").append(c.probe())
                        .append("`); stop and undo if it fails more than ").append(c.toleratedFailures())
                        .append(c.toleratedFailures() == 1 ? " time" : " times").append(".\n");
            }
            md.append('\n');
        }
        List<Step> undo = new ArrayList<>(steps.stream().filter(Step::undoable).toList());
        Collections.reverse(undo);
        md.append("## Steps\n\n");
        int i = 1;
        for (Step s : steps) {
            md.append("### ").append(i++).append(". ").append(s.name()).append("\n\n");
            md.append(s.action().isBlank() ? "Run step '" + s.name() + "'" : s.action()).append(".\n\n");
            md.append("| | |\n|---|---|\n");
            md.append("| Owner | ").append(s.owner().isBlank() ? "on-call engineer" : s.owner()).append(" |\n");
            md.append("| After | ").append(s.dependsOn().isEmpty() ? "start" : String.join(", ", s.dependsOn()))
                    .append(" |\n");
            List<String> parallel = parallelWith(s);
            if (!parallel.isEmpty()) {
                md.append("| Can run alongside | ").append(String.join(", ", parallel)).append(" |\n");
            }
            if (s.approval() != null) {
                ApprovalGate g = s.approval();
                md.append("| Approval | from ").append(g.approvers()).append(" before starting; escalate to ")
                        .append(g.escalateTo()).append(" after ").append(Durations.human(g.escalateAfter()))
                        .append("; give up after ").append(Durations.human(g.timeout())).append(" |\n");
            }
            md.append("| Time limit | ").append(Durations.human(s.timeout())).append(" per attempt");
            if (s.maxAttempts() > 1) {
                md.append("; up to ").append(s.maxAttempts()).append(" attempts, waiting ")
                        .append(Durations.human(s.backoff())).append(" before the second and twice as long each time after");
            }
            md.append(" |\n");
            md.append("| If it fails | ").append(!s.critical() ? "note it and carry on: the step is optional"
                    : undo.isEmpty() ? "stop the plan and escalate to the plan owner"
                    : "stop the plan and undo the completed steps (below)").append(" |\n");
            if (s.undoable()) {
                md.append("| Undo | ").append(s.undo()).append(s.compensation() == CompensationStrategy.ALWAYS
                        ? " (always, at the end, whatever the outcome)" : " (if a later step fails)").append(" |\n");
            }
            md.append('\n');
            md.append("- [ ] Done at ______ by ______\n\n");
        }
        List<Check> after = checks.stream().filter(c -> c.phase() == VerificationPhase.AFTER).toList();
        md.append("## Verify recovery\n\n");
        boolean anyVerifyingStep = steps.stream().anyMatch(Step::verifies);
        if (after.isEmpty() && !anyVerifyingStep) {
            md.append("No automated check: confirm with the service owner that the business function works.\n\n");
        } else {
            int n = 1;
            for (Step s : steps) {
                if (s.verifies()) {
                    md.append("- [ ] **").append(s.name()).append("** (step ").append(n).append("): ")
                            .append(s.action().isBlank() ? "run step '" + s.name() + "'" : s.action()).append('\n');
                }
                n++;
            }
            for (Check c : after) {
                md.append("- [ ] **").append(c.name()).append("** (probe `").append(c.probe()).append("`) answers UP")
                        .append(tolerance(c)).append('\n');
            }
            md.append('\n');
        }
        md.append("Recovery is complete when every check passes. Record the time: RTO achieved = that time minus ")
                .append("the detection time; RPO achieved = detection time minus the time of the restored data.\n\n");
        md.append("## If a step fails\n\n");
        if (undo.isEmpty()) {
            md.append("No step has anything to undo; escalate to the plan owner.\n");
        } else {
            md.append("Undo the completed steps that have an undo, in this order (the failed step first, if it did ")
                    .append("anything); the others have nothing to undo:\n\n");
            for (Step s : undo) {
                md.append("1. ").append(s.name()).append(" (").append(s.owner().isBlank() ? "on-call engineer" : s.owner())
                        .append("): ").append(s.undo()).append('\n');
            }
        }
        return md.toString();
    }

    private static String tolerance(Check c) {
        return c.toleratedFailures() == 0 ? "" : " (retry up to " + c.toleratedFailures() + " times)";
    }

    /** Steps that neither depend on {@code s} nor are depended on by it, directly or not. */
    private List<String> parallelWith(Step s) {
        Map<String, Step> byName = new LinkedHashMap<>();
        steps.forEach(x -> byName.put(x.name(), x));
        List<String> out = new ArrayList<>();
        for (Step other : steps) {
            if (!other.name().equals(s.name()) && !reaches(byName, s.name(), other.name())
                    && !reaches(byName, other.name(), s.name())) {
                out.add(other.name());
            }
        }
        return out;
    }

    private static boolean reaches(Map<String, Step> byName, String from, String to) {
        Step f = byName.get(from);
        if (f == null) {
            return false;
        }
        for (String d : f.dependsOn()) {
            if (d.equals(to) || reaches(byName, d, to)) {
                return true;
            }
        }
        return false;
    }
}
