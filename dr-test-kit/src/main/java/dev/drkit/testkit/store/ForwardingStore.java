package dev.drkit.testkit.store;

import dev.drkit.api.store.ListPage;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A store that passes every call to another, so that a test overrides only the calls it
 * intercepts (a first {@code stat} that misses, a write that races, a recorded read). The
 * interface's default {@code read} into an array, {@code put} of part of an array and
 * {@code getObject} are not forwarded: they go through {@link #get(String, long, int)},
 * {@link #put(String, byte[])}, {@link #stat} and {@link #get(String)}, so that an override of
 * those sees every read and write. A subclass that counts requests and wants the wrapped
 * store's own one-request {@code getObject} overrides it to call {@code delegate().getObject}.
 */
public class ForwardingStore implements SnapshotStore {
    private final SnapshotStore delegate;

    /**
     * Wraps a store.
     *
     * @param delegate the store every call goes to
     */
    public ForwardingStore(SnapshotStore delegate) {
        this.delegate = delegate;
    }

    /**
     * Returns the wrapped store.
     *
     * @return the store every call goes to
     */
    protected SnapshotStore delegate() {
        return delegate;
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        return delegate.stat(key);
    }

    @Override
    public byte[] get(String key) {
        return delegate.get(key);
    }

    @Override
    public byte[] get(String key, long offset, int length) {
        return delegate.get(key, offset, length);
    }

    @Override
    public int preferredReadSize() {
        return delegate.preferredReadSize();
    }

    @Override
    public ObjectInfo put(String key, byte[] data) {
        return delegate.put(key, data);
    }

    @Override
    public Optional<ObjectInfo> putIfAbsent(String key, byte[] data) {
        return delegate.putIfAbsent(key, data);
    }

    @Override
    public Optional<ObjectInfo> replace(String key, byte[] data, String expectedEtag) {
        return delegate.replace(key, data, expectedEtag);
    }

    @Override
    public ListPage list(String prefix, @Nullable String pageToken, int pageSize) {
        return delegate.list(prefix, pageToken, pageSize);
    }

    @Override
    public void delete(String key) {
        delegate.delete(key);
    }

    @Override
    public boolean createLocationIfMissing() {
        return delegate.createLocationIfMissing();
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
