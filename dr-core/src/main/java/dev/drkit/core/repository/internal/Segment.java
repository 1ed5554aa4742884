package dev.drkit.core.repository.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.journal.ChangeKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A journal segment: the changes one flush made durable, or none for a heartbeat (written by an
 * idle journal, and at a clean close, so that the chain covers up to its end). Its bytes are the
 * sealed blobs of the content it adds (compressed and sealed as in a pack), then its sealed
 * header, then the header's sealed length as 4 big-endian bytes. It is stored once, by conditional create, under
 * {@code journal/<base snapshot id>/<seq>}; the header names the SHA-256 of the segment before
 * it (none for the first), which chains the segments of one base snapshot.
 *
 * @param source the source the changes belong to
 * @param base the id of the snapshot the chain starts from
 * @param seq the segment's number in its chain, from 1
 * @param previous the SHA-256 of the previous segment's bytes, {@code null} for the first
 * @param end the time up to which the segment records every change
 * @param position the feed position of its last change; a heartbeat's is the chain's position
 * @param blobs the blobs it stores
 * @param changes its changes, in order
 */
public record Segment(String source, String base, long seq, @Nullable String previous, Instant end, long position,
        List<BlobRef> blobs, List<Entry> changes) {
    /** The key prefix of journal segments. */
    public static final String PREFIX = "journal/";

    /**
     * Where one stored blob lies in the segment.
     *
     * @param id the blob
     * @param offset where its sealed bytes start
     * @param length how many sealed bytes
     * @param rawLength the length of its content
     */
    public record BlobRef(BlobId id, int offset, int length, int rawLength) {
    }

    /**
     * One change as stored.
     *
     * @param position its feed position
     * @param time when the journal took it
     * @param kind what it does
     * @param path its path
     * @param target a rename's new path
     * @param size a put's content length
     * @param modified a put's modification time
     * @param blobs a put's content chunks
     */
    public record Entry(long position, Instant time, ChangeKind kind, String path, @Nullable String target, long size,
            Instant modified, List<BlobId> blobs) {
    }

    /**
     * Returns the store key of a segment.
     *
     * @param base the chain's base snapshot
     * @param seq the segment's number
     * @return {@code journal/<base>/<seq, 10 digits>}
     */
    public static String key(String base, long seq) {
        return chainPrefix(base) + String.format("%010d", seq);
    }

    /**
     * Returns the key prefix of a chain.
     *
     * @param base the chain's base snapshot
     * @return {@code journal/<base>/}
     */
    public static String chainPrefix(String base) {
        return PREFIX + base + "/";
    }

    /**
     * Returns the time of the first change, or the end when there is none.
     *
     * @return the time
     */
    public Instant start() {
        return changes.isEmpty() ? end : changes.get(0).time();
    }

    /**
     * Tells whether the segment is a heartbeat: it holds no change and only extends the time its
     * chain covers.
     *
     * @return true when it holds no change
     */
    public boolean heartbeat() {
        return changes.isEmpty();
    }

    byte[] encodeHeader() {
        return JsonCodec.write(g -> {
            g.writeStartObject();
            g.writeNumberProperty("version", 1);
            g.writeStringProperty("source", source);
            g.writeStringProperty("base", base);
            g.writeNumberProperty("seq", seq);
            JsonCodec.optional(g, "previous", previous);
            g.writeStringProperty("end", end.toString());
            g.writeNumberProperty("position", position);
            g.writeName("blobs");
            g.writeStartArray();
            for (BlobRef b : blobs) {
                g.writeStartObject();
                g.writeStringProperty("id", b.id().hex());
                g.writeNumberProperty("offset", b.offset());
                g.writeNumberProperty("length", b.length());
                g.writeNumberProperty("raw", b.rawLength());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeName("changes");
            g.writeStartArray();
            for (Entry e : changes) {
                g.writeStartObject();
                g.writeNumberProperty("p", e.position());
                g.writeStringProperty("t", e.time().toString());
                g.writeStringProperty("k", e.kind().name());
                g.writeStringProperty("path", e.path());
                JsonCodec.optional(g, "to", e.target());
                if (e.kind() == ChangeKind.PUT) {
                    g.writeNumberProperty("size", e.size());
                    g.writeStringProperty("mtime", e.modified().toString());
                    JsonCodec.strings(g, "blobs", e.blobs().stream().map(BlobId::hex).toList());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /**
     * Decodes and checks a whole segment's header.
     *
     * @param crypto the keys
     * @param bytes the segment
     * @param key its store key, named on failure
     * @return the segment
     * @throws DrException {@code INTEGRITY} naming the key when it is damaged or malformed
     */
    public static Segment decode(Crypto crypto, byte[] bytes, String key) {
        if (bytes.length < 4 + Crypto.OVERHEAD) {
            throw new DrException(ErrorCode.INTEGRITY, "Journal segment " + key + " is truncated", key);
        }
        int headerLength = PackEntry.getInt(bytes, bytes.length - 4);
        if (headerLength < Crypto.OVERHEAD || headerLength > bytes.length - 4) {
            throw new DrException(ErrorCode.INTEGRITY, "Journal segment " + key + " has a damaged header length", key);
        }
        byte[] plain = crypto.open(bytes, bytes.length - 4 - headerLength, headerLength, key);
        Segment segment;
        try {
            JsonCodec.Fields f = JsonCodec.parse(plain);
            if (f.integer("version") != 1) {
                throw new DrException(ErrorCode.UNSUPPORTED, "Journal segment " + key + " has format version "
                        + f.integer("version") + "; this version of DR Kit reads 1", key);
            }
            List<BlobRef> blobs = new ArrayList<>();
            int dataEnd = bytes.length - 4 - headerLength;
            for (JsonCodec.Fields b : f.objects("blobs")) {
                BlobRef ref = new BlobRef(BlobId.parse(b.string("id")), b.integer("offset"), b.integer("length"),
                        b.integer("raw"));
                if (ref.offset() < 0 || ref.length() < 0 || (long) ref.offset() + ref.length() > dataEnd) {
                    throw new IllegalArgumentException("blob " + ref.id().hex() + " lies outside the segment");
                }
                blobs.add(ref);
            }
            List<Entry> changes = new ArrayList<>();
            for (JsonCodec.Fields c : f.objects("changes")) {
                ChangeKind kind = ChangeKind.valueOf(c.string("k"));
                List<BlobId> ids = new ArrayList<>();
                long size = 0;
                Instant modified = Instant.EPOCH;
                if (kind == ChangeKind.PUT) {
                    for (String hex : c.strings("blobs")) {
                        ids.add(BlobId.parse(hex));
                    }
                    size = c.number("size");
                    modified = Instant.parse(c.string("mtime"));
                }
                changes.add(new Entry(c.number("p"), Instant.parse(c.string("t")), kind, c.string("path"),
                        c.optString("to"), size, modified, List.copyOf(ids)));
            }
            segment = new Segment(f.string("source"), f.string("base"), f.number("seq"), f.optString("previous"),
                    Instant.parse(f.string("end")), f.number("position"), List.copyOf(blobs), List.copyOf(changes));
        } catch (DrException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new DrException(ErrorCode.INTEGRITY, "Journal segment " + key + " is malformed: " + e.getMessage(),
                    key, e);
        }
        return segment;
    }

    /**
     * Joins sealed blobs and this header into a segment's bytes.
     *
     * @param crypto the keys
     * @param sealed the sealed blobs, in the order of {@link #blobs()}
     * @return the segment's bytes
     */
    byte[] assemble(Crypto crypto, List<byte[]> sealed) {
        byte[] plain = encodeHeader();
        byte[] header = crypto.seal(plain, 0, plain.length);
        int size = 0;
        for (byte[] b : sealed) {
            size += b.length;
        }
        byte[] out = new byte[size + header.length + 4];
        int at = 0;
        for (byte[] b : sealed) {
            System.arraycopy(b, 0, out, at, b.length);
            at += b.length;
        }
        System.arraycopy(header, 0, out, at, header.length);
        PackEntry.putInt(out, at + header.length, header.length);
        return out;
    }
}
