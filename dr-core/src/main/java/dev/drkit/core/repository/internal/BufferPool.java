package dev.drkit.core.repository.internal;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reuses byte arrays whose lengths are powers of two, so that a backup's chunks do not each
 * become garbage: at a few hundred megabytes per second, fresh arrays keep the collector busy
 * and make the JVM grow its heap. Thread-safe; holds at most a fixed number of idle bytes.
 */
final class BufferPool {
    /** The smallest array handed out: 4 KiB. */
    static final int MIN_SHIFT = 12;
    private static final int CLASSES = 31;

    @SuppressWarnings("unchecked")
    private final ConcurrentLinkedDeque<byte[]>[] free = new ConcurrentLinkedDeque[CLASSES];
    private final AtomicLong idle = new AtomicLong();
    private final long maxIdle;

    /**
     * Creates a pool.
     *
     * @param maxIdle how many bytes of idle arrays to keep, at most
     */
    BufferPool(long maxIdle) {
        this.maxIdle = maxIdle;
        for (int i = 0; i < CLASSES; i++) {
            free[i] = new ConcurrentLinkedDeque<>();
        }
    }

    /**
     * Returns the length of the array that {@link #acquire} hands out for a size.
     *
     * @param size the bytes needed
     * @return the smallest power of two at least {@code size} and 4 KiB
     */
    static int capacityFor(int size) {
        return 1 << shiftFor(size);
    }

    private static int shiftFor(int size) {
        int shift = 32 - Integer.numberOfLeadingZeros(Math.max(size, 1) - 1);
        return Math.max(shift, MIN_SHIFT);
    }

    /**
     * Returns an array of {@link #capacityFor capacityFor(size)} bytes, reused when one is idle.
     *
     * @param size the bytes needed, at most 1 GiB
     * @return the array; its content is unspecified
     */
    byte[] acquire(int size) {
        int shift = shiftFor(size);
        byte[] b = free[shift].pollFirst();
        if (b != null) {
            idle.addAndGet(-b.length);
            return b;
        }
        return new byte[1 << shift];
    }

    /**
     * Gives an array from {@link #acquire} back. When the pool then holds too much, it drops idle
     * arrays of other sizes first, largest first: a backup moves from large files to many small
     * ones and back, and the arrays of the phase that ended would otherwise crowd out the ones the
     * current phase needs.
     *
     * @param b the array, not used by the caller afterwards
     */
    void release(byte[] b) {
        int length = b.length;
        if (Integer.bitCount(length) != 1 || length < 1 << MIN_SHIFT) {
            return;
        }
        int shift = Integer.numberOfTrailingZeros(length);
        free[shift].offerFirst(b);
        long now = idle.addAndGet(length);
        while (now > maxIdle) {
            byte[] victim = pollOther(shift);
            if (victim == null) {
                break;
            }
            now = idle.addAndGet(-victim.length);
        }
    }

    private byte[] pollOther(int keep) {
        for (int c = CLASSES - 1; c >= MIN_SHIFT; c--) {
            if (c != keep) {
                byte[] b = free[c].pollLast();
                if (b != null) {
                    return b;
                }
            }
        }
        return free[keep].pollLast();
    }
}
