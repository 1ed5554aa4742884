package dev.drkit.core.repository.internal;

/**
 * Where one blob lies in its pack.
 *
 * @param id the blob's id
 * @param type what it holds
 * @param offset where its sealed bytes start in the pack
 * @param length how many sealed bytes
 * @param rawLength the length of its content
 */
public record PackEntry(BlobId id, BlobType type, int offset, int length, int rawLength) {
    /** Bytes of one entry in a pack header or index file. */
    static final int ENCODED = 1 + BlobId.LENGTH + 12;

    void encode(byte[] buf, int at) {
        buf[at] = (byte) type.code();
        id.writeTo(buf, at + 1);
        putInt(buf, at + 33, offset);
        putInt(buf, at + 37, length);
        putInt(buf, at + 41, rawLength);
    }

    static PackEntry decode(byte[] buf, int at) {
        return decode(buf, at, BlobId.read(buf, at + 1));
    }

    /** Decodes the entry at {@code at}, whose id is known to equal {@code id}: the id's bytes are not copied. */
    static PackEntry decode(byte[] buf, int at, BlobId id) {
        return new PackEntry(id, BlobType.ofCode(buf[at]), getInt(buf, at + 33), getInt(buf, at + 37),
                getInt(buf, at + 41));
    }

    static void putInt(byte[] buf, int at, int v) {
        buf[at] = (byte) (v >>> 24);
        buf[at + 1] = (byte) (v >>> 16);
        buf[at + 2] = (byte) (v >>> 8);
        buf[at + 3] = (byte) v;
    }

    static int getInt(byte[] buf, int at) {
        return (buf[at] & 0xff) << 24 | (buf[at + 1] & 0xff) << 16 | (buf[at + 2] & 0xff) << 8 | (buf[at + 3] & 0xff);
    }
}
