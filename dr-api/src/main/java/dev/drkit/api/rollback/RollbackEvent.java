package dev.drkit.api.rollback;

import java.time.Instant;
import java.util.Objects;

/**
 * A rollback that happened: which guard, how, why, on whose word, and with what evidence.
 *
 * @param guard the guard's name
 * @param mode how the rollback was carried out
 * @param triggerKind where the request came from
 * @param trigger the name of the judge, probe, alert, condition or trigger that asked
 * @param actor who asked: {@code "system"} for automatic rollbacks, else the operator
 * @param reason one sentence for a person
 * @param verdict the verdict with its evidence
 * @param fromVersion the version rolled back from
 * @param toVersion the version rolled back to
 * @param at when the switch happened
 */
public record RollbackEvent(String guard, RollbackMode mode, TriggerKind triggerKind, String trigger,
        String actor, String reason, Verdict verdict, String fromVersion, String toVersion, Instant at) {
    /** Checks that no field is null. */
    public RollbackEvent {
        Objects.requireNonNull(guard, "guard");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(triggerKind, "triggerKind");
        Objects.requireNonNull(trigger, "trigger");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(fromVersion, "fromVersion");
        Objects.requireNonNull(toVersion, "toVersion");
        Objects.requireNonNull(at, "at");
    }
}
