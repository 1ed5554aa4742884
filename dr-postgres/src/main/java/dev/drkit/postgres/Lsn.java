package dev.drkit.postgres;

import dev.drkit.api.DrException;

/**
 * A position in PostgreSQL's write-ahead log, written as PostgreSQL writes it: {@code 0/16B3748}.
 *
 * @param value the byte position, as an unsigned 64-bit number
 */
public record Lsn(long value) implements Comparable<Lsn> {
    /** The position before any WAL. */
    public static final Lsn ZERO = new Lsn(0);

    /**
     * Parses {@code X/Y} (two hexadecimal halves).
     *
     * @param text the position
     * @return the LSN
     * @throws DrException {@code INVALID_ARGUMENT} for text that is not {@code X/Y}
     */
    public static Lsn parse(String text) {
        int slash = text.indexOf('/');
        try {
            if (slash <= 0 || slash == text.length() - 1) {
                throw new NumberFormatException(text);
            }
            long high = Long.parseLong(text.substring(0, slash), 16);
            long low = Long.parseLong(text.substring(slash + 1), 16);
            if (high > 0xFFFF_FFFFL || low > 0xFFFF_FFFFL) {
                throw new NumberFormatException(text);
            }
            return new Lsn((high << 32) | low);
        } catch (NumberFormatException e) {
            throw DrException.invalidArgument("lsn", "must be two hexadecimal halves, as 0/16B3748", text);
        }
    }

    /**
     * Returns the start of the WAL segment that holds this position.
     *
     * @param segmentSize the cluster's {@code wal_segment_size} in bytes
     * @return the segment's first position
     */
    public Lsn segmentStart(long segmentSize) {
        return new Lsn(value - Long.remainderUnsigned(value, segmentSize));
    }

    /**
     * Returns how many bytes lie between {@code earlier} and this position.
     *
     * @param earlier the earlier position
     * @return the distance, negative when {@code earlier} is later
     */
    public long minus(Lsn earlier) {
        return value - earlier.value;
    }

    /**
     * Returns the position {@code bytes} further on.
     *
     * @param bytes how far
     * @return the position
     */
    public Lsn plus(long bytes) {
        return new Lsn(value + bytes);
    }

    @Override
    public int compareTo(Lsn other) {
        return Long.compareUnsigned(value, other.value);
    }

    @Override
    public String toString() {
        return Long.toHexString(value >>> 32).toUpperCase() + "/" + Long.toHexString(value & 0xFFFF_FFFFL).toUpperCase();
    }
}
