package dev.drkit.api.incident;

/** Where an incident stands. */
public enum IncidentStatus {
    /** Opened and not yet acknowledged by a person. */
    OPEN,
    /** A person has taken it. */
    ACKNOWLEDGED,
    /** Recovery is complete and verified. */
    RESOLVED
}
