package dev.drkit.core.repository.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One array from which a backup's chunks take contiguous slices, given back in any order.
 * Chunks are read faster than they are compressed and sealed, so the ring is what bounds the
 * bytes in flight; and since every chunk lives in the same array, a backup allocates nothing per
 * chunk however its sizes vary. A slice is reused once it and every slice taken before it are
 * given back, so one slow chunk holds back at most the ring's size. Thread-safe.
 *
 * <p>A ring may start smaller than its size and double, up to it, when a slice does not fit
 * while fewer than {@link #GROW_BELOW} slices are in use, or when it could not hold three such
 * slices: chunks of small files then share a small array (more slices than that keep the sealers
 * busy, and the readers can wait), and large chunks get the room they need. Slices of an older
 * array stay valid until they are given back; the bytes in flight stay below one and a half
 * times the size.
 */
final class ChunkRing {
    /** A ring holding this many slices in use waits for one to come back rather than grow. */
    static final int GROW_BELOW = 16;
    private final int size;
    private final int initial;
    /** Slices taken and not yet given back, padding aside. */
    private int inUse;
    /** Allocated by the first slice, so that a backup that reads nothing costs nothing. */
    private byte[] ring;
    /** Slices taken and not yet reclaimed, oldest first. */
    private final ArrayDeque<Slice> taken = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition released = lock.newCondition();
    /** Where the next slice starts. */
    private int tail;

    /** A part of the ring: {@code length} bytes from {@code offset} of {@link #array()}. */
    static final class Slice {
        private final byte[] array;
        private final int offset;
        private final int length;
        private boolean done;

        private Slice(byte[] array, int offset, int length) {
            this.array = array;
            this.offset = offset;
            this.length = length;
        }

        byte[] array() {
            return array;
        }

        int offset() {
            return offset;
        }

        int length() {
            return length;
        }
    }

    /**
     * Creates a ring.
     *
     * @param size its bytes
     */
    ChunkRing(int size) {
        this(size, size);
    }

    /**
     * Creates a ring that starts small and grows.
     *
     * @param initial the bytes of its first array
     * @param size the most bytes it grows to
     */
    ChunkRing(int initial, int size) {
        if (initial < 1 || initial > size) {
            throw new IllegalArgumentException("A ring of " + size + " bytes cannot start at " + initial);
        }
        this.initial = initial;
        this.size = size;
    }

    /**
     * Takes a slice, waiting until the ring has room for it.
     *
     * @param length its bytes, at least 1 and at most a third of the ring
     * @return the slice
     * @throws IllegalArgumentException when the length is not positive or too large for the ring
     * @throws DrException {@code CANCELLED} when the thread is interrupted while it waits
     */
    Slice acquire(int length) {
        if (length < 1 || length > size / 3) {
            throw new IllegalArgumentException("A slice of " + length + " bytes does not fit a ring of " + size);
        }
        lock.lock();
        try {
            if (ring == null) {
                ring = new byte[grown(initial, length)];
            }
            Slice slice;
            while ((slice = 3L * length > ring.length ? null : tryTake(length)) == null) {
                if (ring.length < size && (inUse < GROW_BELOW || 3L * length > ring.length)) {
                    // The slices taken from the old array stay valid and are given back as before;
                    // only the new array is reused.
                    ring = new byte[grown(2 * ring.length, length)];
                    taken.clear();
                    tail = 0;
                    continue;
                }
                released.await();
            }
            inUse++;
            return slice;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DrException(ErrorCode.CANCELLED, "Interrupted while waiting for room for a chunk", null, e);
        } finally {
            lock.unlock();
        }
    }

    /** The length of a new array: {@code want}, at least three slices of {@code length}, at most the size. */
    private int grown(long want, int length) {
        return (int) Math.min(size, Math.max(want, 3L * length));
    }

    private Slice tryTake(int length) {
        if (taken.isEmpty()) {
            tail = 0;
            return take(0, length);
        }
        int head = taken.peekFirst().offset;
        if (head < tail) {
            if (ring.length - tail >= length) {
                return take(tail, length);
            }
            if (head >= length) {
                // Wrap: the end of the ring is skipped until the slices before it are reclaimed.
                Slice padding = take(tail, ring.length - tail);
                padding.done = true;
                return take(0, length);
            }
            return null;
        }
        return head - tail >= length && head != tail ? take(tail, length) : null;
    }

    private Slice take(int offset, int length) {
        Slice slice = new Slice(ring, offset, length);
        taken.addLast(slice);
        tail = offset + length;
        return slice;
    }

    /**
     * Tells whether a taker is waiting for room, so that a test can hand slices back at a known
     * point of its wait.
     *
     * @return whether a thread waits in {@link #acquire}
     */
    boolean hasWaiters() {
        lock.lock();
        try {
            return lock.hasWaiters(released);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Gives a slice back.
     *
     * @param slice a slice from {@link #acquire}, not used by the caller afterwards
     */
    void release(Slice slice) {
        lock.lock();
        try {
            if (!slice.done) {
                slice.done = true;
                inUse--;
            }
            while (!taken.isEmpty() && taken.peekFirst().done) {
                taken.pollFirst();
            }
            released.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
