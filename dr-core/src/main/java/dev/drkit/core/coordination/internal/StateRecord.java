package dev.drkit.core.coordination.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.coordination.FencingToken;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The content of a state object, {@code state/<name>}: the current version, the lease whose
 * epochs fence it and the newest epoch that wrote it, and the latest versions, newest first.
 * Every write adds a version, so two reads with the same version saw the same object; each
 * write also names its writer and carries a random nonce, so that two writers racing from one
 * version never write the same bytes (see {@link LeaseRecord}).
 */
record StateRecord(long version, String fenceLease, long fenceEpoch, String writer, String nonce,
        List<Entry> entries) {

    /** One committed version. */
    record Entry(long version, String value) {
    }

    private static final String MAGIC = "dr-state/1";

    StateRecord {
        entries = List.copyOf(entries);
    }

    static StateRecord first(String value, @Nullable FencingToken fence, String writer) {
        return new StateRecord(1, fence == null ? "" : fence.lease(), fence == null ? 0 : fence.epoch(), writer,
                TextRecords.nonce(), List.of(new Entry(1, value)));
    }

    StateRecord next(String value, @Nullable FencingToken fence, int history, String writer) {
        List<Entry> kept = new ArrayList<>(history);
        kept.add(new Entry(version + 1, value));
        for (int i = 0; i < entries.size() && kept.size() < history; i++) {
            kept.add(entries.get(i));
        }
        return new StateRecord(version + 1, fence == null ? fenceLease : fence.lease(),
                fence == null ? fenceEpoch : Math.max(fenceEpoch, fence.epoch()), writer, TextRecords.nonce(), kept);
    }

    String value() {
        return entries.get(0).value();
    }

    byte[] encode() {
        StringBuilder b = new StringBuilder(MAGIC).append("\nversion=").append(version).append("\nfence-lease=")
                .append(fenceLease).append("\nfence-epoch=").append(fenceEpoch).append("\nwriter=").append(writer).append("\nnonce=").append(nonce)
                .append('\n');
        Base64.Encoder base64 = Base64.getEncoder();
        for (Entry e : entries) {
            b.append("entry.").append(e.version()).append('=')
                    .append(base64.encodeToString(e.value().getBytes(StandardCharsets.UTF_8))).append('\n');
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    static StateRecord decode(String key, byte[] data) {
        Map<String, String> fields = TextRecords.parse(key, data, MAGIC);
        try {
            long version = Long.parseLong(TextRecords.field(key, fields, "version"));
            List<Entry> entries = new ArrayList<>();
            Base64.Decoder base64 = Base64.getDecoder();
            for (Map.Entry<String, String> f : fields.entrySet()) {
                if (f.getKey().startsWith("entry.")) {
                    entries.add(new Entry(Long.parseLong(f.getKey().substring(6)),
                            new String(base64.decode(f.getValue()), StandardCharsets.UTF_8)));
                }
            }
            for (int i = 0; i < entries.size(); i++) {
                if (entries.get(i).version() != version - i) {
                    throw new IllegalArgumentException("entries do not count down from version " + version);
                }
            }
            if (entries.isEmpty()) {
                throw new IllegalArgumentException("no entries");
            }
            return new StateRecord(version, TextRecords.field(key, fields, "fence-lease"),
                    Long.parseLong(TextRecords.field(key, fields, "fence-epoch")),
                    TextRecords.field(key, fields, "writer"), TextRecords.field(key, fields, "nonce"), entries);
        } catch (IllegalArgumentException e) {
            throw new DrException(ErrorCode.INTEGRITY, "The state object " + key + " is malformed: " + e.getMessage(),
                    key, e);
        }
    }
}
