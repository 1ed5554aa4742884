package dev.drkit.core.audit;

import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of verifying an audit log.
 *
 * @param records how many records were read and found sound
 * @param firstBadSeq the sequence number of the first record that was altered, deleted,
 *     reordered or missing from the tail, or {@code -1} when the log is intact
 * @param problem what is wrong, for a person; empty when intact
 * @param head the last sound record's digest, or {@code null} for an empty log
 * @param keyMismatch true when the very first record fails its hash or MAC, which is what a
 *     key that is not the log's looks like (a key given for an unkeyed log, none or another one
 *     for a keyed log) as much as an altered first record; {@link #problem()} says which the
 *     format lets the verifier tell
 */
public record AuditVerification(long records, long firstBadSeq, String problem, @Nullable AuditDigest head,
        boolean keyMismatch) {

    /**
     * Creates a verification whose failure, if any, is not a key mismatch.
     *
     * @param records how many records were found sound
     * @param firstBadSeq the first bad sequence number, or {@code -1}
     * @param problem what is wrong; empty when intact
     * @param head the last sound record's digest, or {@code null}
     */
    public AuditVerification(long records, long firstBadSeq, String problem, @Nullable AuditDigest head) {
        this(records, firstBadSeq, problem, head, false);
    }

    /**
     * Returns whether the log is intact.
     *
     * @return true when no problem was found
     */
    public boolean intact() {
        return firstBadSeq < 0;
    }

    /**
     * Returns the first bad sequence number.
     *
     * @return the number, or empty when intact
     */
    public OptionalLong firstBad() {
        return firstBadSeq < 0 ? OptionalLong.empty() : OptionalLong.of(firstBadSeq);
    }

    /**
     * Returns the digest of the last sound record.
     *
     * @return the digest, or empty for an empty log
     */
    public Optional<AuditDigest> headDigest() {
        return Optional.ofNullable(head);
    }
}
