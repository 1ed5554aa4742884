package dev.drkit.testkit.store;

import dev.drkit.api.store.ListPage;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A store whose process stops at a {@link CrashPoint}: the chosen mutation throws
 * {@link SimulatedCrash} (before or after reaching the wrapped store), and so does every call
 * after it, reads included, as a stopped process makes none. The wrapped store keeps exactly
 * what the process wrote up to its stop; a test then opens it directly, as the next process
 * would. {@link #describe()} still answers, and {@link #close()} leaves the wrapped store open
 * (the test owns it). Thread-safe.
 */
public class CrashingStore extends ForwardingStore {
    private final CrashPoint point;

    /**
     * Wraps a store.
     *
     * @param delegate the store that keeps what was written before the stop
     * @param point where the process stops, possibly shared with other stores of the process
     */
    public CrashingStore(SnapshotStore delegate, CrashPoint point) {
        super(delegate);
        this.point = java.util.Objects.requireNonNull(point, "point");
    }

    /**
     * Returns where this store's process stops.
     *
     * @return the point, with its count of mutations
     */
    public CrashPoint point() {
        return point;
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        point.requireRunning("stat", key);
        return super.stat(key);
    }

    @Override
    public byte[] get(String key) {
        point.requireRunning("get", key);
        return super.get(key);
    }

    @Override
    public byte[] get(String key, long offset, int length) {
        point.requireRunning("get", key);
        return super.get(key, offset, length);
    }

    @Override
    public ListPage list(String prefix, @Nullable String pageToken, int pageSize) {
        point.requireRunning("list", prefix);
        return super.list(prefix, pageToken, pageSize);
    }

    @Override
    public ObjectInfo put(String key, byte[] data) {
        boolean stopAfter = point.beforeMutating("put", key);
        ObjectInfo written = super.put(key, data);
        if (stopAfter) {
            point.crashAfter("put", key);
        }
        return written;
    }

    @Override
    public Optional<ObjectInfo> putIfAbsent(String key, byte[] data) {
        boolean stopAfter = point.beforeMutating("putIfAbsent", key);
        Optional<ObjectInfo> written = super.putIfAbsent(key, data);
        if (stopAfter) {
            point.crashAfter("putIfAbsent", key);
        }
        return written;
    }

    @Override
    public Optional<ObjectInfo> replace(String key, byte[] data, String expectedEtag) {
        boolean stopAfter = point.beforeMutating("replace", key);
        Optional<ObjectInfo> written = super.replace(key, data, expectedEtag);
        if (stopAfter) {
            point.crashAfter("replace", key);
        }
        return written;
    }

    @Override
    public void delete(String key) {
        boolean stopAfter = point.beforeMutating("delete", key);
        super.delete(key);
        if (stopAfter) {
            point.crashAfter("delete", key);
        }
    }

    @Override
    public void close() {
        // the wrapped store belongs to the test, which opens it again as the next process
    }
}
