package dev.drkit.api.recovery;

import java.util.Optional;

/**
 * One action of a recovery plan: restore a snapshot, roll back a guard, fail over, run a
 * probe, wait, notify, or anything a user writes.
 *
 * <p>A step may run more than once (retries, a resumed execution): it uses
 * {@link StepContext#idempotencyKey()} to make its effects idempotent. In a
 * {@link ExecutionMode#DRILL} it must not change the real system: it checks its
 * preconditions and reports what it would do.
 */
@FunctionalInterface
public interface RecoveryStep {

    /**
     * Carries out the step (LIVE) or rehearses it (DRILL); the mode is in the context.
     *
     * @param context the execution's context
     * @throws Exception when the step fails; the executor retries, compensates or fails the
     *     plan as configured
     */
    void execute(StepContext context) throws Exception;

    /**
     * Undoes the step's effects after a later step failed; by default nothing to undo.
     *
     * @param context the execution's context
     * @throws Exception when compensation fails; the executor records it and goes on
     */
    default void compensate(StepContext context) throws Exception {
    }

    /**
     * Says what the step does, for runbooks and drill output.
     *
     * @return one sentence, in the imperative
     */
    default String describe() {
        return "Run " + getClass().getSimpleName();
    }

    /**
     * Says how the step is undone, for runbooks: one imperative sentence, or empty when
     * {@link #compensate(StepContext)} has nothing to undo, so that a runbook offers an undo
     * only for steps that have one. By default a step whose class overrides {@code compensate}
     * says {@code "Undo what the step did"} and any other step (a lambda, say) says nothing;
     * a step that knows what its compensation does, or whose {@code compensate} may do
     * nothing, overrides this.
     *
     * @return the sentence, or empty when the step has no compensation
     */
    default Optional<String> describeCompensation() {
        try {
            boolean overridden = getClass().getMethod("compensate", StepContext.class).getDeclaringClass()
                    != RecoveryStep.class;
            return overridden ? Optional.of("Undo what the step did") : Optional.empty();
        } catch (NoSuchMethodException e) {
            return Optional.empty();
        }
    }

    /**
     * Returns whether the step checks that recovery worked (a probe, an HTTP or command check)
     * and changes nothing; runbooks list such steps under "Verify recovery" too. False by default.
     *
     * @return true for a verification step
     */
    default boolean verifies() {
        return false;
    }
}
