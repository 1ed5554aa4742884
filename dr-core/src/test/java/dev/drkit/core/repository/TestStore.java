package dev.drkit.core.repository;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.ListPage;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.api.store.StoreKeys;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/** A small in-memory store for the repository tests, with a settable clock for object times. */
public final class TestStore implements SnapshotStore {
    record Obj(byte[] data, String etag, Instant modified) {
    }

    final ConcurrentSkipListMap<String, Obj> objects = new ConcurrentSkipListMap<>();
    private final AtomicLong versions = new AtomicLong();
    volatile Clock clock = Clock.systemUTC();
    final AtomicLong writes = new AtomicLong();
    final AtomicLong rangedReads = new AtomicLong();
    final AtomicLong rangedBytesAsked = new AtomicLong();
    volatile int preferredReadSize = 4 << 20;

    @Override
    public int preferredReadSize() {
        return preferredReadSize;
    }

    private ObjectInfo info(String key, Obj o) {
        return new ObjectInfo(key, o.data().length, o.etag(), o.modified());
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        StoreKeys.requireValidKey(key);
        Obj o = objects.get(key);
        return o == null ? Optional.empty() : Optional.of(info(key, o));
    }

    @Override
    public byte[] get(String key) {
        StoreKeys.requireValidKey(key);
        Obj o = objects.get(key);
        if (o == null) {
            throw new DrException(ErrorCode.NOT_FOUND, "No object " + key, key);
        }
        return o.data().clone();
    }

    @Override
    public byte[] get(String key, long offset, int length) {
        rangedReads.incrementAndGet();
        rangedBytesAsked.addAndGet(length);
        byte[] all = get(key);
        if (offset >= all.length) {
            return new byte[0];
        }
        return Arrays.copyOfRange(all, (int) offset, (int) Math.min(all.length, offset + length));
    }

    @Override
    public ObjectInfo put(String key, byte[] data) {
        StoreKeys.requireValidKey(key);
        writes.incrementAndGet();
        Obj o = new Obj(data.clone(), "v" + versions.incrementAndGet(), clock.instant());
        objects.put(key, o);
        return info(key, o);
    }

    @Override
    public Optional<ObjectInfo> putIfAbsent(String key, byte[] data) {
        StoreKeys.requireValidKey(key);
        Obj o = new Obj(data.clone(), "v" + versions.incrementAndGet(), clock.instant());
        if (objects.putIfAbsent(key, o) != null) {
            return Optional.empty();
        }
        writes.incrementAndGet();
        return Optional.of(info(key, o));
    }

    @Override
    public Optional<ObjectInfo> replace(String key, byte[] data, String expectedEtag) {
        StoreKeys.requireValidKey(key);
        Obj old = objects.get(key);
        if (old == null || !old.etag().equals(expectedEtag)) {
            return Optional.empty();
        }
        Obj o = new Obj(data.clone(), "v" + versions.incrementAndGet(), clock.instant());
        return objects.replace(key, old, o) ? Optional.of(info(key, o)) : Optional.empty();
    }

    @Override
    public ListPage list(String prefix, @Nullable String pageToken, int pageSize) {
        StoreKeys.requireValidPrefix(prefix);
        List<ObjectInfo> out = new ArrayList<>();
        Map<String, Obj> tail = pageToken == null ? objects.tailMap(prefix, true) : objects.tailMap(pageToken, false);
        String last = null;
        for (Map.Entry<String, Obj> e : tail.entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                break;
            }
            if (out.size() == pageSize) {
                return new ListPage(out, last);
            }
            out.add(info(e.getKey(), e.getValue()));
            last = e.getKey();
        }
        return new ListPage(out, null);
    }

    @Override
    public void delete(String key) {
        StoreKeys.requireValidKey(key);
        objects.remove(key);
    }

    @Override
    public String describe() {
        return "mem:test";
    }

    @Override
    public void close() {
    }

    /** Flips one byte of an object in place. */
    void flipByte(String key, int offset) {
        Obj o = objects.get(key);
        byte[] data = o.data().clone();
        data[offset] ^= 0x5a;
        objects.put(key, new Obj(data, o.etag() + "x", o.modified()));
    }
}
