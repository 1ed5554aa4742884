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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
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

    /** How many names a cell lists before it says how many more there are. */
    private static final int NAMES_SHOWN = 5;

    /**
     * Writes the runbook as Markdown for a person. Names and sentences are escaped, so that a
     * {@code |}, a {@code *} or a line break in them shows as written; the steps a step can run
     * alongside are summarised (the first five and how many more), so that the runbook grows
     * in step with the plan.
     *
     * @return the Markdown
     */
    public String toMarkdown() {
        Order order = new Order(steps);
        StringBuilder md = new StringBuilder();
        md.append("# Runbook: ").append(Markdown.text(plan)).append("\n\n");
        if (!description.isBlank()) {
            md.append(Markdown.sentence(description, false, true)).append("\n\n");
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
                md.append("- [ ] Check **").append(Markdown.text(c.name())).append("** (probe ")
                        .append(Markdown.code(c.probe(), false)).append(") answers UP").append(tolerance(c))
                        .append(". If not, stop: the plan does not apply.\n");
            }
            md.append('\n');
        }
        List<Check> throughout = checks.stream().filter(c -> c.phase() == VerificationPhase.THROUGHOUT).toList();
        if (!throughout.isEmpty()) {
            md.append("## Watch throughout\n\n");
            for (Check c : throughout) {
                md.append("- Keep checking **").append(Markdown.text(c.name())).append("** (probe ")
                        .append(Markdown.code(c.probe(), false)).append("); stop and undo if it fails more than ")
                        .append(c.toleratedFailures()).append(c.toleratedFailures() == 1 ? " time" : " times")
                        .append(".\n");
            }
            md.append('\n');
        }
        List<Integer> undo = new ArrayList<>();
        for (int i = steps.size() - 1; i >= 0; i--) {
            if (steps.get(i).undoable()) {
                undo.add(i);
            }
        }
        md.append("## Steps\n\n");
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            md.append("### ").append(i + 1).append(". ").append(Markdown.text(s.name())).append("\n\n");
            md.append(s.action().isBlank() ? Markdown.lineStart("Run step '" + s.name() + "'")
                    : Markdown.sentence(s.action(), false, true)).append(".\n\n");
            md.append("| | |\n|---|---|\n");
            md.append("| Owner | ").append(s.owner().isBlank() ? "on-call engineer" : Markdown.text(s.owner()))
                    .append(" |\n");
            md.append("| After | ").append(s.dependsOn().isEmpty() ? "start" : names(s.dependsOn(), s.dependsOn().size()))
                    .append(" |\n");
            List<String> parallel = order.parallelWith(i, NAMES_SHOWN);
            int alongside = order.parallelCount(i);
            if (alongside > 0) {
                md.append("| Can run alongside | ").append(names(parallel, alongside)).append(" |\n");
            }
            if (s.approval() != null) {
                ApprovalGate g = s.approval();
                md.append("| Approval | from ").append(Markdown.text(g.approvers())).append(" before starting; escalate to ")
                        .append(Markdown.text(g.escalateTo())).append(" after ").append(Durations.human(g.escalateAfter()))
                        .append(" |\n");
            }
            md.append("| Time limit | ");
            if (s.approval() != null) {
                md.append(Durations.human(s.approval().timeout())).append(" to get the approval (unanswered, the step ")
                        .append("fails); then ");
            }
            md.append(Durations.human(s.timeout())).append(" per attempt");
            if (s.maxAttempts() > 1) {
                md.append("; up to ").append(s.maxAttempts()).append(" attempts, waiting ")
                        .append(Durations.human(s.backoff())).append(" before the second and twice as long each time after");
            }
            md.append(" |\n");
            md.append("| If it fails | ").append(!s.critical() ? "note it and carry on: the step is optional"
                    : undo.isEmpty() ? "stop the plan and escalate to the plan owner"
                    : "stop the plan and undo the completed steps (below)").append(" |\n");
            if (s.undoable()) {
                md.append("| Undo | ").append(Markdown.sentence(s.undo(), true, false))
                        .append(s.compensation() == CompensationStrategy.ALWAYS
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
                    md.append("- [ ] **").append(Markdown.text(s.name())).append("** (step ").append(n).append("): ")
                            .append(s.action().isBlank() ? Markdown.text("run step '" + s.name() + "'")
                                    : Markdown.sentence(s.action(), false, false)).append('\n');
                }
                n++;
            }
            for (Check c : after) {
                md.append("- [ ] **").append(Markdown.text(c.name())).append("** (probe ")
                        .append(Markdown.code(c.probe(), false)).append(") answers UP").append(tolerance(c)).append('\n');
            }
            md.append('\n');
        }
        md.append("Recovery is complete when every check passes. Record the time: RTO achieved = that time minus ")
                .append("the detection time; RPO achieved = detection time minus the time of the restored data.\n\n");
        md.append("## If a step fails\n\n");
        if (undo.isEmpty()) {
            md.append("No step has anything to undo; escalate to the plan owner.\n");
            return md.toString();
        }
        boolean anyAlongside = undo.stream().anyMatch(i -> order.parallelCount(i, undo) > 0);
        if (!anyAlongside) {
            md.append("Undo the completed steps that have an undo, in this order (the failed step first, if it did ")
                    .append("anything); the others have nothing to undo:\n\n");
        } else {
            md.append("Undo the completed steps that have an undo in the reverse order of their completion: the ")
                    .append("failed step first, if it did anything, then the step that finished last, and so on; ")
                    .append("the others have nothing to undo. Steps that depend on one another finish in plan order, ")
                    .append("so they are undone in the order below; a step marked \"ran alongside\" may have finished ")
                    .append("before or after the steps it names: compare the times noted at \"Done at\".\n\n");
        }
        for (int i : undo) {
            Step s = steps.get(i);
            md.append("1. ").append(Markdown.text(s.name())).append(" (")
                    .append(s.owner().isBlank() ? "on-call engineer" : Markdown.text(s.owner())).append("): ")
                    .append(Markdown.sentence(s.undo(), false, false));
            int alongside = order.parallelCount(i, undo);
            if (alongside > 0) {
                md.append(" (ran alongside ").append(names(order.parallelWith(i, undo, NAMES_SHOWN), alongside))
                        .append(')');
            }
            md.append('\n');
        }
        return md.toString();
    }

    /** Names as Markdown, separated by commas, with how many more there are than those given. */
    private static String names(List<String> shown, int total) {
        StringBuilder sb = new StringBuilder();
        for (String n : shown) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(Markdown.text(n));
        }
        if (total > shown.size()) {
            sb.append(" and ").append(total - shown.size()).append(total - shown.size() == 1 ? " more step" : " more steps");
        }
        return sb.toString();
    }

    private static String tolerance(Check c) {
        return c.toleratedFailures() == 0 ? "" : " (retry up to " + c.toleratedFailures() + " times)";
    }

    /**
     * Which steps come before which: for each step (by index) the steps it waits for, directly
     * or not, as bit sets, so that "can run alongside" is a set difference rather than a walk
     * of the graph for every pair. Dependencies on unknown names are ignored; a cycle (only a
     * hand-written runbook JSON can hold one) leaves its steps unordered among themselves.
     */
    private static final class Order {
        private final List<Step> steps;
        private final BitSet[] before;
        private final BitSet[] after;

        Order(List<Step> steps) {
            this.steps = steps;
            int n = steps.size();
            Map<String, Integer> index = new HashMap<>();
            for (int i = 0; i < n; i++) {
                index.putIfAbsent(steps.get(i).name(), i);
            }
            before = new BitSet[n];
            after = new BitSet[n];
            for (int i = 0; i < n; i++) {
                before[i] = new BitSet(n);
                after[i] = new BitSet(n);
            }
            // Kahn's order, so that each step's dependencies are complete before it is read
            int[] waiting = new int[n];
            List<List<Integer>> dependents = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                dependents.add(new ArrayList<>());
            }
            for (int i = 0; i < n; i++) {
                for (String d : new TreeSet<>(steps.get(i).dependsOn())) {
                    Integer j = index.get(d);
                    if (j != null && j != i) {
                        waiting[i]++;
                        dependents.get(j).add(i);
                    }
                }
            }
            ArrayDeque<Integer> ready = new ArrayDeque<>();
            for (int i = 0; i < n; i++) {
                if (waiting[i] == 0) {
                    ready.add(i);
                }
            }
            while (!ready.isEmpty()) {
                int j = ready.poll();
                for (int i : dependents.get(j)) {
                    before[i].set(j);
                    before[i].or(before[j]);
                    if (--waiting[i] == 0) {
                        ready.add(i);
                    }
                }
            }
            for (int i = 0; i < n; i++) {
                for (int j = before[i].nextSetBit(0); j >= 0; j = before[i].nextSetBit(j + 1)) {
                    after[j].set(i);
                }
            }
        }

        /** The steps that step {@code i} neither waits for nor is waited for by. */
        private BitSet alongside(int i) {
            BitSet b = new BitSet(steps.size());
            b.set(0, steps.size());
            b.andNot(before[i]);
            b.andNot(after[i]);
            b.clear(i);
            return b;
        }

        int parallelCount(int i) {
            return alongside(i).cardinality();
        }

        List<String> parallelWith(int i, int limit) {
            return names(alongside(i), limit);
        }

        int parallelCount(int i, List<Integer> among) {
            return within(alongside(i), among).cardinality();
        }

        List<String> parallelWith(int i, List<Integer> among, int limit) {
            return names(within(alongside(i), among), limit);
        }

        private BitSet within(BitSet b, List<Integer> among) {
            BitSet m = new BitSet(steps.size());
            among.forEach(m::set);
            b.and(m);
            return b;
        }

        private List<String> names(BitSet b, int limit) {
            List<String> out = new ArrayList<>();
            for (int j = b.nextSetBit(0); j >= 0 && out.size() < limit; j = b.nextSetBit(j + 1)) {
                out.add(steps.get(j).name());
            }
            return out;
        }
    }
}
