package dev.drkit.core.audit;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.audit.internal.AuditLogs;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Checks an audit log's chain: sequence numbers without gaps, each record linked to the hash
 * of the one before, each hash matching its record and, when a digest kept elsewhere is
 * given, the log still reaching that record with that hash.
 */
public final class AuditVerifier {
    private AuditVerifier() {
    }

    /**
     * Verifies a file log.
     *
     * @param file the file
     * @param hmacKey the chain key, or null for an unkeyed log
     * @param expected a digest kept elsewhere that the log must still contain, or null
     * @return the verification
     * @throws DrException {@code NOT_FOUND} when the file is missing; {@code IO_FAILURE} when it cannot be read
     */
    public static AuditVerification verify(Path file, byte @Nullable [] hmacKey, @Nullable AuditDigest expected) {
        if (!Files.exists(file)) {
            throw new DrException(ErrorCode.NOT_FOUND, "audit log " + file + " does not exist", file.toString());
        }
        try (Reader r = new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8)) {
            return verify(r, hmacKey, expected);
        } catch (IOException e) {
            throw new DrException(ErrorCode.IO_FAILURE, "cannot read audit log " + file + ": " + e.getMessage(),
                    file.toString(), e);
        }
    }

    /**
     * Verifies a log read from a reader of JSON lines.
     *
     * @param lines the log's text
     * @param hmacKey the chain key, or null
     * @param expected a digest kept elsewhere, or null
     * @return the verification
     * @throws DrException {@code IO_FAILURE} when reading fails
     */
    public static AuditVerification verify(Reader lines, byte @Nullable [] hmacKey, @Nullable AuditDigest expected) {
        try {
            return AuditLogs.verify(lines, hmacKey, expected);
        } catch (IOException e) {
            throw new DrException(ErrorCode.IO_FAILURE, "cannot read audit log: " + e.getMessage(), null, e);
        }
    }

    /**
     * Verifies a log kept in a store. A break is reported only when a second listing and
     * reading of the log finds it too: a listing taken while writers append may leave out
     * segments on some S3-compatible servers.
     *
     * @param store the store
     * @param prefix the log's key prefix
     * @param hmacKey the chain key, or null
     * @param expected a digest kept elsewhere, or null
     * @return the verification
     * @throws DrException {@code NOT_FOUND} when the store holds no record under the prefix (a
     *     store that does not exist, or a wrong prefix, must not pass as an intact empty log); a
     *     store failure otherwise
     */
    public static AuditVerification verify(SnapshotStore store, String prefix, byte @Nullable [] hmacKey,
            @Nullable AuditDigest expected) {
        AuditVerification v = AuditLogs.verify(store, prefix, hmacKey, expected);
        if (v.intact() && v.records() == 0) {
            throw new DrException(ErrorCode.NOT_FOUND, "no audit log under prefix '" + prefix + "' in " + store,
                    store + "/" + prefix);
        }
        return v;
    }

    /**
     * Reads the records of a file log that match a filter, without checking the chain.
     *
     * @param file the file
     * @param filter which records
     * @return the records, oldest first
     * @throws DrException {@code NOT_FOUND} when the file is missing; {@code INTEGRITY} for a
     *     malformed line; {@code IO_FAILURE} when it cannot be read
     */
    public static List<AuditRecord> read(Path file, AuditFilter filter) {
        if (!Files.exists(file)) {
            throw new DrException(ErrorCode.NOT_FOUND, "audit log " + file + " does not exist", file.toString());
        }
        List<AuditRecord> out = new ArrayList<>();
        AuditVerification result;
        try (Reader r = new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8)) {
            result = AuditLogs.parse(r, record -> {
                if (filter.test(record)) {
                    out.add(record);
                }
            });
        } catch (IOException e) {
            throw new DrException(ErrorCode.IO_FAILURE, "cannot read audit log " + file + ": " + e.getMessage(),
                    file.toString(), e);
        }
        if (!result.intact()) {
            throw new DrException(ErrorCode.INTEGRITY, "audit log " + file + ": " + result.problem(), file.toString());
        }
        return out;
    }
}
