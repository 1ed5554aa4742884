package dev.drkit.api.audit;

import dev.drkit.api.DrException;

/**
 * Where audit events go: a hash-chained file, a {@code SnapshotStore}, or anything a user
 * writes.
 *
 * <p>Implementations are thread-safe; events appended from several threads are stored in
 * one total order.
 */
@FunctionalInterface
public interface AuditSink {

    /**
     * Appends an event.
     *
     * @param event the event
     * @throws DrException {@code IO_FAILURE} when the event cannot be stored; the action it
     *     records has still happened, so callers log and go on
     */
    void append(AuditEvent event);
}
