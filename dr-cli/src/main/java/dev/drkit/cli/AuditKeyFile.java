package dev.drkit.cli;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.core.audit.AuditLog;
import dev.drkit.core.audit.AuditLogConfig;
import dev.drkit.core.audit.AuditVerification;
import dev.drkit.core.audit.AuditVerifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * The {@code --key-file} of the commands that read or write an audit log: reads the HMAC key
 * and opens a file log, for appending or for reading, only when the key matches the records
 * already in it.
 */
final class AuditKeyFile {

    /** The option every command names the key file with. */
    static final String OPTION = "--key-file";

    private AuditKeyFile() {
    }

    /**
     * Reads the key in a key file.
     *
     * @param keyFile the file, or null for an unkeyed log
     * @return the key, or null when no file was given
     * @throws DrException {@code INVALID_ARGUMENT} (exit 2) naming {@code --key-file} when the
     *     file is missing, empty or unreadable
     */
    static byte @Nullable [] read(@Nullable Path keyFile) {
        if (keyFile == null) {
            return null;
        }
        byte[] key;
        try {
            key = Files.readAllBytes(keyFile);
        } catch (NoSuchFileException e) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, OPTION + " " + keyFile + " does not exist",
                    keyFile.toString(), e);
        } catch (IOException e) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "cannot read " + OPTION + " " + keyFile + ": "
                    + IoReasons.of(e), keyFile.toString(), e);
        }
        if (key.length == 0) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, OPTION + " " + keyFile + " is empty: an HMAC key"
                    + " needs at least one byte", keyFile.toString());
        }
        return key;
    }

    /**
     * Opens a file log to append to, keyed with the key in a key file. A log whose records were
     * written without that key (unkeyed, with another key, or keyed when no key is given) is
     * refused before anything is appended, since records appended to it would break its chain.
     *
     * @param file the audit log file; created when missing
     * @param keyFile the key file, or null for an unkeyed log
     * @return the open log
     * @throws DrException {@code INVALID_ARGUMENT} (exit 2) for a bad key file; {@code INTEGRITY}
     *     (exit 3) naming the file and {@code --key-file} when the key does not match the log; the
     *     errors of {@link AuditLog#file(Path, AuditLogConfig)}
     */
    static AuditLog openForAppend(Path file, @Nullable Path keyFile) {
        return open(file, keyFile, false);
    }

    /**
     * Opens a file log for a command that only reads it, keyed with the key in a key file. A log
     * whose records were written without that key is refused, saying that it cannot be verified
     * or read without its key.
     *
     * @param file the audit log file; created when missing
     * @param keyFile the key file, or null for an unkeyed log
     * @return the open log
     * @throws DrException {@code INVALID_ARGUMENT} (exit 2) for a bad key file; {@code INTEGRITY}
     *     (exit 3) naming the file and {@code --key-file} when the key does not match the log; the
     *     errors of {@link AuditLog#file(Path, AuditLogConfig)}
     */
    static AuditLog openToRead(Path file, @Nullable Path keyFile) {
        return open(file, keyFile, true);
    }

    private static AuditLog open(Path file, @Nullable Path keyFile, boolean readOnly) {
        byte @Nullable [] key = read(keyFile);
        if (Files.exists(file)) {
            AuditVerification v = AuditVerifier.verify(file, key, null);
            if (v.keyMismatch() && readOnly) {
                throw new DrException(ErrorCode.INTEGRITY, "cannot verify or read audit log " + file + " "
                        + (keyFile == null ? "without its key: it is keyed and no " + OPTION
                                + " was given; give its key with " + OPTION
                                : "with the key in " + OPTION + " " + keyFile + ": its records were not written with it")
                        + " (" + v.problem() + ")", file.toString());
            }
            if (v.keyMismatch()) {
                throw new DrException(ErrorCode.INTEGRITY, "refusing to append to audit log " + file + ": "
                        + (keyFile == null ? "it is keyed and no " + OPTION + " was given"
                                : "its records were not written with the key in " + OPTION + " " + keyFile)
                        + " (" + v.problem() + "); nothing was appended", file.toString());
            }
        }
        AuditLogConfig.Builder config = AuditLogConfig.builder();
        if (key != null) {
            config.hmacKey(key);
        }
        return readOnly ? AuditLog.fileToRead(file, config.build()) : AuditLog.file(file, config.build());
    }
}
