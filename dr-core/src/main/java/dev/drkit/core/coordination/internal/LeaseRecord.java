package dev.drkit.core.coordination.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The content of one holding object, {@code leases/<name>/<epoch>}. Every write changes it
 * (a renewal counts up, a release or takeover changes the status), so two reads with equal
 * content saw the same version of the object.
 */
record LeaseRecord(String holder, long epoch, Status status, long renewals, long ttlMillis) {

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

    LeaseRecord renewed() {
        return new LeaseRecord(holder, epoch, status, renewals + 1, ttlMillis);
    }

    LeaseRecord with(Status next) {
        return new LeaseRecord(holder, epoch, next, renewals, ttlMillis);
    }

    byte[] encode() {
        return (MAGIC + "\nholder=" + holder + "\nepoch=" + epoch + "\nstatus=" + status + "\nrenewals=" + renewals
                + "\nttl-ms=" + ttlMillis + "\n").getBytes(StandardCharsets.UTF_8);
    }

    static LeaseRecord decode(String key, byte[] data) {
        Map<String, String> fields = TextRecords.parse(key, data, MAGIC);
        try {
            return new LeaseRecord(TextRecords.field(key, fields, "holder"),
                    Long.parseLong(TextRecords.field(key, fields, "epoch")),
                    Status.valueOf(TextRecords.field(key, fields, "status")),
                    Long.parseLong(TextRecords.field(key, fields, "renewals")),
                    Long.parseLong(TextRecords.field(key, fields, "ttl-ms")));
        } catch (IllegalArgumentException e) {
            throw new DrException(ErrorCode.INTEGRITY, "The lease object " + key + " is malformed: " + e.getMessage(),
                    key, e);
        }
    }
}
