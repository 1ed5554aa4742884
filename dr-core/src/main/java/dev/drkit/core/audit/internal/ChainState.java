package dev.drkit.core.audit.internal;

import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.core.audit.AuditDigest;
import dev.drkit.core.audit.AuditRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/** The head of a chain being written and the digest bookkeeping; guarded by the owning log's lock. */
final class ChainState {
    final AuditLines lines;
    final int digestEvery;
    long seq;
    String head = AuditLines.GENESIS;
    int sinceDigest;
    java.time.@Nullable Instant lastTime;
    final List<Consumer<AuditDigest>> digestListeners = new CopyOnWriteArrayList<>();

    ChainState(byte @Nullable [] key, int digestEvery) {
        this.lines = new AuditLines(key);
        this.digestEvery = digestEvery;
    }

    /**
     * Continues after a record, or from the start when there is none; the records counted
     * toward the next digest start again from zero.
     */
    void resumeAfter(@Nullable AuditRecord last) {
        seq = last == null ? 0 : last.seq();
        head = last == null ? AuditLines.GENESIS : last.hash();
        lastTime = last == null ? null : last.time();
        sinceDigest = 0;
    }

    AuditLines.Encoded next(AuditEvent e) {
        AuditLines.Encoded enc = lines.encode(seq + 1, e, head);
        seq++;
        head = enc.record().hash();
        lastTime = e.time();
        if (enc.record().isDigest()) {
            sinceDigest = 0;
        } else {
            sinceDigest++;
        }
        return enc;
    }

    boolean digestDue() {
        return sinceDigest >= digestEvery;
    }

    AuditEvent digestEvent(Instant time) {
        return new AuditEvent(time, "audit", AuditRecord.DIGEST_ACTION, "audit-log", AuditOutcome.SUCCESS,
                Map.of("covers", Long.toString(seq), "head", head));
    }

    /** The record a writer appends after cutting off a torn tail: how much was cut, where, and what it followed. */
    static AuditEvent repairEvent(Instant time, long cutBytes, long offset, @Nullable AuditRecord after) {
        return new AuditEvent(time, "audit", AuditRecord.REPAIR_ACTION, "audit-log", AuditOutcome.SUCCESS,
                Map.of("cutBytes", Long.toString(cutBytes), "offset", Long.toString(offset),
                        "afterSeq", Long.toString(after == null ? 0 : after.seq()),
                        "afterHash", after == null ? AuditLines.GENESIS : after.hash(),
                        "reason", "the log ended in a torn record (no newline), as after a crash mid-write;"
                                + " the torn bytes were cut off"));
    }

    void published(AuditRecord digest) {
        for (Consumer<AuditDigest> l : digestListeners) {
            l.accept(digest.digest());
        }
    }
}
