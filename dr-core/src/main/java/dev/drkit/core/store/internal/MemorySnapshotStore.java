package dev.drkit.core.store.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.ListPage;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.api.store.StoreKeys;
import dev.drkit.api.store.StoredObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A store that keeps objects in the heap: for tests, drills and short-lived state. Objects are
 * copied in and out, so callers may reuse their arrays.
 */
final class MemorySnapshotStore implements SnapshotStore {
    private record Stored(byte[] data, ObjectInfo info) {
    }

    private final ConcurrentNavigableMap<String, Stored> objects = new ConcurrentSkipListMap<>(Ranges::compareKeys);
    private final AtomicLong versions = new AtomicLong();
    private final Clock clock;
    private final String name;

    /**
     * Creates an empty store.
     *
     * @param name the name shown by {@link #describe()}, such as {@code mem:test}
     * @param clock the clock for modification times
     */
    MemorySnapshotStore(String name, Clock clock) {
        this.name = name;
        this.clock = clock;
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        StoreKeys.requireValidKey(key);
        Stored s = objects.get(key);
        return s == null ? Optional.empty() : Optional.of(s.info());
    }

    @Override
    public byte[] get(String key) {
        return require(key).data().clone();
    }

    @Override
    public Optional<StoredObject> getObject(String key) {
        StoreKeys.requireValidKey(key);
        Stored s = objects.get(key);
        return s == null ? Optional.empty() : Optional.of(new StoredObject(s.info(), s.data().clone()));
    }

    @Override
    public byte[] get(String key, long offset, int length) {
        StoreKeys.requireValidRange(offset, length);
        return Ranges.slice(require(key).data(), offset, length);
    }

    @Override
    public ObjectInfo put(String key, byte[] data) {
        StoreKeys.requireValidKey(key);
        Stored s = stored(key, data);
        objects.put(key, s);
        return s.info();
    }

    @Override
    public Optional<ObjectInfo> putIfAbsent(String key, byte[] data) {
        StoreKeys.requireValidKey(key);
        Stored s = stored(key, data);
        return objects.putIfAbsent(key, s) == null ? Optional.of(s.info()) : Optional.empty();
    }

    @Override
    public Optional<ObjectInfo> replace(String key, byte[] data, String expectedEtag) {
        StoreKeys.requireValidKey(key);
        Stored current = objects.get(key);
        if (current == null || !current.info().etag().equals(expectedEtag)) {
            return Optional.empty();
        }
        Stored s = stored(key, data);
        return objects.replace(key, current, s) ? Optional.of(s.info()) : Optional.empty();
    }

    @Override
    public ListPage list(String prefix, @Nullable String pageToken, int pageSize) {
        StoreKeys.requireValidPrefix(prefix);
        Ranges.checkPageSize(pageSize);
        String after = Ranges.keyAfter(prefix, pageToken);
        ConcurrentNavigableMap<String, Stored> tail = after == null
                ? objects.tailMap(prefix, true) : objects.tailMap(after, false);
        List<ObjectInfo> page = new ArrayList<>(Math.min(pageSize, 1024));
        for (Map.Entry<String, Stored> e : tail.entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                break;
            }
            if (page.size() == pageSize) {
                return new ListPage(page, page.get(page.size() - 1).key());
            }
            page.add(e.getValue().info());
        }
        return new ListPage(page, null);
    }

    @Override
    public void delete(String key) {
        StoreKeys.requireValidKey(key);
        objects.remove(key);
    }

    @Override
    public String describe() {
        return name;
    }

    @Override
    public void close() {
        // Nothing to release: the objects live as long as the store is referenced.
    }

    @Override
    public String toString() {
        return "MemorySnapshotStore[" + name + ", " + objects.size() + " objects]";
    }

    private Stored require(String key) {
        StoreKeys.requireValidKey(key);
        Stored s = objects.get(key);
        if (s == null) {
            throw new DrException(ErrorCode.NOT_FOUND, "No object '" + key + "' in " + name, key);
        }
        return s;
    }

    private Stored stored(String key, byte[] data) {
        byte[] copy = data.clone();
        String etag = "m" + Long.toHexString(versions.incrementAndGet());
        return new Stored(copy, new ObjectInfo(key, copy.length, etag, clock.instant()));
    }
}
