package dev.drkit.core.store.remote;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.health.ProbeResult;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.api.store.StoreKeys;
import dev.drkit.core.store.StoreCalls;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * What every remote {@link SnapshotStore} does the same way, whatever its service: requests
 * through {@link StoreCalls}, a small pool for the chunks of large uploads, closing, the checks
 * of ranged reads and listings, the reading-back of a conditional write whose earlier attempt
 * may have gone through, and a health probe that reports the circuit breaker.
 */
public abstract class RemoteObjectStore implements SnapshotStore {
    private static final AtomicInteger POOLS = new AtomicInteger();

    /** The store's redacted URI, for messages. */
    protected final String location;
    /** Runs every request with retries, backoff, the circuit breaker and the meters. */
    protected final StoreCalls calls;
    /** Uploads the chunks (parts, blocks) of large objects, {@code uploadConcurrency} at a time. */
    protected final ExecutorService uploads;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Sets up the parts every remote store shares.
     *
     * @param storeKind the {@code store} tag of the meters, such as {@code s3}
     * @param location the store's redacted URI
     * @param settings the store's settings
     */
    protected RemoteObjectStore(String storeKind, String location, RemoteStoreSettings settings) {
        this.location = location;
        this.calls = settings.calls(storeKind, location);
        int threads = settings.uploadConcurrency();
        int pool = POOLS.incrementAndGet();
        AtomicInteger thread = new AtomicInteger();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "dr-" + storeKind + "-upload-" + pool + "-" + thread.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        executor.allowCoreThreadTimeOut(true);
        this.uploads = executor;
    }

    @Override
    public final ObjectInfo put(String key, byte[] data) {
        return put(key, data, 0, data.length);
    }

    /**
     * Returns 16 MiB: a request to the service costs a round trip and its handling, so fewer,
     * larger reads serve a restore better (a quarter of the requests of 4 MiB windows).
     */
    @Override
    public int preferredReadSize() {
        return 16 << 20;
    }

    @Override
    public final String describe() {
        return location;
    }

    @Override
    public final void close() {
        if (closed.compareAndSet(false, true)) {
            uploads.shutdownNow();
            closeClient();
        }
    }

    /** Releases the service client, once, when the store closes; nothing by default. */
    protected void closeClient() {
    }

    /**
     * Refuses work once the store is closed.
     *
     * @throws DrException {@code ILLEGAL_STATE} when it is closed
     */
    protected final void ensureOpen() {
        if (closed.get()) {
            throw new DrException(ErrorCode.ILLEGAL_STATE, "The store " + location + " is closed", location);
        }
    }

    /**
     * Checks a ranged read's arguments; a range of no bytes needs no request for the data but
     * still fails for a missing object, as any other read does.
     *
     * @param key the key
     * @param offset the first byte
     * @param length how many bytes
     * @return true when there is nothing to read
     * @throws DrException {@code INVALID_ARGUMENT} for a negative offset or length;
     *     {@code NOT_FOUND} for an empty range of a missing object
     */
    protected final boolean isEmptyRange(String key, long offset, int length) {
        StoreKeys.requireValidRange(offset, length);
        if (length == 0 && stat(key).isEmpty()) {
            throw new DrException(ErrorCode.NOT_FOUND, "No object '" + key + "' in " + location, key);
        }
        return length == 0;
    }

    /**
     * Checks the arguments of a listing and that the store is open.
     *
     * @param prefix the prefix
     * @param pageToken the token, or null for the first page
     * @param pageSize at least 1
     * @throws DrException {@code INVALID_ARGUMENT} for a bad size or an empty token;
     *     {@code INVALID_KEY} for an invalid prefix; {@code ILLEGAL_STATE} when closed
     */
    protected final void checkListing(String prefix, @Nullable String pageToken, int pageSize) {
        StoreKeys.requireValidPrefix(prefix);
        if (pageSize < 1) {
            throw DrException.invalidArgument("pageSize", "must be >= 1", pageSize);
        }
        if (pageToken != null && pageToken.isEmpty()) {
            throw DrException.invalidArgument("pageToken", "was not issued by this store", "\"\"");
        }
        ensureOpen();
    }

    /**
     * Decides a conditional write that lost its precondition only after an earlier attempt
     * failed in transit: that attempt may have been written and the precondition then failed
     * against it. The write counts as ours when the stored bytes are exactly ours.
     *
     * @param key the key
     * @param data the bytes written
     * @return the object when it holds exactly {@code data}, else empty
     */
    protected final Optional<ObjectInfo> ownWrite(String key, byte[] data) {
        Optional<ObjectInfo> info = stat(key);
        if (info.isEmpty() || info.get().size() != data.length) {
            return Optional.empty();
        }
        return Arrays.equals(get(key), data) ? info : Optional.empty();
    }

    /**
     * Waits for one chunk of an upload.
     *
     * @param future the chunk's upload on {@link #uploads}
     * @param key the object's key
     * @param chunk what a chunk is called, such as {@code part}, for messages
     * @param <T> the chunk's result
     * @return its result
     * @throws DrException its failure; {@code CANCELLED} when interrupted
     */
    protected final <T> T await(Future<T> future, String key, String chunk) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DrException(ErrorCode.CANCELLED, "Upload of '" + key + "' to " + location + " was interrupted",
                    key, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof DrException dr) {
                throw dr;
            }
            throw new DrException(ErrorCode.IO_FAILURE, "Upload of a " + chunk + " of '" + key + "' to " + location
                    + " failed: " + e.getCause(), key, e.getCause());
        }
    }

    /**
     * Returns a health probe named {@code store:<location>} that times a check.
     *
     * @param check reaches the service and answers DOWN, or {@link #reachable(String)}
     * @return the probe
     */
    protected final HealthProbe probe(Callable<ProbeResult> check) {
        return HealthProbe.named("store:" + location, () -> {
            long start = System.nanoTime();
            return check.call().withLatency(Duration.ofNanos(System.nanoTime() - start));
        });
    }

    /**
     * Returns the health of a store whose service answered: UP, or DEGRADED while the circuit
     * breaker is open or probing after failures.
     *
     * @param what what was reached, such as {@code bucket}
     * @return the result
     */
    protected final ProbeResult reachable(String what) {
        return switch (calls.breaker().getState()) {
            case CLOSED, DISABLED, METRICS_ONLY -> ProbeResult.up(what + " reachable");
            case HALF_OPEN -> ProbeResult.degraded(what + " reachable; circuit breaker probing after failures");
            default -> ProbeResult.degraded(what + " reachable again; circuit breaker still open after failures");
        };
    }
}
