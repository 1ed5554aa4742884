package dev.drkit.core.audit;

/** How hard a file audit log works to keep each record when the machine fails. */
public enum AuditDurability {
    /**
     * The default: each record is written to the operating system as it is appended, so it
     * survives a crash of the process; the file is forced to disk every
     * {@link AuditLogConfig#fsyncEvery()} records and on close.
     */
    FLUSH_EACH,
    /** Each record is forced to disk before {@code append} returns: survives power loss, slowest. */
    FSYNC_EACH
}
