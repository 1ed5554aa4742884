package dev.drkit.core.coordination;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.ListPage;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Wraps a store: counts requests by operation, and on demand is down, ignores conditions, or
 * applies the next {@code replace} and then loses its answer.
 */
final class CountingStore implements SnapshotStore {
    private final SnapshotStore delegate;
    private final Map<String, Integer> counts = new TreeMap<>();
    volatile boolean down;
    volatile boolean ignoreConditions;
    volatile boolean loseNextReplaceAnswer;
    /** Settles a refused replace as S3ObjectStore does after a retry: success when the stored bytes are ours. */
    volatile boolean settleByBytes;
    volatile @Nullable Runnable beforePutIfAbsent;
    volatile @Nullable Runnable beforeReplace;

    CountingStore(SnapshotStore delegate) {
        this.delegate = delegate;
    }

    synchronized Map<String, Integer> counts() {
        return new TreeMap<>(counts);
    }

    synchronized void reset() {
        counts.clear();
    }

    private synchronized void count(String op, String key) {
        if (down) {
            throw new DrException(ErrorCode.UNAVAILABLE, "The store is down", key);
        }
        counts.merge(op, 1, Integer::sum);
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        count("stat", key);
        return delegate.stat(key);
    }

    @Override
    public byte[] get(String key) {
        count("get", key);
        return delegate.get(key);
    }

    @Override
    public byte[] get(String key, long offset, int length) {
        count("get", key);
        return delegate.get(key, offset, length);
    }

    @Override
    public ObjectInfo put(String key, byte[] data) {
        count("put", key);
        return delegate.put(key, data);
    }

    @Override
    public Optional<ObjectInfo> putIfAbsent(String key, byte[] data) {
        count("putIfAbsent", key);
        Runnable hook = beforePutIfAbsent;
        if (hook != null) {
            hook.run();
        }
        if (ignoreConditions) {
            return Optional.of(delegate.put(key, data));
        }
        return delegate.putIfAbsent(key, data);
    }

    @Override
    public Optional<ObjectInfo> replace(String key, byte[] data, String expectedEtag) {
        count("replace", key);
        Runnable hook = beforeReplace;
        if (hook != null) {
            beforeReplace = null;
            hook.run();
        }
        if (ignoreConditions) {
            return Optional.of(delegate.put(key, data));
        }
        Optional<ObjectInfo> done = delegate.replace(key, data, expectedEtag);
        if (done.isEmpty() && settleByBytes && java.util.Arrays.equals(delegate.get(key), data)) {
            done = delegate.stat(key);
        }
        if (loseNextReplaceAnswer) {
            loseNextReplaceAnswer = false;
            throw new DrException(ErrorCode.UNAVAILABLE, "The answer to a replace of " + key + " was lost", key);
        }
        return done;
    }

    @Override
    public ListPage list(String prefix, @Nullable String pageToken, int pageSize) {
        count("list", prefix);
        return delegate.list(prefix, pageToken, pageSize);
    }

    @Override
    public void delete(String key) {
        count("delete", key);
        delegate.delete(key);
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
