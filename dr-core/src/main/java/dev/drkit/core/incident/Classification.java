package dev.drkit.core.incident;

import dev.drkit.api.incident.FaultType;
import dev.drkit.api.incident.Severity;
import java.util.Objects;

/**
 * The severity and fault type that a rule gives an incident.
 *
 * @param severity SEV1..SEV4
 * @param faultType the class of fault
 * @param rule the rule's name, recorded in the timeline
 * @param reason why the rule chose the fault type, such as the words that decided it, recorded
 *     in the timeline and the audit record; empty when the rule says nothing more
 */
public record Classification(Severity severity, FaultType faultType, String rule, String reason) {
    /** Checks that no field is null. */
    public Classification {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(faultType, "faultType");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(reason, "reason");
    }

    /**
     * Creates a classification with no reason beyond the rule's name.
     *
     * @param severity SEV1..SEV4
     * @param faultType the class of fault
     * @param rule the rule's name, recorded in the timeline
     */
    public Classification(Severity severity, FaultType faultType, String rule) {
        this(severity, faultType, rule, "");
    }
}
