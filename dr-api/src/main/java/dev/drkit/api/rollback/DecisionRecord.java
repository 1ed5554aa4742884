package dev.drkit.api.rollback;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * Why a guard did what it did: one record per decision (a rollback, a promotion, a step, a
 * freeze, an operator's action), with the same details its audit event carries.
 *
 * <p>The details name the signal that decided ({@code signal}: {@code sequentialTest},
 * {@code circuitOpen}, {@code consecutiveFailures}, {@code latency}, {@code probe},
 * {@code alert}, {@code operator}, ...), the statistic and its thresholds, the calls and
 * failures of each version, the candidate calls and the time the rollout took
 * ({@code callsTaken}, {@code timeTaken}) and the version of the guard's configuration
 * ({@code configVersion}) that was in force.
 *
 * @param at when the decision took effect
 * @param guard the guard's name
 * @param action what was done, as in the audit log ({@code rollback.automatic}, {@code rollout.promote}, ...)
 * @param actor who decided: {@code system} or the operator
 * @param signal the signal that decided, as in the details
 * @param details the named figures, as in the audit event
 */
public record DecisionRecord(Instant at, String guard, String action, String actor, String signal,
        Map<String, String> details) {
    /** Checks the fields and copies the details. */
    public DecisionRecord {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(guard, "guard");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(signal, "signal");
        details = Map.copyOf(Objects.requireNonNull(details, "details"));
    }
}
