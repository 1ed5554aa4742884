package dev.drkit.core.repository.internal;

import dev.drkit.api.DrException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * FastCDC-2020 content-defined chunking (Xia et al., 2020): Gear hash, cut-point skipping
 * below the minimum size, normalized chunking and rolling two bytes per step.
 *
 * <p>The Gear table is the MD5 digest of 64 copies of each byte value (high 8 bytes, big
 * endian), the table of the reference C implementation and of the fastcdc-rs crate, so cut
 * points equal theirs for the same parameters. Immutable and thread-safe.
 */
public final class FastCdc {
    /** Smallest accepted minimum chunk size. */
    public static final int MIN_SIZE_FLOOR = 64;
    /** Largest accepted maximum chunk size. */
    public static final int MAX_SIZE_CEILING = 16 * 1024 * 1024;

    // Masks per number of bits, spread over the word as the FastCDC paper recommends.
    private static final long[] MASKS = {
        0, 0, 0, 0, 0,
        0x0000000001804110L, 0x0000000001803110L, 0x0000000018035100L, 0x0000001800035300L,
        0x0000019000353000L, 0x0000590003530000L, 0x0000d90003530000L, 0x0000d90103530000L,
        0x0000d90303530000L, 0x0000d90313530000L, 0x0000d90f03530000L, 0x0000d90303537000L,
        0x0000d90703537000L, 0x0000d90707537000L, 0x0000d91707537000L, 0x0000d91747537000L,
        0x0000d91767537000L, 0x0000d93767537000L, 0x0000d93777537000L, 0x0000d93777577000L,
        0x0000db3777577000L,
    };

    static final long[] GEAR = gearTable();
    private static final long[] GEAR_LS = shiftedLeft(GEAR);

    private final int minSize;
    private final int avgSize;
    private final int maxSize;
    private final int normalization;
    private final long maskS;
    private final long maskL;
    private final long maskSls;
    private final long maskLls;

    /**
     * Creates a chunker.
     *
     * @param minSize the smallest chunk, except the last one of a stream
     * @param avgSize the desired average chunk size
     * @param maxSize the largest chunk
     * @param normalization the normalized chunking level, 0 to 3
     * @throws DrException {@code INVALID_ARGUMENT} naming a size out of range
     */
    public FastCdc(int minSize, int avgSize, int maxSize, int normalization) {
        if (minSize < MIN_SIZE_FLOOR) {
            throw DrException.invalidArgument("minSize", "must be >= " + MIN_SIZE_FLOOR, minSize);
        }
        if (avgSize < 256 || avgSize <= minSize) {
            throw DrException.invalidArgument("avgSize", "must be >= 256 and > minSize", avgSize);
        }
        if (maxSize > MAX_SIZE_CEILING || maxSize < avgSize) {
            throw DrException.invalidArgument("maxSize", "must be within avgSize.." + MAX_SIZE_CEILING, maxSize);
        }
        if (normalization < 0 || normalization > 3) {
            throw DrException.invalidArgument("normalization", "must be within 0..3", normalization);
        }
        int bits = (int) Math.round(Math.log(avgSize) / Math.log(2));
        if (bits - normalization < 5 || bits + normalization >= MASKS.length) {
            throw DrException.invalidArgument("avgSize", "is out of range for normalization " + normalization, avgSize);
        }
        this.minSize = minSize;
        this.avgSize = avgSize;
        this.maxSize = maxSize;
        this.normalization = normalization;
        this.maskS = MASKS[bits + normalization];
        this.maskL = MASKS[bits - normalization];
        this.maskSls = maskS << 1;
        this.maskLls = maskL << 1;
    }

    /** Returns the smallest chunk size. @return bytes */
    public int minSize() {
        return minSize;
    }

    /** Returns the average chunk size. @return bytes */
    public int avgSize() {
        return avgSize;
    }

    /** Returns the largest chunk size. @return bytes */
    public int maxSize() {
        return maxSize;
    }

    /** Returns the normalization level. @return 0 to 3 */
    public int normalization() {
        return normalization;
    }

    /**
     * Finds the end of the chunk that starts at {@code offset}.
     *
     * @param buf the data
     * @param offset where the chunk starts
     * @param length how many bytes are available from {@code offset}; when fewer than the
     *     maximum chunk size are available the caller must be at the end of its data
     * @return the chunk's length, between 1 and {@code min(length, maxSize)} (0 only when
     *     {@code length} is 0)
     */
    public int cut(byte[] buf, int offset, int length) {
        return cut(buf, offset, length, null);
    }

    /**
     * Finds the end of the chunk that starts at {@code offset} and reports the Gear hash at
     * the cut, as the reference implementation does.
     *
     * @param buf the data
     * @param offset where the chunk starts
     * @param length how many bytes are available
     * @param hashOut receives the hash in element 0, or {@code null}
     * @return the chunk's length
     */
    int cut(byte[] buf, int offset, int length, long @Nullable [] hashOut) {
        int remaining = length;
        if (remaining <= minSize) {
            if (hashOut != null) {
                hashOut[0] = 0;
            }
            return remaining;
        }
        int center = avgSize;
        if (remaining > maxSize) {
            remaining = maxSize;
        } else if (remaining < center) {
            center = remaining;
        }
        final long[] gear = GEAR;
        final long[] gearLs = GEAR_LS;
        long hash = 0;
        int i = offset + (minSize / 2) * 2;
        // Both loops step two bytes at a time; 'end' is exclusive for the pair's first byte.
        int end = offset + (center / 2) * 2;
        final long ms = maskS;
        final long msLs = maskSls;
        while (i < end) {
            hash = (hash << 2) + gearLs[buf[i] & 0xff];
            if ((hash & msLs) == 0) {
                return done(hash, i - offset, hashOut);
            }
            hash += gear[buf[i + 1] & 0xff];
            if ((hash & ms) == 0) {
                return done(hash, i + 1 - offset, hashOut);
            }
            i += 2;
        }
        end = offset + (remaining / 2) * 2;
        final long ml = maskL;
        final long mlLs = maskLls;
        while (i < end) {
            hash = (hash << 2) + gearLs[buf[i] & 0xff];
            if ((hash & mlLs) == 0) {
                return done(hash, i - offset, hashOut);
            }
            hash += gear[buf[i + 1] & 0xff];
            if ((hash & ml) == 0) {
                return done(hash, i + 1 - offset, hashOut);
            }
            i += 2;
        }
        return done(hash, remaining, hashOut);
    }

    private static int done(long hash, int length, long @Nullable [] hashOut) {
        if (hashOut != null) {
            hashOut[0] = hash;
        }
        return length;
    }

    private static long[] gearTable() {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            long[] table = new long[256];
            byte[] seed = new byte[64];
            for (int b = 0; b < 256; b++) {
                Arrays.fill(seed, (byte) b);
                byte[] digest = md5.digest(seed);
                long v = 0;
                for (int k = 0; k < 8; k++) {
                    v = (v << 8) | (digest[k] & 0xff);
                }
                table[b] = v;
            }
            return table;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required by every Java platform", e);
        }
    }

    private static long[] shiftedLeft(long[] table) {
        long[] out = new long[table.length];
        for (int i = 0; i < table.length; i++) {
            out[i] = table[i] << 1;
        }
        return out;
    }

    @Override
    public String toString() {
        return "FastCdc[min=" + minSize + ", avg=" + avgSize + ", max=" + maxSize + ", nc=" + normalization + "]";
    }
}
