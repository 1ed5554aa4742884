package dev.drkit.testkit.store;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.ListPage;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.api.store.StoreKeys;
import dev.drkit.api.store.StoredObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A {@link SnapshotStore} in the heap whose objects and calls a test can inspect and change:
 * what is stored ({@link #objects()}), how many writes and ranged reads it served, a byte
 * flipped behind the caller's back ({@link #flipByte}), the clock of modification times and
 * the preferred read size. It keeps the {@link SnapshotStoreContract}. Thread-safe.
 *
 * <pre>{@code
 * InMemoryStore store = new InMemoryStore();
 * Repository repo = Repository.init(store, password, options);
 * long writes = store.writes();
 * }</pre>
 */
public final class InMemoryStore implements SnapshotStore {
    private record Stored(byte[] data, ObjectInfo info) {
    }

    private final ConcurrentNavigableMap<String, Stored> objects = new ConcurrentSkipListMap<>(InMemoryStore::compareKeys);
    private final AtomicLong versions = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong rangedReads = new AtomicLong();
    private final AtomicLong rangedBytesAsked = new AtomicLong();
    private final String name;
    private volatile Clock clock;
    private volatile int preferredReadSize = 4 << 20;

    /** Creates an empty store named {@code mem:test} whose modification times come from the system clock. */
    public InMemoryStore() {
        this("mem:test", Clock.systemUTC());
    }

    /**
     * Creates an empty store.
     *
     * @param name what {@link #describe()} returns
     * @param clock the clock of modification times
     */
    public InMemoryStore(String name, Clock clock) {
        this.name = Objects.requireNonNull(name, "name");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Sets the clock that stamps the modification time of later writes.
     *
     * @param clock the clock
     */
    public void setClock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Sets what {@link #preferredReadSize()} answers.
     *
     * @param bytes the size, {@code >= 1}
     * @throws DrException {@code INVALID_ARGUMENT} when {@code bytes < 1}
     */
    public void setPreferredReadSize(int bytes) {
        if (bytes < 1) {
            throw DrException.invalidArgument("bytes", "must be >= 1", bytes);
        }
        this.preferredReadSize = bytes;
    }

    /**
     * Returns what is stored now, by key in listing order.
     *
     * @return a copy of the objects' descriptions; equal to an earlier one when nothing was written since
     */
    public NavigableMap<String, ObjectInfo> objects() {
        NavigableMap<String, ObjectInfo> out = new TreeMap<>(InMemoryStore::compareKeys);
        objects.forEach((k, v) -> out.put(k, v.info()));
        return Collections.unmodifiableNavigableMap(out);
    }

    /**
     * Returns the stored keys that start with a prefix, in listing order.
     *
     * @param prefix the prefix, such as {@code data/}
     * @return the keys
     */
    public List<String> keys(String prefix) {
        return objects.tailMap(prefix, true).keySet().stream().takeWhile(k -> k.startsWith(prefix)).toList();
    }

    /**
     * Returns the sum of the sizes of the stored objects.
     *
     * @return bytes
     */
    public long totalBytes() {
        return objects.values().stream().mapToLong(s -> s.data().length).sum();
    }

    /**
     * Returns how many writes ({@code put}, and {@code putIfAbsent} and {@code replace} that
     * wrote) changed the store.
     *
     * @return the count
     */
    public long writes() {
        return writes.get();
    }

    /**
     * Returns how many ranged reads were asked for.
     *
     * @return the count
     */
    public long rangedReads() {
        return rangedReads.get();
    }

    /**
     * Returns how many bytes the ranged reads asked for in total (not how many they returned).
     *
     * @return bytes
     */
    public long rangedBytesAsked() {
        return rangedBytesAsked.get();
    }

    /**
     * Flips one byte of a stored object in place, as a disk or a hostile writer would; the
     * object gets a new etag but keeps its modification time.
     *
     * @param key the object
     * @param offset which byte
     * @throws DrException {@code NOT_FOUND} when the object does not exist;
     *     {@code INVALID_ARGUMENT} when the offset is outside it
     */
    public void flipByte(String key, int offset) {
        Stored s = require(key);
        if (offset < 0 || offset >= s.data().length) {
            throw DrException.invalidArgument("offset", "must be in [0, " + s.data().length + ")", offset);
        }
        byte[] data = s.data().clone();
        data[offset] ^= 0x5A;
        ObjectInfo info = s.info();
        objects.put(key, new Stored(data, new ObjectInfo(key, data.length, info.etag() + "x", info.lastModified())));
    }

    @Override
    public int preferredReadSize() {
        return preferredReadSize;
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
        rangedReads.incrementAndGet();
        rangedBytesAsked.addAndGet(length);
        byte[] data = require(key).data();
        if (offset >= data.length) {
            return new byte[0];
        }
        return Arrays.copyOfRange(data, (int) offset, (int) Math.min(data.length, offset + length));
    }

    @Override
    public ObjectInfo put(String key, byte[] data) {
        StoreKeys.requireValidKey(key);
        Stored s = stored(key, data);
        objects.put(key, s);
        writes.incrementAndGet();
        return s.info();
    }

    @Override
    public Optional<ObjectInfo> putIfAbsent(String key, byte[] data) {
        StoreKeys.requireValidKey(key);
        Stored s = stored(key, data);
        if (objects.putIfAbsent(key, s) != null) {
            return Optional.empty();
        }
        writes.incrementAndGet();
        return Optional.of(s.info());
    }

    @Override
    public Optional<ObjectInfo> replace(String key, byte[] data, String expectedEtag) {
        StoreKeys.requireValidKey(key);
        Stored current = objects.get(key);
        if (current == null || !current.info().etag().equals(expectedEtag)) {
            return Optional.empty();
        }
        Stored s = stored(key, data);
        if (!objects.replace(key, current, s)) {
            return Optional.empty();
        }
        writes.incrementAndGet();
        return Optional.of(s.info());
    }

    @Override
    public ListPage list(String prefix, @Nullable String pageToken, int pageSize) {
        StoreKeys.requireValidPrefix(prefix);
        if (pageSize < 1) {
            throw DrException.invalidArgument("pageSize", "must be >= 1", pageSize);
        }
        if (pageToken != null && (pageToken.isEmpty() || !pageToken.startsWith(prefix))) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT,
                    "Page token '" + pageToken + "' was not issued for prefix '" + prefix + "'", "pageToken");
        }
        Map<String, Stored> tail = pageToken == null ? objects.tailMap(prefix, true) : objects.tailMap(pageToken, false);
        List<ObjectInfo> page = new ArrayList<>();
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
        // Nothing to release; the objects stay readable through objects() after close.
    }

    @Override
    public String toString() {
        return "InMemoryStore[" + name + ", " + objects.size() + " objects]";
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
        return new Stored(copy, new ObjectInfo(key, copy.length, "v" + versions.incrementAndGet(), clock.instant()));
    }

    /** Orders keys by code point, as the store contract lists them (UTF-16 order differs above U+FFFF). */
    private static int compareKeys(String a, String b) {
        return Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());
    }
}
