package dev.drkit.api.recovery;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A recovery plan: a named DAG of steps with verifications and objectives. Plans are built
 * and validated by {@code dr-core}'s plan builder (cycles, unknown dependencies and
 * duplicate names are refused there) and are immutable.
 */
public interface RecoveryPlan {

    /**
     * Returns the plan's name.
     *
     * @return the name
     */
    String name();

    /**
     * Returns what the plan recovers from, for runbooks.
     *
     * @return a short description
     */
    String description();

    /**
     * Returns the objectives the plan's executions are measured against.
     *
     * @return the objectives
     */
    RecoveryObjectives objectives();

    /**
     * Returns the steps in a topological order (each after the steps it depends on).
     *
     * @return the steps
     */
    List<PlannedStep> steps();

    /**
     * Returns the plan's steady-state verifications.
     *
     * @return the verifications
     */
    List<Verification> verifications();

    /**
     * A step of a plan with its place in the DAG and how it is run.
     *
     * @param name the step's name, unique within the plan
     * @param dependsOn the names of the steps that must succeed first
     * @param step the action
     * @param policy timeout, retries, criticality, compensation, owner and approval
     */
    record PlannedStep(String name, Set<String> dependsOn, RecoveryStep step, StepPolicy policy) {
        /** Copies the dependencies so the step is immutable. */
        public PlannedStep {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(step, "step");
            Objects.requireNonNull(policy, "policy");
            dependsOn = Set.copyOf(dependsOn);
        }
    }
}
