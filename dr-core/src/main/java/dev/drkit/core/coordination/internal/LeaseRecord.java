package dev.drkit.core.coordination.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The content of one holding object, {@code leases/<name>/<epoch>}. Every write changes it
 * (a renewal counts up, a release or takeover changes the status, and each write carries its
 * writer and a fresh random nonce), so two reads with equal content saw the same version of
 * the object, and no two writers ever write the same bytes: a store that settles a conditional
 * write whose answer was lost by comparing the stored bytes with its own cannot mistake another
 * writer's version for its own.
 */
record LeaseRecord(String holder, long epoch, Status status, long renewals, long ttlMillis, String writer,
        String nonce) {

    /** Where a holding stands. */
    enum Status {
        /** The holder holds it and renews it. */
        HELD,
        /** The holder gave it up. */
        RELEASED,
        /** Another instance saw no renewal for the TTL and ended it. */
        EXPIRED
    }

    private static final String MAGIC = "dr-lease/1";

    static LeaseRecord held(String holder, long epoch, long ttlMillis) {
        return new LeaseRecord(holder, epoch, Status.HELD, 0, ttlMillis, holder, TextRecords.nonce());
    }

    LeaseRecord renewed() {
        return new LeaseRecord(holder, epoch, status, renewals + 1, ttlMillis, holder, TextRecords.nonce());
    }

    LeaseRecord with(Status next, String by) {
        return new LeaseRecord(holder, epoch, next, renewals, ttlMillis, by, TextRecords.nonce());
    }

    byte[] encode() {
        return (MAGIC + "\nholder=" + holder + "\nepoch=" + epoch + "\nstatus=" + status + "\nrenewals=" + renewals
                + "\nttl-ms=" + ttlMillis + "\nwriter=" + writer + "\nnonce=" + nonce + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    static LeaseRecord decode(String key, byte[] data) {
        Map<String, String> fields = TextRecords.parse(key, data, MAGIC);
        try {
            return new LeaseRecord(TextRecords.field(key, fields, "holder"),
                    Long.parseLong(TextRecords.field(key, fields, "epoch")),
                    Status.valueOf(TextRecords.field(key, fields, "status")),
                    Long.parseLong(TextRecords.field(key, fields, "renewals")),
                    Long.parseLong(TextRecords.field(key, fields, "ttl-ms")),
                    TextRecords.field(key, fields, "writer"), TextRecords.field(key, fields, "nonce"));
        } catch (IllegalArgumentException e) {
            throw new DrException(ErrorCode.INTEGRITY, "The lease object " + key + " is malformed: " + e.getMessage(),
                    key, e);
        }
    }
}
