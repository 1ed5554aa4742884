package dev.drkit.api.audit;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One action for the audit trail: who did what to which target, and how it ended. The audit
 * log adds the sequence number and the hash chain when it appends the event.
 *
 * @param time when the action happened
 * @param actor who did it: an operator's name, {@code system}, or a component
 * @param action a dotted lowercase verb such as {@code rollback.automatic}, {@code backup},
 *     {@code restore}, {@code plan.step}
 * @param target what it acted on: a guard, a snapshot id, a plan and step
 * @param outcome how it ended
 * @param details further named values, such as the evidence of a rollback
 */
public record AuditEvent(Instant time, String actor, String action, String target, AuditOutcome outcome,
        Map<String, String> details) {
    /** Checks the fields and copies the details so that the event is immutable. */
    public AuditEvent {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(outcome, "outcome");
        details = Map.copyOf(Objects.requireNonNull(details, "details"));
    }
}
