package dev.drkit.core.repository.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import java.util.Arrays;
import java.util.HexFormat;

/** The 32-byte keyed hash that names a blob; immutable. */
public final class BlobId implements Comparable<BlobId> {
    /** Length of an id in bytes. */
    public static final int LENGTH = 32;
    private static final HexFormat HEX = HexFormat.of();

    private final byte[] bytes;
    private final int hash;

    private BlobId(byte[] bytes) {
        this.bytes = bytes;
        this.hash = (bytes[0] & 0xff) << 24 | (bytes[1] & 0xff) << 16 | (bytes[2] & 0xff) << 8 | (bytes[3] & 0xff);
    }

    /**
     * Wraps 32 bytes, taking ownership of the array.
     *
     * @param bytes the id
     * @return the id
     */
    public static BlobId wrap(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("A blob id has 32 bytes, not " + bytes.length);
        }
        return new BlobId(bytes);
    }

    /**
     * Reads an id from {@code buf} at {@code offset}.
     *
     * @param buf the buffer
     * @param offset where the id starts
     * @return the id
     */
    public static BlobId read(byte[] buf, int offset) {
        return new BlobId(Arrays.copyOfRange(buf, offset, offset + LENGTH));
    }

    /**
     * Parses 64 hex digits.
     *
     * @param hex the digits
     * @return the id
     * @throws DrException {@code INTEGRITY} for malformed text
     */
    public static BlobId parse(String hex) {
        if (hex.length() != LENGTH * 2) {
            throw new DrException(ErrorCode.INTEGRITY, "Malformed blob id '" + hex + "'", hex);
        }
        try {
            return new BlobId(HEX.parseHex(hex));
        } catch (IllegalArgumentException e) {
            throw new DrException(ErrorCode.INTEGRITY, "Malformed blob id '" + hex + "'", hex, e);
        }
    }

    /**
     * Copies the id into {@code buf}.
     *
     * @param buf the buffer
     * @param offset where to write
     */
    public void writeTo(byte[] buf, int offset) {
        System.arraycopy(bytes, 0, buf, offset, LENGTH);
    }

    /**
     * Tells whether {@code other} holds the same bytes at {@code offset}.
     *
     * @param other a buffer
     * @param offset where its id starts
     * @return true when equal
     */
    public boolean matches(byte[] other, int offset) {
        return Arrays.equals(bytes, 0, LENGTH, other, offset, offset + LENGTH);
    }

    /** Returns the id as 64 lowercase hex digits. @return the hex text */
    public String hex() {
        return HEX.formatHex(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlobId other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public int compareTo(BlobId o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public String toString() {
        return hex();
    }
}
