package dev.drkit.core.coordination;

import dev.drkit.api.DrException;
import dev.drkit.api.store.ListPage;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.api.store.StoredObject;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A store that lets a write commit only while its writer's lease epoch is the newest: before
 * each put, conditional write or delete it fences the write through the {@link WriterLease}
 * (a compare-and-set in the coordinator that the coordinator refuses once a newer holder
 * exists), so a holder that was paused past its lease and resumed has its next commit refused
 * with {@code STALE_EPOCH} instead of overwriting its successor's work.
 *
 * <p>Objects under {@code data/} (packs) pass unfenced: they are immutable, named by content
 * and unreferenced until an index names them, so those a stale writer leaves behind are
 * removed by the next prune after its grace period. Everything else a repository writes
 * (index files, snapshot manifests, locks, deletions of prune and retention) is fenced, at the
 * cost of about two coordinator requests per write. As with any fencing on storage without
 * multi-object transactions, a write whose check passed just before the writer was paused may
 * still land; the next one is refused.
 */
public final class FencedStore implements SnapshotStore {
    /** The key prefix of pack files, written without fencing. */
    public static final String UNFENCED_PREFIX = "data/";

    private final SnapshotStore store;
    private final WriterLease writer;

    private FencedStore(SnapshotStore store, WriterLease writer) {
        this.store = store;
        this.writer = writer;
    }

    /**
     * Wraps a store so that its writes are fenced by a writer lease.
     *
     * @param store the store the repository lives in; closing the fenced store closes it
     * @param writer the lease whose holder may write
     * @return the fenced store
     */
    public static FencedStore of(SnapshotStore store, WriterLease writer) {
        return new FencedStore(Objects.requireNonNull(store, "store"), Objects.requireNonNull(writer, "writer"));
    }

    private void fence(String op, String key) {
        if (!key.startsWith(UNFENCED_PREFIX)) {
            writer.fence(op + " " + key);
        }
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        return store.stat(key);
    }

    @Override
    public byte[] get(String key) {
        return store.get(key);
    }

    @Override
    public Optional<StoredObject> getObject(String key) {
        return store.getObject(key);
    }

    @Override
    public byte[] get(String key, long offset, int length) {
        return store.get(key, offset, length);
    }

    @Override
    public int read(String key, long offset, byte[] into, int intoOffset, int length) {
        return store.read(key, offset, into, intoOffset, length);
    }

    @Override
    public int preferredReadSize() {
        return store.preferredReadSize();
    }

    /**
     * Puts an object once the write is fenced.
     *
     * @throws DrException {@code STALE_EPOCH} when the writer's epoch is stale (nothing is written)
     */
    @Override
    public ObjectInfo put(String key, byte[] data) {
        fence("put", key);
        return store.put(key, data);
    }

    /**
     * Puts part of an array once the write is fenced.
     *
     * @throws DrException {@code STALE_EPOCH} when the writer's epoch is stale (nothing is written)
     */
    @Override
    public ObjectInfo put(String key, byte[] data, int offset, int length) {
        fence("put", key);
        return store.put(key, data, offset, length);
    }

    /**
     * Creates an object once the write is fenced.
     *
     * @throws DrException {@code STALE_EPOCH} when the writer's epoch is stale (nothing is written)
     */
    @Override
    public Optional<ObjectInfo> putIfAbsent(String key, byte[] data) {
        fence("create", key);
        return store.putIfAbsent(key, data);
    }

    /**
     * Replaces an object once the write is fenced.
     *
     * @throws DrException {@code STALE_EPOCH} when the writer's epoch is stale (nothing is written)
     */
    @Override
    public Optional<ObjectInfo> replace(String key, byte[] data, String expectedEtag) {
        fence("replace", key);
        return store.replace(key, data, expectedEtag);
    }

    @Override
    public ListPage list(String prefix, @Nullable String pageToken, int pageSize) {
        return store.list(prefix, pageToken, pageSize);
    }

    /**
     * Deletes an object once the deletion is fenced.
     *
     * @throws DrException {@code STALE_EPOCH} when the writer's epoch is stale (nothing is deleted)
     */
    @Override
    public void delete(String key) {
        fence("delete", key);
        store.delete(key);
    }

    @Override
    public boolean createLocationIfMissing() {
        return store.createLocationIfMissing();
    }

    @Override
    public String describe() {
        return store.describe() + " fenced by lease " + writer.name();
    }

    @Override
    public void close() {
        store.close();
    }
}
