package dev.drkit.core.repository.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The pack format: sealed blobs one after another, then the sealed header that lists them,
 * then the header's sealed length as 4 big-endian bytes. A pack's id is the SHA-256 of its
 * bytes, and it is stored under {@code data/<first two hex digits>/<id>}.
 */
final class Packs {
    private Packs() {
    }

    /**
     * Returns the store key of a pack.
     *
     * @param packId the pack's id
     * @return {@code data/xx/<packId>}
     */
    public static String key(String packId) {
        return "data/" + packId.substring(0, 2) + "/" + packId;
    }

    /**
     * Returns the SHA-256 of bytes as hex.
     *
     * @param data the bytes
     * @param length how many of them
     * @return the hex digest
     */
    public static String sha256(byte[] data, int length) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(data, 0, length);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Joins sealed blobs and the trailer describing them into a pack's bytes.
     *
     * @param crypto the keys
     * @param blobs the sealed blobs, in the order of {@code entries}
     * @param size their total length
     * @param entries where each blob lies in the pack
     * @return the pack
     */
    static byte[] assemble(Crypto crypto, List<byte[]> blobs, int size, List<PackEntry> entries) {
        byte[] trailer = trailer(crypto, entries);
        byte[] bytes = new byte[size + trailer.length];
        int at = 0;
        for (byte[] blob : blobs) {
            System.arraycopy(blob, 0, bytes, at, blob.length);
            at += blob.length;
        }
        System.arraycopy(trailer, 0, bytes, at, trailer.length);
        return bytes;
    }

    /**
     * Returns the most bytes that {@link #trailer} writes for a number of entries.
     *
     * @param entries how many
     * @return the bound
     */
    static int trailerBound(int entries) {
        return Crypto.packedBound(entries * PackEntry.ENCODED) + 4;
    }

    /**
     * Returns the length of a pack that holds exactly these entries: its blobs end where the
     * last of them ends, and the sealed header that follows lists every one of them (nonce,
     * {@link PackEntry#ENCODED} bytes an entry, tag), then its 4-byte length. Every writer of
     * packs indexes all the blobs it puts in a pack, so the index's entries of a pack give its
     * length without reading it.
     *
     * @param entries all the blobs of the pack
     * @return its length in bytes
     */
    static long size(List<PackEntry> entries) {
        long end = 0;
        for (PackEntry e : entries) {
            end = Math.max(end, (long) e.offset() + e.length());
        }
        return end + Crypto.OVERHEAD + (long) entries.size() * PackEntry.ENCODED + 4;
    }

    /**
     * Builds the sealed header trailer for the entries of a pack.
     *
     * @param crypto the keys
     * @param entries the blobs in the pack
     * @return the sealed header followed by its 4-byte length
     */
    static byte[] trailer(Crypto crypto, List<PackEntry> entries) {
        byte[] plain = new byte[entries.size() * PackEntry.ENCODED];
        for (int i = 0; i < entries.size(); i++) {
            entries.get(i).encode(plain, i * PackEntry.ENCODED);
        }
        byte[] sealed = crypto.seal(plain, 0, plain.length);
        byte[] out = new byte[sealed.length + 4];
        System.arraycopy(sealed, 0, out, 0, sealed.length);
        PackEntry.putInt(out, sealed.length, sealed.length);
        return out;
    }

    /**
     * Reads the header of a whole pack.
     *
     * @param crypto the keys
     * @param pack the pack's bytes
     * @param key the pack's store key, for messages
     * @return the entries
     * @throws DrException {@code INTEGRITY} naming the key when the header is damaged
     */
    public static List<PackEntry> header(Crypto crypto, byte[] pack, String key) {
        if (pack.length < 4 + Crypto.OVERHEAD) {
            throw new DrException(ErrorCode.INTEGRITY, "Pack " + key + " is truncated", key);
        }
        int headerLength = PackEntry.getInt(pack, pack.length - 4);
        if (headerLength < Crypto.OVERHEAD || headerLength > pack.length - 4) {
            throw new DrException(ErrorCode.INTEGRITY, "Pack " + key + " has a damaged header length", key);
        }
        byte[] plain = crypto.open(pack, pack.length - 4 - headerLength, headerLength, key);
        if (plain.length % PackEntry.ENCODED != 0) {
            throw new DrException(ErrorCode.INTEGRITY, "Pack " + key + " has a malformed header", key);
        }
        List<PackEntry> out = new ArrayList<>(plain.length / PackEntry.ENCODED);
        for (int at = 0; at < plain.length; at += PackEntry.ENCODED) {
            PackEntry entry;
            try {
                entry = PackEntry.decode(plain, at);
            } catch (IllegalArgumentException e) {
                throw new DrException(ErrorCode.INTEGRITY, "Pack " + key + " has a malformed header: "
                        + e.getMessage(), key, e);
            }
            if (entry.offset() < 0 || entry.length() < 0 || (long) entry.offset() + entry.length() > pack.length) {
                throw new DrException(ErrorCode.INTEGRITY, "Pack " + key + " lists a blob outside the pack", key);
            }
            out.add(entry);
        }
        return out;
    }
}
