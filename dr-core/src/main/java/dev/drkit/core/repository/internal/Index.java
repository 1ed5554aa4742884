package dev.drkit.core.repository.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.SnapshotStore;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-memory index: where every stored blob lies. Index files ({@code index/<id>}) are
 * sealed lists of packs and their entries. Thread-safe.
 *
 * <p>Compact: each pack keeps its entries as they are encoded in an index file (45 bytes per
 * blob), and blobs are found through one open-addressing table of pack and entry numbers (8 bytes
 * a slot, at most half full), so a blob costs about 60 bytes and no object of its own; entries
 * are decoded when asked for. Lookups take no lock: adding publishes a pack before the slots that
 * point into it, and a grown table only once it is complete.
 */
public final class Index {
    private static final Logger LOG = LoggerFactory.getLogger(Index.class);
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

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int FIRST_SLOTS = 1 << 10;

    private final Map<String, Entries> packs = new ConcurrentHashMap<>();
    private final Set<String> files = ConcurrentHashMap.newKeySet();
    private final Map<String, DrException> damaged = new ConcurrentHashMap<>();
    /**
     * Slots: 0 when empty, else the pack's number in {@link #numbered} times 2^32 plus the entry's
     * position plus one. Written only under this index's lock, read without it.
     */
    private volatile long[] slots = new long[FIRST_SLOTS];
    /** The packs by number; an element is written before any slot names it. */
    private volatile Entries[] numbered = new Entries[16];
    private int packCount;
    private int blobCount;

    /**
     * One pack's entries, kept encoded and decoded when read.
     */
    private static final class Entries extends AbstractList<PackEntry> implements RandomAccess {
        private final String packId;
        private final byte[] encoded;
        private final int size;

        Entries(String packId, byte[] encoded, int size) {
            this.packId = packId;
            this.encoded = encoded;
            this.size = size;
        }

        static Entries of(String packId, List<PackEntry> entries) {
            if (entries instanceof Entries e && e.packId.equals(packId)) {
                return e;
            }
            byte[] encoded = new byte[entries.size() * PackEntry.ENCODED];
            int at = 0;
            for (PackEntry entry : entries) {
                entry.encode(encoded, at);
                at += PackEntry.ENCODED;
            }
            return new Entries(packId, encoded, entries.size());
        }

        @Override
        public PackEntry get(int i) {
            Objects.checkIndex(i, size);
            return PackEntry.decode(encoded, i * PackEntry.ENCODED);
        }

        @Override
        public int size() {
            return size;
        }

        /** Whether entry {@code i} has the id {@code id}. */
        boolean holds(int i, BlobId id) {
            return id.matches(encoded, i * PackEntry.ENCODED + 1);
        }

        /** Whether entry {@code i} has the id of {@code other}'s entry {@code j}. */
        boolean holds(int i, Entries other, int j) {
            int from = i * PackEntry.ENCODED + 1;
            int otherFrom = j * PackEntry.ENCODED + 1;
            return Arrays.equals(encoded, from, from + BlobId.LENGTH, other.encoded, otherFrom, otherFrom + BlobId.LENGTH);
        }

        /** Entry {@code i}, whose id is known to be {@code id}. */
        PackEntry get(int i, BlobId id) {
            return PackEntry.decode(encoded, i * PackEntry.ENCODED, id);
        }

        /** The first four bytes of entry {@code i}'s id: its hash. */
        int hash(int i) {
            return PackEntry.getInt(encoded, i * PackEntry.ENCODED + 1);
        }
    }

    /**
     * Leaves a damaged index file out, noting it: its packs look unindexed until
     * {@code repairIndex} lists them again, and prune refuses meanwhile. Other failures are not
     * left out.
     */
    private boolean leaveOut(String key, Throwable failure) {
        if (failure instanceof DrException dr && dr.code() == ErrorCode.INTEGRITY) {
            damaged.put(key, dr);
            LOG.warn("Index file {} is left out: {}; its packs hold the only copy of their blobs: run "
                    + "'dr repair index' (Repository.repairIndex) to list them again (until then a backup, restore "
                    + "or prune that needs them fails, and verify counts the packs as unindexed)", key,
                    dr.getMessage());
            return true;
        }
        return false;
    }

    /**
     * Returns the index files left out because they could not be read, each with why.
     *
     * @return key to the failure; empty when every file was read
     */
    public Map<String, DrException> damaged() {
        return Map.copyOf(damaged);
    }

    /**
     * Loads every index file of the repository, several at a time; a damaged one is left out
     * (see {@link #damaged()}).
     *
     * @param store the store
     * @param crypto the keys
     * @param pool the threads that fetch files
     * @return the index
     */
    public static Index load(SnapshotStore store, Crypto crypto, ExecutorService pool) {
        Index index = new Index();
        index.addFiles(store, crypto, pool, store.list(PREFIX).map(o -> o.key()).toList());
        return index;
    }

    /**
     * Adds the packs that index files list, several files fetched at a time: those another
     * repository object on the same store wrote after this index was loaded. A damaged file is
     * left out (see {@link #damaged()}); one deleted meanwhile, by a concurrent prune, is skipped.
     * A blob indexed already keeps the location it has.
     *
     * @param store the store
     * @param crypto the keys
     * @param pool the threads that fetch files
     * @param keys the index files' keys, {@code index/<id>}
     * @throws DrException a storage failure other than a missing file; {@code CANCELLED} when
     *     interrupted
     */
    public void addFiles(SnapshotStore store, Crypto crypto, ExecutorService pool, List<String> keys) {
        List<Future<List<PackRecord>>> parts = new ArrayList<>();
        for (String key : keys) {
            parts.add(pool.submit(() -> decode(crypto, store.get(key), key)));
        }
        for (int i = 0; i < keys.size(); i++) {
            try {
                for (PackRecord record : parts.get(i).get()) {
                    add(record);
                }
            } catch (ExecutionException e) {
                if (e.getCause() instanceof DrException dr && dr.code() == ErrorCode.NOT_FOUND) {
                    continue; // deleted by a concurrent prune
                }
                if (leaveOut(keys.get(i), e.getCause())) {
                    continue;
                }
                throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DrException(ErrorCode.CANCELLED, "Interrupted while loading the index", null, e);
            }
            files.add(keys.get(i).substring(PREFIX.length()));
        }
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
                if (index.leaveOut(entries.get(i).getKey(), e.getCause())) {
                    continue;
                }
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
     * Adds one pack's blobs. A blob indexed already keeps the location it has.
     *
     * @param record the pack
     */
    public void add(PackRecord record) {
        Entries entries = Entries.of(record.packId(), record.entries());
        synchronized (this) {
            Entries[] byNumber = numbered;
            if (packCount == byNumber.length) {
                byNumber = Arrays.copyOf(byNumber, byNumber.length * 2);
                numbered = byNumber;
            }
            int number = packCount++;
            byNumber[number] = entries;
            numbered = byNumber; // publishes the element before any slot names it
            if ((long) (blobCount + entries.size) * 2 > slots.length) {
                slots = rehash(slots, blobCount + entries.size, byNumber);
            }
            long[] table = slots;
            int mask = table.length - 1;
            for (int i = 0; i < entries.size; i++) {
                int at = spread(entries.hash(i)) & mask;
                boolean known = false;
                long v;
                while ((v = table[at]) != 0) {
                    if (at(byNumber, v).holds((int) v - 1, entries, i)) {
                        known = true;
                        break;
                    }
                    at = (at + 1) & mask;
                }
                if (!known) {
                    SLOT.setRelease(table, at, (long) number << 32 | (i + 1));
                    blobCount++;
                }
            }
            packs.put(record.packId(), entries);
        }
    }

    private static Entries at(Entries[] byNumber, long slot) {
        return byNumber[(int) (slot >>> 32)];
    }

    private static int spread(int hash) {
        return hash ^ hash >>> 16;
    }

    /** A table for {@code blobs} blobs, at most half full, holding every slot of {@code old}. */
    private static long[] rehash(long[] old, int blobs, Entries[] byNumber) {
        int length = old.length;
        while ((long) blobs * 2 > length) {
            length *= 2;
        }
        long[] table = new long[length];
        int mask = length - 1;
        for (long v : old) {
            if (v != 0) {
                int at = spread(at(byNumber, v).hash((int) v - 1)) & mask;
                while (table[at] != 0) {
                    at = (at + 1) & mask;
                }
                table[at] = v;
            }
        }
        return table;
    }

    /**
     * Finds a blob.
     *
     * @param id its id
     * @return where it lies, or {@code null}
     */
    public @Nullable Location find(BlobId id) {
        long v = slotOf(id);
        if (v == 0) {
            return null;
        }
        Entries entries = at(numbered, v);
        return new Location(entries.packId, entries.get((int) v - 1, id));
    }

    /**
     * Tells whether a blob is stored.
     *
     * @param id its id
     * @return true when indexed
     */
    public boolean contains(BlobId id) {
        return slotOf(id) != 0;
    }

    /** The slot naming {@code id}, or 0. */
    private long slotOf(BlobId id) {
        long[] table = slots;
        int mask = table.length - 1;
        int at = spread(id.hashCode()) & mask;
        long v;
        while ((v = (long) SLOT.getAcquire(table, at)) != 0) {
            // read after the slot: the packs array then holds the pack the slot names
            if (at(numbered, v).holds((int) v - 1, id)) {
                return v;
            }
            at = (at + 1) & mask;
        }
        return 0;
    }

    /**
     * Returns the indexed packs and their entries, a read-only view.
     *
     * @return pack id to entries
     */
    public Map<String, List<PackEntry>> packs() {
        return Collections.unmodifiableMap(packs);
    }

    /** Returns the ids of the index files this index was loaded from. @return the ids */
    public Set<String> files() {
        return files;
    }

    /** Returns how many blobs are indexed. @return the count */
    public synchronized int size() {
        return blobCount;
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
                for (int i = 0; i < n; i++) {
                    BlobType.ofCode(plain[at + i * PackEntry.ENCODED]); // checks the type now, not when it is read
                }
                byte[] entries = Arrays.copyOfRange(plain, at, at + n * PackEntry.ENCODED);
                at += n * PackEntry.ENCODED;
                out.add(new PackRecord(packId, new Entries(packId, entries, n)));
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
