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
 */
public record Classification(Severity severity, FaultType faultType, String rule) {
    /** Checks that no field is null. */
    public Classification {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(faultType, "faultType");
        Objects.requireNonNull(rule, "rule");
    }
}
