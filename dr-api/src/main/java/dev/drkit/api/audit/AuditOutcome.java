package dev.drkit.api.audit;

/** How an audited action ended. */
public enum AuditOutcome {
    /** The action began; a later record tells how it ended. */
    STARTED,
    /** The action succeeded. */
    SUCCESS,
    /** The action failed. */
    FAILURE,
    /** The action was refused: not authorized, invalid, or blocked by a lock. */
    DENIED
}
