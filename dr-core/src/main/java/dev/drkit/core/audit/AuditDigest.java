package dev.drkit.core.audit;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import java.util.Objects;

/**
 * The head of an audit chain at one moment: a sequence number and that record's hash. Kept
 * outside the log (another store, a ticket, a metric), it lets {@link AuditVerifier} detect a
 * log whose tail was cut off.
 *
 * @param seq the sequence number of the record
 * @param hash its hash, 64 lowercase hex digits
 */
public record AuditDigest(long seq, String hash) {
    /**
     * Validates the fields.
     *
     * @throws DrException {@code INVALID_ARGUMENT} for a sequence number below 1 or a malformed hash
     */
    public AuditDigest {
        Objects.requireNonNull(hash, "hash");
        if (seq < 1) {
            throw DrException.invalidArgument("seq", "must be >= 1", seq);
        }
        if (!hash.matches("[0-9a-f]{64}")) {
            throw DrException.invalidArgument("hash", "must be 64 lowercase hex digits", hash);
        }
    }

    /**
     * Parses the text form {@code SEQ:HASH}.
     *
     * @param text the text
     * @return the digest
     * @throws DrException {@code INVALID_ARGUMENT} when the text is not of that form
     */
    public static AuditDigest parse(String text) {
        int colon = text.indexOf(':');
        if (colon < 1) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT,
                    "digest must be SEQ:HASH, but was " + text, "digest=" + text);
        }
        long seq;
        try {
            seq = Long.parseLong(text.substring(0, colon));
        } catch (NumberFormatException e) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT,
                    "digest must be SEQ:HASH, but was " + text, "digest=" + text, e);
        }
        return new AuditDigest(seq, text.substring(colon + 1));
    }

    @Override
    public String toString() {
        return seq + ":" + hash;
    }
}
