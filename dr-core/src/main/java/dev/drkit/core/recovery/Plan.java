package dev.drkit.core.recovery;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.recovery.ApprovalGate;
import dev.drkit.api.recovery.CompensationStrategy;
import dev.drkit.api.recovery.RecoveryObjectives;
import dev.drkit.api.recovery.RecoveryPlan;
import dev.drkit.api.recovery.RecoveryStep;
import dev.drkit.api.recovery.StepPolicy;
import dev.drkit.api.recovery.Verification;
import dev.drkit.api.recovery.VerificationPhase;
import dev.drkit.core.report.Durations;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * An immutable, validated recovery plan: a DAG of steps with their policies, steady-state
 * verifications, stop conditions and objectives.
 *
 * <pre>{@code
 * Plan plan = Plan.builder("db-failover")
 *         .objectives(Duration.ofMinutes(15), Duration.ofMinutes(5))
 *         .step("fence", fence, s -> s.compensation(CompensationStrategy.ALWAYS))
 *         .step("restore", restore, s -> s.dependsOn("fence").timeout(Duration.ofMinutes(10)).retry(3, Duration.ofSeconds(5)))
 *         .verify("orders readable", probe, VerificationPhase.AFTER, 2)
 *         .build();
 * }</pre>
 */
public final class Plan implements RecoveryPlan {
    private final String name;
    private final String description;
    private final RecoveryObjectives objectives;
    private final List<PlannedStep> steps;
    private final Map<String, PlannedStep> byName;
    private final List<Verification> verifications;
    private final List<StopCondition> stopConditions;

    private Plan(Builder b, List<PlannedStep> ordered) {
        this.name = b.name;
        this.description = b.description;
        this.objectives = Objects.requireNonNull(b.objectives);
        this.steps = List.copyOf(ordered);
        Map<String, PlannedStep> m = new LinkedHashMap<>();
        for (PlannedStep s : ordered) {
            m.put(s.name(), s);
        }
        this.byName = m;
        this.verifications = List.copyOf(b.verifications);
        this.stopConditions = List.copyOf(b.stopConditions);
    }

    /**
     * Starts a plan.
     *
     * @param name the plan's name
     * @return a builder
     * @throws DrException {@code INVALID_ARGUMENT} for a name that {@link #nameProblem(String)} refuses
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public RecoveryObjectives objectives() {
        return objectives;
    }

    @Override
    public List<PlannedStep> steps() {
        return steps;
    }

    @Override
    public List<Verification> verifications() {
        return verifications;
    }

    /**
     * Returns the conditions that abort an execution.
     *
     * @return the stop conditions
     */
    public List<StopCondition> stopConditions() {
        return stopConditions;
    }

    /**
     * Returns one step.
     *
     * @param stepName the step's name
     * @return the step, or empty
     */
    public Optional<PlannedStep> step(String stepName) {
        return Optional.ofNullable(byName.get(stepName));
    }

    /**
     * Returns a fingerprint of the plan's shape (names and dependencies), which a resumed
     * execution checks so that it does not resume a different plan.
     *
     * @return the fingerprint
     */
    public String shape() {
        StringBuilder sb = new StringBuilder(name);
        for (PlannedStep s : steps) {
            sb.append('|').append(s.name()).append('<').append(new TreeSet<>(s.dependsOn()));
        }
        return Integer.toHexString(sb.toString().hashCode());
    }

    @Override
    public String toString() {
        return "Plan[" + name + ", " + steps.size() + " steps]";
    }

    /** The options of one step, set in {@link Builder#step(String, RecoveryStep, Consumer)}. */
    public static final class StepOptions {
        private final String step;
        private final Set<String> dependsOn = new LinkedHashSet<>();
        private Duration timeout = StepPolicy.DEFAULT_TIMEOUT;
        private int maxAttempts = 1;
        private Duration backoff = Duration.ofSeconds(1);
        private double multiplier = 2.0;
        private boolean critical = true;
        private CompensationStrategy compensation = CompensationStrategy.ON_FAILURE;
        private String owner = "";
        private @Nullable ApprovalGate approval;
        private final Set<String> set = new HashSet<>();

        private StepOptions(String step) {
            this.step = step;
        }

        private void once(String option) {
            if (!set.add(option)) {
                throw new DrException(ErrorCode.INVALID_ARGUMENT, "step " + step + ": " + option + " is set twice",
                        step + "." + option);
            }
        }

        /**
         * Names the steps that must succeed before this one.
         *
         * @param steps the steps
         * @return these options
         */
        public StepOptions dependsOn(String... steps) {
            dependsOn.addAll(Arrays.asList(steps));
            return this;
        }

        /**
         * Sets the time limit of one attempt.
         *
         * @param timeout the limit, {@code > 0}
         * @return these options
         */
        public StepOptions timeout(Duration timeout) {
            once("timeout");
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Retries a failed attempt with exponential backoff doubling from {@code backoff}.
         *
         * @param maxAttempts attempts in all, {@code >= 1}
         * @param backoff the first wait
         * @return these options
         */
        public StepOptions retry(int maxAttempts, Duration backoff) {
            return retry(maxAttempts, backoff, 2.0);
        }

        /**
         * Retries a failed attempt with exponential backoff.
         *
         * @param maxAttempts attempts in all, {@code >= 1}
         * @param backoff the first wait
         * @param multiplier how much each wait grows, {@code >= 1}
         * @return these options
         */
        public StepOptions retry(int maxAttempts, Duration backoff, double multiplier) {
            once("retry");
            this.maxAttempts = maxAttempts;
            this.backoff = Objects.requireNonNull(backoff, "backoff");
            this.multiplier = multiplier;
            return this;
        }

        /**
         * Makes the step optional: its failure is recorded but does not fail the plan.
         *
         * @return these options
         */
        public StepOptions optional() {
            once("optional");
            this.critical = false;
            return this;
        }

        /**
         * Sets when the step is undone.
         *
         * @param strategy the strategy
         * @return these options
         */
        public StepOptions compensation(CompensationStrategy strategy) {
            once("compensation");
            this.compensation = Objects.requireNonNull(strategy, "strategy");
            return this;
        }

        /**
         * Names the team or person who owns the step.
         *
         * @param owner the owner
         * @return these options
         */
        public StepOptions owner(String owner) {
            once("owner");
            this.owner = Objects.requireNonNull(owner, "owner");
            return this;
        }

        /**
         * Requires a person's approval before the step runs.
         *
         * @param gate the gate
         * @return these options
         */
        public StepOptions approval(ApprovalGate gate) {
            once("approval");
            this.approval = Objects.requireNonNull(gate, "gate");
            return this;
        }

        StepPolicy policy() {
            // durations are refused here, as people write them (0 s), before StepPolicy refuses them in ISO form
            if (timeout.isNegative() || timeout.isZero()) {
                throw new DrException(ErrorCode.INVALID_ARGUMENT, "step " + step + ": timeout must be > 0, but was "
                        + Durations.human(timeout), step + ".timeout=" + timeout);
            }
            if (backoff.isNegative()) {
                throw new DrException(ErrorCode.INVALID_ARGUMENT, "step " + step + ": backoff must be >= 0, but was "
                        + Durations.human(backoff), step + ".backoff=" + backoff);
            }
            try {
                return new StepPolicy(timeout, maxAttempts, backoff, multiplier, critical, compensation, owner, approval);
            } catch (DrException e) {
                throw new DrException(e.code(), "step " + step + ": " + e.getMessage(), step + "." + e.input(), e);
            }
        }
    }

    /**
     * Returns what is wrong with a plan's or a step's name, if anything: a name must not be
     * blank, start or end with a blank (" a " and "a" would be two steps that read the same),
     * or hold a control character such as a line break or a tab (it would break the lines of
     * a runbook, a log or a report).
     *
     * @param name the name
     * @return the problem and the name, such as {@code must not start or end with a blank, but
     *     was " a "} (control characters written as escapes), or empty
     */
    public static Optional<String> nameProblem(String name) {
        String problem = null;
        if (name.isBlank()) {
            problem = "must not be blank";
        } else if (!name.strip().equals(name)) {
            problem = "must not start or end with a blank";
        } else {
            for (int i = 0; i < name.length() && problem == null; i++) {
                char c = name.charAt(i);
                if (isControl(c)) {
                    problem = "must not hold a control character (U+" + String.format("%04X", (int) c) + ")";
                }
            }
        }
        return problem == null ? Optional.empty() : Optional.of(problem + ", but was " + quoted(name));
    }

    /** A name quoted for a message, with control characters written as escapes. */
    private static String quoted(String name) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '"', '\\' -> sb.append('\\').append(c);
                default -> {
                    if (isControl(c)) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /** A control character, or a line or paragraph separator: each breaks a line where it stands. */
    private static boolean isControl(char c) {
        return Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
    }

    /** Builds a {@link Plan}; {@link #build()} validates the DAG. */
    public static final class Builder {
        private final String name;
        private String description = "";
        private @Nullable RecoveryObjectives objectives;
        private final List<String> order = new ArrayList<>();
        private final List<PlannedStep> added = new ArrayList<>();
        private final List<Verification> verifications = new ArrayList<>();
        private final List<StopCondition> stopConditions = new ArrayList<>();

        private Builder(String name) {
            Objects.requireNonNull(name, "name");
            Optional<String> problem = nameProblem(name);
            if (problem.isPresent()) {
                throw new DrException(ErrorCode.INVALID_ARGUMENT, "name " + problem.get(), "name");
            }
            this.name = name;
        }

        /**
         * Says what the plan recovers from.
         *
         * @param description one or two sentences
         * @return this builder
         */
        public Builder description(String description) {
            this.description = Objects.requireNonNull(description, "description");
            return this;
        }

        /**
         * Sets the objectives.
         *
         * @param rto the recovery time objective
         * @param rpo the recovery point objective
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} for a non-positive duration or a second call
         */
        public Builder objectives(Duration rto, Duration rpo) {
            if (objectives != null) {
                throw new DrException(ErrorCode.INVALID_ARGUMENT, "plan " + name + ": objectives are set twice",
                        "objectives");
            }
            this.objectives = RecoveryObjectives.of(rto, rpo);
            return this;
        }

        /**
         * Adds a step with the default policy and no dependencies.
         *
         * @param stepName the step's name, unique in the plan
         * @param step the action
         * @return this builder
         */
        public Builder step(String stepName, RecoveryStep step) {
            return step(stepName, step, o -> {
            });
        }

        /**
         * Adds a step.
         *
         * @param stepName the step's name, unique in the plan
         * @param step the action
         * @param options sets dependencies, timeout, retries, criticality, compensation, owner, approval
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} for an invalid option, or for a name
         *     that {@link Plan#nameProblem(String)} refuses, naming the step's index
         */
        public Builder step(String stepName, RecoveryStep step, Consumer<StepOptions> options) {
            Objects.requireNonNull(stepName, "stepName");
            Objects.requireNonNull(step, () -> "step " + stepName + ": the RecoveryStep is null");
            Objects.requireNonNull(options, () -> "step " + stepName + ": the options are null");
            Optional<String> problem = nameProblem(stepName);
            if (problem.isPresent()) {
                String field = "steps[" + added.size() + "].name";
                throw new DrException(ErrorCode.INVALID_ARGUMENT, "plan " + name + ": " + field + " " + problem.get(),
                        field);
            }
            StepOptions o = new StepOptions(stepName);
            options.accept(o);
            added.add(new PlannedStep(stepName, o.dependsOn, step, o.policy()));
            order.add(stepName);
            return this;
        }

        /**
         * Adds a steady-state verification.
         *
         * @param verificationName its name
         * @param probe the check
         * @param phase when it runs
         * @param toleratedFailures how many DOWN answers it tolerates
         * @return this builder
         */
        public Builder verify(String verificationName, HealthProbe probe, VerificationPhase phase,
                int toleratedFailures) {
            verifications.add(new Verification(verificationName, probe, phase, toleratedFailures));
            return this;
        }

        /**
         * Adds a condition that aborts the execution.
         *
         * @param condition the condition
         * @return this builder
         */
        public Builder stopWhen(StopCondition condition) {
            stopConditions.add(Objects.requireNonNull(condition, "condition"));
            return this;
        }

        /**
         * Validates and builds the plan.
         *
         * @return the plan
         * @throws DrException {@code INVALID_ARGUMENT} naming, in this order, a plan without
         *     steps, duplicate steps, unknown dependencies, the steps of a cycle, or missing
         *     objectives (they are required: the executor measures the RTO and RPO against them)
         */
        public Plan build() {
            if (added.isEmpty()) {
                throw new DrException(ErrorCode.INVALID_ARGUMENT, "plan " + name + " has no steps", "steps");
            }
            Map<String, PlannedStep> byName = new LinkedHashMap<>();
            Set<String> duplicates = new TreeSet<>();
            for (PlannedStep s : added) {
                if (byName.putIfAbsent(s.name(), s) != null) {
                    duplicates.add(s.name());
                }
            }
            if (!duplicates.isEmpty()) {
                throw new DrException(ErrorCode.INVALID_ARGUMENT, "plan " + name + " has duplicate step names: "
                        + String.join(", ", duplicates), String.join(",", duplicates));
            }
            List<String> unknown = new ArrayList<>();
            for (PlannedStep s : added) {
                for (String d : new TreeSet<>(s.dependsOn())) {
                    if (!byName.containsKey(d)) {
                        unknown.add(s.name() + " -> " + d);
                    }
                }
            }
            if (!unknown.isEmpty()) {
                throw new DrException(ErrorCode.INVALID_ARGUMENT, "plan " + name
                        + " has dependencies on unknown steps: " + String.join(", ", unknown),
                        String.join(",", unknown));
            }
            List<String> cycle = findCycle(byName);
            if (!cycle.isEmpty()) {
                throw new DrException(ErrorCode.INVALID_ARGUMENT, "plan " + name + " has a dependency cycle: "
                        + String.join(" -> ", cycle), String.join(",", cycle));
            }
            if (objectives == null) {
                throw new DrException(ErrorCode.INVALID_ARGUMENT, "plan " + name
                        + " has no objectives: call objectives(rto, rpo)", "objectives");
            }
            return new Plan(this, topological(byName));
        }

        /** Kahn's algorithm, stable in the order steps were added. */
        private List<PlannedStep> topological(Map<String, PlannedStep> byName) {
            Map<String, Integer> indegree = new HashMap<>();
            for (PlannedStep s : byName.values()) {
                indegree.put(s.name(), s.dependsOn().size());
            }
            List<PlannedStep> out = new ArrayList<>();
            Set<String> done = new LinkedHashSet<>();
            while (out.size() < byName.size()) {
                for (String n : order) {
                    PlannedStep s = byName.get(n);
                    if (!done.contains(n) && done.containsAll(s.dependsOn())) {
                        done.add(n);
                        out.add(s);
                        break;
                    }
                }
            }
            return out;
        }

        /** Depth-first search; returns the names of one cycle, first name repeated at the end. */
        private List<String> findCycle(Map<String, PlannedStep> byName) {
            Map<String, Integer> color = new HashMap<>();
            for (String start : order) {
                if (color.getOrDefault(start, 0) != 0) {
                    continue;
                }
                Deque<String> path = new ArrayDeque<>();
                List<String> c = dfs(start, byName, color, path);
                if (!c.isEmpty()) {
                    return c;
                }
            }
            return List.of();
        }

        private List<String> dfs(String n, Map<String, PlannedStep> byName, Map<String, Integer> color,
                Deque<String> path) {
            color.put(n, 1);
            path.addLast(n);
            for (String d : new TreeSet<>(byName.get(n).dependsOn())) {
                int c = color.getOrDefault(d, 0);
                if (c == 1) {
                    List<String> p = new ArrayList<>(path);
                    List<String> cycle = new ArrayList<>(p.subList(p.indexOf(d), p.size()));
                    cycle.add(d);
                    return cycle;
                }
                if (c == 0) {
                    List<String> found = dfs(d, byName, color, path);
                    if (!found.isEmpty()) {
                        return found;
                    }
                }
            }
            path.removeLast();
            color.put(n, 2);
            return List.of();
        }
    }
}
