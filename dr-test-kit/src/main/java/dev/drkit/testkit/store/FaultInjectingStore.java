package dev.drkit.testkit.store;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.ListPage;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.api.store.StoredObject;
import dev.drkit.testkit.ManualClock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A {@link SnapshotStore} wrapper that injects faults. Thread-safe.
 *
 * <p>At given rates, drawn from a seeded random sequence so that a failing drill replays:
 * latency (slept, or added to a {@link ManualClock}), transient errors ({@code UNAVAILABLE},
 * before the call reaches the store) and corruption (one flipped byte in the data a read
 * returns; the stored object is untouched).
 *
 * <p>On demand, at a point the test chooses: {@link #takeDown()} fails every call with
 * {@code UNAVAILABLE} until {@link #bringUp()}, and {@link #failWriteAfter(long)} fails one
 * chosen write, so that a test can cut an operation off at each of its {@link #writes()} in
 * turn.
 *
 * <pre>{@code
 * FaultInjectingStore flaky = FaultInjectingStore.wrap(store).errors(0.2).seed(7).build();
 * flaky.failWriteAfter(3);   // the third write from now fails
 * flaky.takeDown();          // every call fails until bringUp()
 * }</pre>
 */
public final class FaultInjectingStore implements SnapshotStore {
    private final SnapshotStore delegate;
    private final double latencyRate;
    private final Duration latency;
    private final double errorRate;
    private final double corruptionRate;
    private final @Nullable ManualClock clock;
    private final SplittableRandom random;
    private final AtomicLong delays = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong corruptions = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
    private volatile long failingWrite = -1;
    private volatile boolean down;

    private FaultInjectingStore(Builder b) {
        this.delegate = b.delegate;
        this.latencyRate = b.latencyRate;
        this.latency = b.latency;
        this.errorRate = b.errorRate;
        this.corruptionRate = b.corruptionRate;
        this.clock = b.clock;
        this.random = new SplittableRandom(b.seed);
    }

    /**
     * Starts wrapping a store; without further settings it injects nothing.
     *
     * @param store the real store
     * @return a builder
     */
    public static Builder wrap(SnapshotStore store) {
        return new Builder(store);
    }

    /**
     * Returns how many calls were delayed.
     *
     * @return the count
     */
    public long injectedDelays() {
        return delays.get();
    }

    /**
     * Returns how many calls failed on purpose.
     *
     * @return the count
     */
    public long injectedErrors() {
        return errors.get();
    }

    /**
     * Returns how many reads were corrupted on purpose.
     *
     * @return the count
     */
    public long injectedCorruptions() {
        return corruptions.get();
    }

    /**
     * Fails every call with {@code UNAVAILABLE}, before it reaches the store, until
     * {@link #bringUp()}.
     */
    public void takeDown() {
        down = true;
    }

    /** Lets calls through again after {@link #takeDown()}. */
    public void bringUp() {
        down = false;
    }

    /**
     * Fails one write (a {@code put}, {@code putIfAbsent} or {@code replace}) with
     * {@code UNAVAILABLE} before it reaches the store.
     *
     * @param n which write from now, {@code 1} for the next one
     * @throws DrException {@code INVALID_ARGUMENT} when {@code n < 1}
     */
    public void failWriteAfter(long n) {
        if (n < 1) {
            throw DrException.invalidArgument("n", "must be >= 1", n);
        }
        failingWrite = writes.get() + n;
    }

    /**
     * Returns how many writes ({@code put}, {@code putIfAbsent}, {@code replace}) got past
     * {@link #takeDown()} and the random errors, including the one {@link #failWriteAfter}
     * failed.
     *
     * @return the count
     */
    public long writes() {
        return writes.get();
    }

    private synchronized double draw() {
        return random.nextDouble();
    }

    private void before(String op, String key) {
        if (down) {
            throw new DrException(ErrorCode.UNAVAILABLE, "injected fault: the store is down (" + op + " " + key + ")",
                    key);
        }
        if (latencyRate > 0 && draw() < latencyRate) {
            delays.incrementAndGet();
            if (clock != null) {
                clock.advance(latency);
            } else {
                try {
                    Thread.sleep(latency.toMillis(), latency.toNanosPart() % 1_000_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new DrException(ErrorCode.CANCELLED, "interrupted during injected latency", key, e);
                }
            }
        }
        if (errorRate > 0 && draw() < errorRate) {
            errors.incrementAndGet();
            throw new DrException(ErrorCode.UNAVAILABLE, "injected fault: " + op + " " + key + " failed", key);
        }
    }

    private void beforeWrite(String op, String key) {
        before(op, key);
        if (writes.incrementAndGet() == failingWrite) {
            throw new DrException(ErrorCode.UNAVAILABLE, "injected fault: write " + failingWrite + " (" + op + " "
                    + key + ") failed", key);
        }
    }

    private byte[] corrupt(byte[] data) {
        if (corruptionRate > 0 && data.length > 0 && draw() < corruptionRate) {
            corruptions.incrementAndGet();
            byte[] copy = data.clone();
            int at;
            synchronized (this) {
                at = random.nextInt(copy.length);
            }
            copy[at] ^= 0x5A;
            return copy;
        }
        return data;
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        before("stat", key);
        return delegate.stat(key);
    }

    @Override
    public byte[] get(String key) {
        before("get", key);
        return corrupt(delegate.get(key));
    }

    /** Counts as a {@code get}: faults and corruption of whole reads apply to it. */
    @Override
    public Optional<StoredObject> getObject(String key) {
        before("get", key);
        return delegate.getObject(key).map(o -> new StoredObject(o.info(), corrupt(o.data())));
    }

    @Override
    public byte[] get(String key, long offset, int length) {
        before("get", key);
        return corrupt(delegate.get(key, offset, length));
    }

    /** Returns the wrapped store's. @return bytes */
    @Override
    public int preferredReadSize() {
        return delegate.preferredReadSize();
    }

    @Override
    public ObjectInfo put(String key, byte[] data) {
        beforeWrite("put", key);
        return delegate.put(key, data);
    }

    @Override
    public Optional<ObjectInfo> putIfAbsent(String key, byte[] data) {
        beforeWrite("putIfAbsent", key);
        return delegate.putIfAbsent(key, data);
    }

    @Override
    public Optional<ObjectInfo> replace(String key, byte[] data, String expectedEtag) {
        beforeWrite("replace", key);
        return delegate.replace(key, data, expectedEtag);
    }

    @Override
    public ListPage list(String prefix, @Nullable String pageToken, int pageSize) {
        before("list", prefix);
        return delegate.list(prefix, pageToken, pageSize);
    }

    @Override
    public void delete(String key) {
        before("delete", key);
        delegate.delete(key);
    }

    @Override
    public boolean createLocationIfMissing() {
        return delegate.createLocationIfMissing();
    }

    @Override
    public String describe() {
        return "faulty(" + delegate.describe() + ")";
    }

    @Override
    public void close() {
        delegate.close();
    }

    /** Builds a {@link FaultInjectingStore}. */
    public static final class Builder {
        private final SnapshotStore delegate;
        private double latencyRate;
        private Duration latency = Duration.ZERO;
        private double errorRate;
        private double corruptionRate;
        private @Nullable ManualClock clock;
        private long seed = 20_261_126L;

        private Builder(SnapshotStore delegate) {
            this.delegate = Objects.requireNonNull(delegate, "delegate");
        }

        private static double rate(String field, double r) {
            if (!(r >= 0 && r <= 1)) {
                throw DrException.invalidArgument(field, "must be in [0, 1]", r);
            }
            return r;
        }

        /**
         * Delays a share of calls.
         *
         * @param delay how long
         * @param rate the share of calls, in [0, 1]
         * @return this builder
         */
        public Builder latency(Duration delay, double rate) {
            if (delay.isNegative()) {
                throw DrException.invalidArgument("delay", "must be >= 0", delay);
            }
            this.latency = delay;
            this.latencyRate = rate("latencyRate", rate);
            return this;
        }

        /**
         * Fails a share of calls with {@code UNAVAILABLE}.
         *
         * @param rate the share of calls, in [0, 1]
         * @return this builder
         */
        public Builder errors(double rate) {
            this.errorRate = rate("errorRate", rate);
            return this;
        }

        /**
         * Flips a byte in a share of reads.
         *
         * @param rate the share of reads, in [0, 1]
         * @return this builder
         */
        public Builder corruption(double rate) {
            this.corruptionRate = rate("corruptionRate", rate);
            return this;
        }

        /**
         * Adds latency to a manual clock instead of sleeping.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder latencyOn(ManualClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Sets the seed of the random draws.
         *
         * @param seed the seed
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Builds the store.
         *
         * @return the store
         */
        public FaultInjectingStore build() {
            return new FaultInjectingStore(this);
        }
    }
}
