package dev.drkit.core.repository.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.SnapshotStore;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;

/**
 * The in-memory index: where every stored blob lies. Index files ({@code index/<id>}) are
 * sealed lists of packs and their entries. Thread-safe.
 */
public final class Index {
    /** The key prefix of index files. */
    public static final String PREFIX = "index/";
    private static final HexFormat HEX = HexFormat.of();

    /**
     * Where a blob lies.
     *
     * @param packId the pack's id
     * @param entry the blob's entry in that pack
     */
    public record Location(String packId, PackEntry entry) {
    }

    /**
     * One pack as an index file lists it.
     *
     * @param packId the pack's id
     * @param entries its blobs
     */
    public record PackRecord(String packId, List<PackEntry> entries) {
    }

    private final Map<BlobId, Location> blobs = new ConcurrentHashMap<>();
    private final Map<String, List<PackEntry>> packs = new ConcurrentHashMap<>();
    private final Set<String> files = ConcurrentHashMap.newKeySet();

    /**
     * Loads every index file of the repository, several at a time.
     *
     * @param store the store
     * @param crypto the keys
     * @param pool the threads that fetch files
     * @return the index
     */
    public static Index load(SnapshotStore store, Crypto crypto, ExecutorService pool) {
        Index index = new Index();
        List<String> keys = store.list(PREFIX).map(o -> o.key()).toList();
        List<Future<List<PackRecord>>> parts = new ArrayList<>();
        for (String key : keys) {
            parts.add(pool.submit(() -> decode(crypto, store.get(key), key)));
        }
        for (int i = 0; i < keys.size(); i++) {
            try {
                for (PackRecord record : parts.get(i).get()) {
                    index.add(record);
                }
            } catch (ExecutionException e) {
                if (e.getCause() instanceof DrException dr && dr.code() == ErrorCode.NOT_FOUND) {
                    continue; // deleted by a concurrent prune
                }
                throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DrException(ErrorCode.CANCELLED, "Interrupted while loading the index", null, e);
            }
            index.files.add(keys.get(i).substring(PREFIX.length()));
        }
        return index;
    }

    /**
     * Builds the index from index files already fetched.
     *
     * @param files index file keys and their sealed bytes
     * @param crypto the keys
     * @param pool the threads that decode files
     * @return the index
     */
    public static Index fromFiles(Map<String, byte[]> files, Crypto crypto, ExecutorService pool) {
        Index index = new Index();
        List<Map.Entry<String, byte[]>> entries = new ArrayList<>(files.entrySet());
        List<Future<List<PackRecord>>> parts = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : entries) {
            parts.add(pool.submit(() -> decode(crypto, e.getValue(), e.getKey())));
        }
        for (int i = 0; i < entries.size(); i++) {
            try {
                for (PackRecord record : parts.get(i).get()) {
                    index.add(record);
                }
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DrException(ErrorCode.CANCELLED, "Interrupted while loading the index", null, e);
            }
            index.files.add(entries.get(i).getKey().substring(PREFIX.length()));
        }
        return index;
    }

    /**
     * Adds one pack's blobs.
     *
     * @param record the pack
     */
    public void add(PackRecord record) {
        packs.put(record.packId(), record.entries());
        for (PackEntry entry : record.entries()) {
            blobs.putIfAbsent(entry.id(), new Location(record.packId(), entry));
        }
    }

    /**
     * Finds a blob.
     *
     * @param id its id
     * @return where it lies, or {@code null}
     */
    public @Nullable Location find(BlobId id) {
        return blobs.get(id);
    }

    /**
     * Tells whether a blob is stored.
     *
     * @param id its id
     * @return true when indexed
     */
    public boolean contains(BlobId id) {
        return blobs.containsKey(id);
    }

    /** Returns the indexed packs and their entries. @return pack id to entries */
    public Map<String, List<PackEntry>> packs() {
        return packs;
    }

    /** Returns the ids of the index files this index was loaded from. @return the ids */
    public Set<String> files() {
        return files;
    }

    /** Returns how many blobs are indexed. @return the count */
    public int size() {
        return blobs.size();
    }

    /**
     * Encodes and seals an index file.
     *
     * <p>Version 2 starts with the file's own id, so that an index file's content cannot be
     * moved under another name unnoticed.
     *
     * @param crypto the keys
     * @param id the file's id: its key is {@code index/<id>}
     * @param records the packs
     * @return the sealed bytes
     */
    public static byte[] encode(Crypto crypto, String id, List<PackRecord> records) {
        int size = 1 + 16;
        for (PackRecord r : records) {
            size += 32 + 4 + r.entries().size() * PackEntry.ENCODED;
        }
        byte[] plain = new byte[size];
        plain[0] = 2;
        System.arraycopy(HEX.parseHex(id), 0, plain, 1, 16);
        int at = 1 + 16;
        for (PackRecord r : records) {
            System.arraycopy(HEX.parseHex(r.packId()), 0, plain, at, 32);
            PackEntry.putInt(plain, at + 32, r.entries().size());
            at += 36;
            for (PackEntry e : r.entries()) {
                e.encode(plain, at);
                at += PackEntry.ENCODED;
            }
        }
        return crypto.seal(plain, 0, plain.length);
    }

    /**
     * Opens and decodes an index file.
     *
     * @param crypto the keys
     * @param sealed the stored bytes
     * @param key the file's key, for messages
     * @return the packs it lists
     * @throws DrException {@code INTEGRITY} naming the key when it is damaged
     */
    public static List<PackRecord> decode(Crypto crypto, byte[] sealed, String key) {
        byte[] plain = crypto.open(sealed, 0, sealed.length, key);
        List<PackRecord> out = new ArrayList<>();
        try {
            if (plain[0] != 1 && plain[0] != 2) {
                throw new DrException(ErrorCode.INTEGRITY, "Index " + key + " has unknown version " + plain[0], key);
            }
            int at = 1;
            if (plain[0] == 2) {
                String id = HEX.formatHex(plain, 1, 17);
                if (!key.equals(PREFIX + id)) {
                    throw new DrException(ErrorCode.INTEGRITY, "Index " + key + " holds the content of " + PREFIX + id
                            + ": index files were swapped or copied", key);
                }
                at = 17;
            }
            while (at < plain.length) {
                String packId = HEX.formatHex(plain, at, at + 32);
                int n = PackEntry.getInt(plain, at + 32);
                at += 36;
                if (n < 0 || n > (plain.length - at) / PackEntry.ENCODED) {
                    throw new DrException(ErrorCode.INTEGRITY, "Index " + key + " lists " + n
                            + " entries for a pack, more than it holds", key);
                }
                List<PackEntry> entries = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    entries.add(PackEntry.decode(plain, at));
                    at += PackEntry.ENCODED;
                }
                out.add(new PackRecord(packId, List.copyOf(entries)));
            }
        } catch (RuntimeException e) {
            if (e instanceof DrException) {
                throw e;
            }
            throw new DrException(ErrorCode.INTEGRITY, "Index " + key + " is malformed", key, e);
        }
        return out;
    }
}
