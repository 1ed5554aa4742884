package dev.drkit.core.audit;

import dev.drkit.api.DrException;
import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.audit.AuditSink;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.audit.internal.AuditLogs;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * An append-only, hash-chained audit log: each {@link AuditEvent} becomes an
 * {@link AuditRecord} with the next sequence number and the hash of the record before it, so
 * that {@link AuditVerifier} names the first record that was altered, deleted or reordered.
 * Every {@link AuditLogConfig#digestEvery()} records (and on close) the log writes a digest
 * record and hands its {@link AuditDigest} to the listeners: kept elsewhere, it reveals a tail
 * cut off the log.
 *
 * <p>Thread-safe: appends from several threads are stored in one total order.
 *
 * <pre>{@code
 * try (AuditLog log = AuditLog.file(Path.of("audit.jsonl"))) {
 *     log.append(new AuditEvent(now, "alice", "restore", "snap-1", AuditOutcome.SUCCESS, Map.of()));
 * }
 * }</pre>
 */
public interface AuditLog extends AuditSink, AutoCloseable {

    /**
     * Opens a file log with the default configuration ({@link AuditDurability#FLUSH_EACH}).
     *
     * @param file the file; created when missing, continued when present
     * @return the log
     * @throws DrException {@code IO_FAILURE} when the file cannot be opened; {@code INTEGRITY}
     *     when its last record cannot be read, or is keyed (this log is unkeyed); {@code LOCKED}
     *     when another writer has it open
     */
    static AuditLog file(Path file) {
        return file(file, AuditLogConfig.DEFAULT);
    }

    /**
     * Opens a file log. A last line torn by a crash (no newline) is cut off, a warning logged,
     * and a {@link AuditRecord#REPAIR_ACTION} record appended at once, before any new record,
     * naming how many bytes were cut at which offset and the record they followed: the
     * recovery keeps the log writable and the cut stays visible to {@link AuditVerifier} and
     * to anyone listing the log.
     *
     * <p>One writer per file: the log is opened for appending and holds an exclusive OS lock on
     * {@code <file>.lock} beside it until {@link #close()}, so a second writer, in another process
     * (another instance of the service given the same file) or in this one, is refused with
     * {@code LOCKED} naming the file: each instance needs its own file. Readers,
     * {@link #records}, {@link #verify} and {@link AuditVerifier} take no lock and work while the
     * writer holds it. The OS releases the lock of a process that dies, so a writer restarted
     * after a crash opens the file again; the lock file stays, empty, and is not part of the log.
     *
     * <p>An existing log is continued only when its last record was written with the
     * configuration's {@link AuditLogConfig#hmacKey() key}, or without a key when the
     * configuration has none: records appended under another key (or none) would break the chain
     * where they start, and {@link AuditVerifier} would report them as altered. Such a log is
     * refused, left as it was, naming the file and the mismatch (never the key).
     *
     * @param file the file; created when missing, continued when present
     * @param config the configuration
     * @return the log
     * @throws DrException {@code IO_FAILURE} when the file cannot be opened; {@code INTEGRITY}
     *     when its last record cannot be read, or was written with another key than the
     *     configuration's, with a key while the configuration has none, or without one while it
     *     has one; {@code LOCKED} when another writer has it open
     */
    static AuditLog file(Path file, AuditLogConfig config) {
        return AuditLogs.file(file, config);
    }

    /**
     * Opens a file log to read while its writer (another process, such as the service that
     * keeps it) goes on writing: it takes no lock, {@link #records} and {@link #verify} read the
     * file as it is, and {@link #record} and {@link #digest} are refused with
     * {@code ILLEGAL_STATE}. A missing file reads as an empty log.
     *
     * @param file the file
     * @param config the configuration, whose key verifies the records
     * @return the log
     * @throws DrException {@code IO_FAILURE} when the file cannot be read
     */
    static AuditLog fileToRead(Path file, AuditLogConfig config) {
        return AuditLogs.fileToRead(file, config);
    }

    /**
     * Opens a log kept in a store as segment objects {@code <prefix>/<first seq>.jsonl}, each
     * written once with a conditional create. Records are buffered until a segment is full or
     * {@link #flush()} or {@link #close()} is called; a crash loses the unflushed records.
     *
     * <p>Writers may take turns on one log, such as the holders of a writer lease one after
     * another, each opening the log when its turn starts (through a fenced store, a holder whose
     * turn has passed is refused): when a segment's key was taken by another writer since this
     * log last read the store, its records are renumbered after that writer's last record and
     * written again, so the chain stays one chain and no record is lost or written twice. The
     * record {@link #record(AuditEvent)} returned then carries its sequence number before the
     * renumbering; the stored one is final once its segment is written.
     *
     * <p>The store's location (a file store's directory) is created here when it is missing;
     * once open, a location that disappears fails the log's writes.
     *
     * @param store the store
     * @param prefix the key prefix, such as {@code audit}
     * @param config the configuration
     * @return the log
     * @throws DrException {@code INTEGRITY} when the last segment cannot be read, or its last record
     *     was not written with the configuration's key (another key, a key while the
     *     configuration has none, or none while it has one); a store failure otherwise
     */
    static AuditLog store(SnapshotStore store, String prefix, AuditLogConfig config) {
        return AuditLogs.store(store, prefix, config);
    }

    /**
     * Appends an event.
     *
     * @param event the event
     * @throws DrException {@code IO_FAILURE} when it cannot be written; {@code ILLEGAL_STATE} after close
     */
    @Override
    default void append(AuditEvent event) {
        record(event);
    }

    /**
     * Appends an event and returns the record it became.
     *
     * @param event the event
     * @return the record; in a {@linkplain #store(SnapshotStore, String, AuditLogConfig) store
     *     log} that writers take turns on, its sequence number and hashes are final once its
     *     segment is written (a segment another writer got first is renumbered)
     * @throws DrException {@code IO_FAILURE} when it cannot be written; {@code ILLEGAL_STATE} after close
     */
    AuditRecord record(AuditEvent event);

    /**
     * Writes a digest record now and returns its digest.
     *
     * @return the digest to keep elsewhere
     * @throws DrException {@code IO_FAILURE} when it cannot be written; {@code ILLEGAL_STATE} after close
     */
    AuditDigest digest();

    /**
     * Registers a listener for every digest record the log writes.
     *
     * @param listener called on the appending thread with the digest
     */
    void onDigest(Consumer<AuditDigest> listener);

    /**
     * Returns the digest of the last record written.
     *
     * @return the head, or empty for an empty log
     */
    Optional<AuditDigest> head();

    /**
     * Reads the stored records that match a filter, oldest first, after flushing.
     *
     * @param filter which records
     * @return the records
     * @throws DrException {@code IO_FAILURE} when the log cannot be read; {@code INTEGRITY} for a malformed record
     */
    List<AuditRecord> records(AuditFilter filter);

    /**
     * Verifies the stored chain, after flushing.
     *
     * @return the verification
     * @throws DrException {@code IO_FAILURE} when the log cannot be read
     */
    AuditVerification verify();

    /**
     * Makes every appended record durable as the configuration says: forced to disk for a file
     * log, written as a segment for a store log.
     *
     * @throws DrException {@code IO_FAILURE} when it cannot
     */
    void flush();

    /**
     * Writes a final digest when records followed the last one, flushes and closes; closing
     * twice has no further effect.
     *
     * @throws DrException {@code IO_FAILURE} when the last records cannot be written
     */
    @Override
    void close();
}
