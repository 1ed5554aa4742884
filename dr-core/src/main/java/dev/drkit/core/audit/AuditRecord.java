package dev.drkit.core.audit;

import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.audit.AuditOutcome;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One stored audit record: an {@link AuditEvent} with its place in the chain.
 *
 * @param seq the sequence number, starting at 1 and without gaps
 * @param time when the action happened
 * @param actor who did it
 * @param action the dotted lowercase verb
 * @param target what it acted on
 * @param outcome how it ended
 * @param details further named values
 * @param prevHash the hash of the previous record, or 64 zeros for the first
 * @param hash this record's hash, over its fields and {@code prevHash}
 */
public record AuditRecord(long seq, Instant time, String actor, String action, String target, AuditOutcome outcome,
        Map<String, String> details, String prevHash, String hash) {

    /** The action of the digest records that the log writes by itself. */
    public static final String DIGEST_ACTION = "audit.digest";

    /**
     * The action of the record a file log writes when, on opening, it cut off a torn last
     * record (as a crash mid-write leaves); its details name {@code cutBytes}, the
     * {@code offset} they started at, and the {@code afterSeq} and {@code afterHash} of the
     * record they followed.
     */
    public static final String REPAIR_ACTION = "audit.repaired";

    /** Checks the fields and copies the details. */
    public AuditRecord {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(prevHash, "prevHash");
        Objects.requireNonNull(hash, "hash");
        details = Map.copyOf(details);
    }

    /**
     * Returns the event this record stores.
     *
     * @return the event
     */
    public AuditEvent event() {
        return new AuditEvent(time, actor, action, target, outcome, details);
    }

    /**
     * Returns whether this is a digest record written by the log itself.
     *
     * @return true for a digest
     */
    public boolean isDigest() {
        return DIGEST_ACTION.equals(action);
    }

    /**
     * Returns the digest that names this record, to keep elsewhere.
     *
     * @return the digest
     */
    public AuditDigest digest() {
        return new AuditDigest(seq, hash);
    }
}
