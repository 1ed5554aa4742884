package dev.drkit.core.coordination.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The content of one member's announcement, {@code members/<group>/<memberId>}. The counter
 * makes every announcement's content, and so its etag on every store, new.
 */
record MemberRecord(String member, long announcement) {
    private static final String MAGIC = "dr-member/1";

    byte[] encode() {
        return (MAGIC + "\nmember=" + member + "\nannouncement=" + announcement + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    static MemberRecord decode(String key, byte[] data) {
        Map<String, String> fields = TextRecords.parse(key, data, MAGIC);
        try {
            return new MemberRecord(TextRecords.field(key, fields, "member"),
                    Long.parseLong(TextRecords.field(key, fields, "announcement")));
        } catch (NumberFormatException e) {
            throw new DrException(ErrorCode.INTEGRITY, "The member object " + key + " is malformed: "
                    + e.getMessage(), key, e);
        }
    }
}
