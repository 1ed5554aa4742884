package dev.drkit.testkit.store;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Where a simulated process stops: before or after its k-th mutation ({@code put},
 * {@code putIfAbsent}, {@code replace} or {@code delete}), counted over every
 * {@link CrashingStore} that shares this point, so that an operation writing to two stores
 * (a copy between repositories) is cut at each of its writes in turn. Thread-safe.
 *
 * <pre>{@code
 * CrashPoint counting = CrashPoint.never();
 * operation(new CrashingStore(copyOf(base), counting));     // counting.mutations() == n
 * for (long k = 1; k <= counting.mutations(); k++) {
 *     CrashPoint point = CrashPoint.beforeMutation(k);
 *     assertThatThrownBy(() -> operation(new CrashingStore(copyOf(base), point)))
 *             .isInstanceOf(SimulatedCrash.class);
 *     // check what the store holds, then run the next operation on it
 * }
 * }</pre>
 */
public final class CrashPoint {
    /** Whether the process stops with its k-th mutation unmade or made. */
    public enum Moment {
        /** The k-th mutation never reaches the store. */
        BEFORE,
        /** The k-th mutation is made; its caller never learns of it. */
        AFTER
    }

    private final long mutation;
    private final Moment moment;
    private final AtomicLong mutations = new AtomicLong();
    private volatile boolean crashed;

    private CrashPoint(long mutation, Moment moment) {
        this.mutation = mutation;
        this.moment = moment;
    }

    /**
     * A point that never stops the process, to count an operation's mutations.
     *
     * @return the point
     */
    public static CrashPoint never() {
        return new CrashPoint(Long.MAX_VALUE, Moment.BEFORE);
    }

    /**
     * Stops the process at its k-th mutation.
     *
     * @param mutation k, counted from 1
     * @param moment whether the k-th mutation is made
     * @return the point
     * @throws IllegalArgumentException when {@code mutation < 1}
     */
    public static CrashPoint at(long mutation, Moment moment) {
        if (mutation < 1) {
            throw new IllegalArgumentException("mutation must be >= 1, but was " + mutation);
        }
        return new CrashPoint(mutation, java.util.Objects.requireNonNull(moment, "moment"));
    }

    /**
     * Stops the process instead of making its k-th mutation.
     *
     * @param mutation k, counted from 1
     * @return the point
     * @throws IllegalArgumentException when {@code mutation < 1}
     */
    public static CrashPoint beforeMutation(long mutation) {
        return at(mutation, Moment.BEFORE);
    }

    /**
     * Stops the process right after its k-th mutation is made.
     *
     * @param mutation k, counted from 1
     * @return the point
     * @throws IllegalArgumentException when {@code mutation < 1}
     */
    public static CrashPoint afterMutation(long mutation) {
        return at(mutation, Moment.AFTER);
    }

    /**
     * Returns how many mutations were started, the one the process stopped at included.
     *
     * @return the count
     */
    public long mutations() {
        return mutations.get();
    }

    /**
     * Returns whether the process has stopped.
     *
     * @return true once the crash happened
     */
    public boolean crashed() {
        return crashed;
    }

    /** Throws when the process has stopped. */
    void requireRunning(String call, String key) {
        if (crashed) {
            throw new SimulatedCrash("the process stopped at " + this + "; refused " + call + " " + key);
        }
    }

    /**
     * Counts a mutation and says what to do with it.
     *
     * @return true when the process stops after making it
     * @throws SimulatedCrash when the process stops before making it, or stopped earlier
     */
    boolean beforeMutating(String call, String key) {
        requireRunning(call, key);
        long n = mutations.incrementAndGet();
        if (n != mutation) {
            return false;
        }
        if (moment == Moment.BEFORE) {
            crashed = true;
            throw new SimulatedCrash("the process stopped before mutation " + n + ": " + call + " " + key);
        }
        return true;
    }

    /** Stops the process after a mutation it made. */
    void crashAfter(String call, String key) {
        crashed = true;
        throw new SimulatedCrash("the process stopped after mutation " + mutation + ": " + call + " " + key);
    }

    @Override
    public String toString() {
        return mutation == Long.MAX_VALUE ? "never" : moment.name().toLowerCase(java.util.Locale.ROOT)
                + " mutation " + mutation;
    }
}
