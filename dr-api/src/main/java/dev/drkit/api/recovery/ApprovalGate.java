package dev.drkit.api.recovery;

import dev.drkit.api.DrException;
import java.time.Duration;
import java.util.Objects;

/**
 * A manual approval that a step waits for before it runs: a person approves or rejects it
 * through the execution, with their name and a comment. Unanswered, it escalates after
 * {@code escalateAfter} and fails the step after {@code timeout}.
 *
 * @param approvers who is asked, such as a role or a rota ({@code dba-oncall})
 * @param escalateAfter how long to wait before escalating
 * @param escalateTo who is asked next, such as {@code incident-commander}
 * @param timeout how long to wait in all before the step fails
 */
public record ApprovalGate(String approvers, Duration escalateAfter, String escalateTo, Duration timeout) {
    /**
     * Validates the gate.
     *
     * @throws DrException {@code INVALID_ARGUMENT} for a blank approver, a non-positive duration
     *     or an escalation that comes after the timeout
     */
    public ApprovalGate {
        Objects.requireNonNull(approvers, "approvers");
        Objects.requireNonNull(escalateAfter, "escalateAfter");
        Objects.requireNonNull(escalateTo, "escalateTo");
        Objects.requireNonNull(timeout, "timeout");
        if (approvers.isBlank()) {
            throw DrException.invalidArgument("approvers", "must not be blank", "\"" + approvers + "\"");
        }
        if (escalateAfter.isNegative() || escalateAfter.isZero()) {
            throw DrException.invalidArgument("escalateAfter", "must be > 0", escalateAfter);
        }
        if (timeout.compareTo(escalateAfter) <= 0) {
            throw DrException.invalidArgument("timeout", "must be > escalateAfter (" + escalateAfter + ")", timeout);
        }
    }

    /**
     * Returns a gate.
     *
     * @param approvers who is asked
     * @param escalateAfter when to escalate
     * @param escalateTo who is asked next
     * @param timeout when the step fails
     * @return the gate
     * @throws DrException {@code INVALID_ARGUMENT} as the constructor
     */
    public static ApprovalGate of(String approvers, Duration escalateAfter, String escalateTo, Duration timeout) {
        return new ApprovalGate(approvers, escalateAfter, escalateTo, timeout);
    }
}
