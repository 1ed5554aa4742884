package dev.drkit.core.audit.internal;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.audit.AuditDigest;
import dev.drkit.core.audit.AuditLog;
import dev.drkit.core.audit.AuditLogConfig;
import dev.drkit.core.audit.AuditRecord;
import dev.drkit.core.audit.AuditVerification;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The one way from {@link AuditLog} and {@code AuditVerifier} into the implementation: opens
 * the file and store logs and runs the chain checks, so that the types behind it stay
 * package-private. Not API.
 */
public final class AuditLogs {
    private AuditLogs() {
    }

    /**
     * Opens a file log.
     *
     * @param file the file
     * @param config the configuration
     * @return the log
     */
    public static AuditLog file(Path file, AuditLogConfig config) {
        return FileAuditLog.open(file, config);
    }

    /**
     * Opens a file log to read, beside its writer.
     *
     * @param file the file
     * @param config the configuration
     * @return the log, which appends nothing
     */
    public static AuditLog fileToRead(Path file, AuditLogConfig config) {
        return FileAuditLog.openToRead(file, config);
    }

    /**
     * Opens a log kept in a store.
     *
     * @param store the store
     * @param prefix the key prefix
     * @param config the configuration
     * @return the log
     */
    public static AuditLog store(SnapshotStore store, String prefix, AuditLogConfig config) {
        store.createLocationIfMissing(); // a log's first use makes a file store's directory
        return StoreAuditLog.open(store, prefix, config);
    }

    /**
     * Checks the chain of a log read as JSON lines.
     *
     * @param lines the log's text
     * @param hmacKey the chain key, or null
     * @param expected a digest the log must still contain, or null
     * @return the verification
     * @throws IOException when reading fails
     */
    public static AuditVerification verify(Reader lines, byte @Nullable [] hmacKey, @Nullable AuditDigest expected)
            throws IOException {
        ChainVerifier v = new ChainVerifier(hmacKey, null);
        v.expect(expected);
        ChainVerifier.readLines(lines, v);
        return v.finish();
    }

    /**
     * Checks the chain of a log kept in a store.
     *
     * @param store the store
     * @param prefix the log's key prefix
     * @param hmacKey the chain key, or null
     * @param expected a digest the log must still contain, or null
     * @return the verification
     */
    public static AuditVerification verify(SnapshotStore store, String prefix, byte @Nullable [] hmacKey,
            @Nullable AuditDigest expected) {
        return StoreAuditLog.confirmed(() -> {
            ChainVerifier v = new ChainVerifier(hmacKey, null);
            v.expect(expected);
            StoreAuditLog.feed(store, prefix, v);
            return v.finish();
        });
    }

    /**
     * Parses the records of a log without checking the chain, handing each to a sink.
     *
     * @param lines the log's text
     * @param sink receives each record, oldest first
     * @return the verification, which fails only for a malformed line
     * @throws IOException when reading fails
     */
    public static AuditVerification parse(Reader lines, Consumer<AuditRecord> sink) throws IOException {
        ChainVerifier v = new ChainVerifier(null, sink);
        v.parseOnly();
        ChainVerifier.readLines(lines, v);
        return v.finish();
    }
}
