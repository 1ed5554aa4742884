package dev.drkit.api.recovery;

/** Whether a recovery plan acts for real or rehearses. */
public enum ExecutionMode {
    /** Steps act on the real system. */
    LIVE,
    /** Steps rehearse: they check what they would do and say it, without changing the real system. */
    DRILL
}
