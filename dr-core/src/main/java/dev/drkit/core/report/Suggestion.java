package dev.drkit.core.report;

import java.util.Objects;

/**
 * An improvement that a rule derived from what happened in an incident.
 *
 * @param rule the rule's id, such as {@code rpo-breached}
 * @param finding what happened, with figures
 * @param action what to change
 * @param owner who should do it; {@code incident owner} when no step owner applies
 */
public record Suggestion(String rule, String finding, String action, String owner) {
    /** Checks that no field is null. */
    public Suggestion {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(finding, "finding");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(owner, "owner");
    }
}
