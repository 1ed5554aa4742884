package dev.drkit.core.repository;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.ListPage;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/** Wraps a store: fails the Nth write (put or conditional create) when armed, or every call while down. */
final class FaultyStore implements SnapshotStore {
    private final SnapshotStore delegate;
    private final AtomicInteger puts = new AtomicInteger();
    volatile int failPut = -1;
    volatile boolean down;

    FaultyStore(SnapshotStore delegate) {
        this.delegate = delegate;
    }

    /** Fails the write that comes {@code n} writes from now (1 = the next one). */
    void failWriteAfter(int n) {
        failPut = puts.get() + n;
    }

    int writes() {
        return puts.get();
    }

    private void countWrite(String key) {
        if (puts.incrementAndGet() == failPut) {
            throw new DrException(ErrorCode.UNAVAILABLE, "Injected failure writing " + key, key);
        }
    }

    private void check(String key) {
        if (down) {
            throw new DrException(ErrorCode.UNAVAILABLE, "The store is down", key);
        }
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        check(key);
        return delegate.stat(key);
    }

    @Override
    public byte[] get(String key) {
        check(key);
        return delegate.get(key);
    }

    @Override
    public byte[] get(String key, long offset, int length) {
        check(key);
        return delegate.get(key, offset, length);
    }

    @Override
    public ObjectInfo put(String key, byte[] data) {
        check(key);
        countWrite(key);
        return delegate.put(key, data);
    }

    @Override
    public Optional<ObjectInfo> putIfAbsent(String key, byte[] data) {
        check(key);
        countWrite(key);
        return delegate.putIfAbsent(key, data);
    }

    @Override
    public Optional<ObjectInfo> replace(String key, byte[] data, String expectedEtag) {
        check(key);
        return delegate.replace(key, data, expectedEtag);
    }

    @Override
    public ListPage list(String prefix, @Nullable String pageToken, int pageSize) {
        check(prefix);
        return delegate.list(prefix, pageToken, pageSize);
    }

    @Override
    public void delete(String key) {
        check(key);
        delegate.delete(key);
    }

    @Override
    public String describe() {
        return "faulty:" + delegate.describe();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
