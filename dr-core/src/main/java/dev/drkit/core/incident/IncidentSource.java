package dev.drkit.core.incident;

/** What opened an incident. */
public enum IncidentSource {
    /** A guard rolled a release back. */
    ROLLBACK,
    /** A health probe answered DOWN. */
    PROBE,
    /** A monitoring alert fired, such as an Alertmanager webhook. */
    ALERT,
    /** A person opened it. */
    OPERATOR
}
