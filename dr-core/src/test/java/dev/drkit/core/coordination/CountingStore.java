package dev.drkit.core.coordination;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.ListPage;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.api.store.StoredObject;
import dev.drkit.testkit.store.ForwardingStore;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Wraps a store: counts requests by operation, and on demand is down, ignores conditions, or
 * applies the next {@code replace} and then loses its answer.
 */
final class CountingStore extends ForwardingStore {
    private final Map<String, Integer> counts = new TreeMap<>();
    volatile boolean down;
    volatile boolean ignoreConditions;
    volatile boolean loseNextReplaceAnswer;
    /** Settles a refused replace as S3ObjectStore does after a retry: success when the stored bytes are ours. */
    volatile boolean settleByBytes;
    volatile @Nullable Runnable beforePutIfAbsent;
    volatile @Nullable Runnable beforeReplace;

    CountingStore(SnapshotStore delegate) {
        super(delegate);
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
        return super.stat(key);
    }

    @Override
    public byte[] get(String key) {
        count("get", key);
        return super.get(key);
    }

    @Override
    public Optional<StoredObject> getObject(String key) {
        count("get", key);
        return delegate().getObject(key);
    }

    @Override
    public byte[] get(String key, long offset, int length) {
        count("get", key);
        return super.get(key, offset, length);
    }

    @Override
    public ObjectInfo put(String key, byte[] data) {
        count("put", key);
        return super.put(key, data);
    }

    @Override
    public Optional<ObjectInfo> putIfAbsent(String key, byte[] data) {
        count("putIfAbsent", key);
        Runnable hook = beforePutIfAbsent;
        if (hook != null) {
            hook.run();
        }
        if (ignoreConditions) {
            return Optional.of(delegate().put(key, data));
        }
        return super.putIfAbsent(key, data);
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
            return Optional.of(delegate().put(key, data));
        }
        Optional<ObjectInfo> done = super.replace(key, data, expectedEtag);
        if (done.isEmpty() && settleByBytes && Arrays.equals(delegate().get(key), data)) {
            done = delegate().stat(key);
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
        return super.list(prefix, pageToken, pageSize);
    }

    @Override
    public void delete(String key) {
        count("delete", key);
        super.delete(key);
    }
}
