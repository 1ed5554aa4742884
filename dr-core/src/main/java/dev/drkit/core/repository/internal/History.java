package dev.drkit.core.repository.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.api.store.StoredObject;
import dev.drkit.core.repository.VerifyReport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;

/**
 * The tamper-evident history of a repository's snapshots and index files.
 *
 * <p>Every change (a backup's or a copy's new snapshot, a forget's removals, a prune's index
 * replacement, a key added or removed) is one <em>entry</em>: its sequence number, the keyed
 * hash of the entry before it, the time, the operation, and the snapshots, index files and key
 * files it adds and removes, each
 * snapshot with the keyed hash of its sealed manifest. An entry's hash is
 * {@link Crypto#tag HMAC-SHA-256} under a key derived from the master key, so an entry cannot
 * be forged, reordered or replayed without the chain breaking.
 *
 * <p>{@code history/head} holds the newest entry, its hash and the state it leaves (the live
 * snapshots with their hashes, the live index files, and what was removed), sealed with the
 * master key. It is replaced with a conditional write on its ETag, which is the point where
 * writers are ordered: of two racing commits one fails the condition and retries on the new
 * head. Each entry is also archived under {@code history/entries/<seq>}, once, by conditional
 * create. The head is written first and archived second, so a crash between the two leaves
 * only the newest entry unarchived, and the head holds all of it; any later gap is damage.
 *
 * <p>What a single deletion or overwrite can no longer hide: a deleted, swapped or replayed
 * manifest (the head records each live one's hash and every removed one), a deleted index file,
 * a deleted or altered entry (the chain and the head), and an older head put back (entries
 * after it exist). Hiding a snapshot entirely takes several coordinated changes; the out-of-band
 * head digest ({@link Check#headDigest()}) catches those when the operator kept it.
 *
 * <p>Repositories made before the history existed have no head; the first commit starts the
 * chain and adopts the snapshots and index files found then.
 */
public final class History {
    /** The key prefix of history objects. */
    public static final String PREFIX = "history/";
    /** The key of the head. */
    public static final String HEAD = PREFIX + "head";
    /** The key prefix of archived entries. */
    public static final String ENTRIES = PREFIX + "entries/";
    private static final String TAG_PURPOSE = "history";
    private static final int MAX_ATTEMPTS = 64;
    /** The operation of the first entry of a new repository. */
    static final String INIT = "init";
    /** What an operator can do about a missing or damaged head, for the errors that name it. */
    static final String HEAD_REMEDY = "run 'dr verify' (Repository.verify) to see what else is gone, then "
            + "'dr repair history' (Repository.repairHistory) to rebuild it from the archived entries";

    private History() {
    }

    /**
     * Returns the archive key of an entry.
     *
     * @param seq the entry's sequence number
     * @return the key
     */
    public static String entryKey(long seq) {
        return ENTRIES + String.format("%016d", seq);
    }

    /** One entry of the chain. Snapshots are given as {@code id:hash}. */
    record Entry(long seq, @Nullable String prev, String time, String op, List<String> added, List<String> removed,
            List<String> indexesAdded, List<String> indexesRemoved, List<String> keysAdded, List<String> keysRemoved) {
        byte[] encode() {
            return JsonCodec.write(g -> {
                g.writeStartObject();
                g.writeNumberProperty("version", 1);
                g.writeNumberProperty("seq", seq);
                JsonCodec.optional(g, "prev", prev);
                g.writeStringProperty("time", time);
                g.writeStringProperty("op", op);
                JsonCodec.strings(g, "added", added);
                JsonCodec.strings(g, "removed", removed);
                JsonCodec.strings(g, "indexesAdded", indexesAdded);
                JsonCodec.strings(g, "indexesRemoved", indexesRemoved);
                JsonCodec.strings(g, "keysAdded", keysAdded);
                JsonCodec.strings(g, "keysRemoved", keysRemoved);
                g.writeEndObject();
            });
        }

        static Entry decode(byte[] json) {
            JsonCodec.Fields f = JsonCodec.parse(json);
            if (f.integer("version") != 1) {
                throw new IllegalArgumentException("unknown history entry version " + f.integer("version"));
            }
            return new Entry(f.number("seq"), f.optString("prev"), f.string("time"), f.string("op"),
                    f.strings("added"), f.strings("removed"), f.strings("indexesAdded"), f.strings("indexesRemoved"),
                    f.strings("keysAdded"), f.strings("keysRemoved"));
        }
    }

    /**
     * The state the chain leaves: live snapshots (id to manifest hash), index files and key
     * files, and the removed ones of each.
     */
    record State(Map<String, String> snapshots, Set<String> removed, Set<String> indexes, Set<String> indexesRemoved,
            Set<String> keys, Set<String> keysRemoved) {
        static State empty() {
            return new State(new TreeMap<>(), new TreeSet<>(), new TreeSet<>(), new TreeSet<>(), new TreeSet<>(),
                    new TreeSet<>());
        }

        State copy() {
            return new State(new TreeMap<>(snapshots), new TreeSet<>(removed), new TreeSet<>(indexes),
                    new TreeSet<>(indexesRemoved), new TreeSet<>(keys), new TreeSet<>(keysRemoved));
        }

        void apply(Entry e) {
            for (String s : e.added()) {
                int colon = s.indexOf(':');
                snapshots.put(s.substring(0, colon), s.substring(colon + 1));
            }
            for (String id : e.removed()) {
                snapshots.remove(id);
                removed.add(id);
            }
            indexes.addAll(e.indexesAdded());
            for (String id : e.indexesRemoved()) {
                indexes.remove(id);
                indexesRemoved.add(id);
            }
            keys.addAll(e.keysAdded());
            for (String id : e.keysRemoved()) {
                keys.remove(id);
                keysRemoved.add(id);
            }
        }
    }

    /** The head as stored: the newest entry's bytes, its hash and the state after it. */
    record Head(byte[] entryBytes, Entry entry, String hash, State state) {
        byte[] encode() {
            return JsonCodec.write(g -> {
                g.writeStartObject();
                g.writeNumberProperty("version", 1);
                g.writeStringProperty("entry", Base64.getEncoder().encodeToString(entryBytes));
                g.writeStringProperty("hash", hash);
                List<String> live = new ArrayList<>();
                state.snapshots().forEach((id, h) -> live.add(id + ":" + h));
                JsonCodec.strings(g, "snapshots", live);
                JsonCodec.strings(g, "removed", List.copyOf(state.removed()));
                JsonCodec.strings(g, "indexes", List.copyOf(state.indexes()));
                JsonCodec.strings(g, "indexesRemoved", List.copyOf(state.indexesRemoved()));
                JsonCodec.strings(g, "keys", List.copyOf(state.keys()));
                JsonCodec.strings(g, "keysRemoved", List.copyOf(state.keysRemoved()));
                g.writeEndObject();
            });
        }

        static Head decode(byte[] json) {
            JsonCodec.Fields f = JsonCodec.parse(json);
            if (f.integer("version") != 1) {
                throw new IllegalArgumentException("unknown history head version " + f.integer("version"));
            }
            byte[] entryBytes = Base64.getDecoder().decode(f.string("entry"));
            State state = State.empty();
            for (String s : f.strings("snapshots")) {
                int colon = s.indexOf(':');
                if (colon < 0) {
                    throw new IllegalArgumentException("malformed snapshot " + s);
                }
                state.snapshots().put(s.substring(0, colon), s.substring(colon + 1));
            }
            state.removed().addAll(f.strings("removed"));
            state.indexes().addAll(f.strings("indexes"));
            state.indexesRemoved().addAll(f.strings("indexesRemoved"));
            state.keys().addAll(f.strings("keys"));
            state.keysRemoved().addAll(f.strings("keysRemoved"));
            return new Head(entryBytes, Entry.decode(entryBytes), f.string("hash"), state);
        }

        String digest() {
            return entry.seq() + ":" + hash;
        }
    }

    /** A head read together with the ETag it had. */
    private record Read(Head head, String etag) {
    }

    /**
     * What a change adds and removes; the commit adds the snapshots and index files it finds
     * unrecorded (an interrupted backup's, or all of them in a repository older than the history).
     *
     * @param op the operation, for the record
     * @param added new snapshots: id to the keyed hash of their sealed manifest
     * @param removed snapshot ids removed
     * @param indexesRemoved index file ids removed
     * @param keysRemoved key file ids removed
     */
    public record Change(String op, Map<String, String> added, Set<String> removed, Set<String> indexesRemoved,
            Set<String> keysRemoved) {
        /**
         * A new snapshot.
         *
         * @param op the operation
         * @param id the snapshot id
         * @param hash its manifest's hash
         * @return the change
         */
        public static Change snapshot(String op, String id, String hash) {
            return new Change(op, Map.of(id, hash), Set.of(), Set.of(), Set.of());
        }

        /**
         * A change that only records what the commit finds: a new repository, a new key file.
         *
         * @param op the operation
         * @return the change
         */
        public static Change found(String op) {
            return new Change(op, Map.of(), Set.of(), Set.of(), Set.of());
        }

        /**
         * A key file removed.
         *
         * @param keyId the key's id
         * @return the change
         */
        public static Change keyRemoved(String keyId) {
            return new Change("key-remove", Map.of(), Set.of(), Set.of(), Set.of(keyId));
        }
    }

    /**
     * Returns the keyed hash of a sealed manifest, as the history records it.
     *
     * @param crypto the keys
     * @param sealed the manifest's stored bytes
     * @return the hash
     */
    public static String manifestHash(Crypto crypto, byte[] sealed) {
        return crypto.tag("manifest", sealed);
    }

    /**
     * Tells whether the repository must have a history: one was started, or it was made with
     * one and holds snapshots other than {@code own} (an init interrupted before its first
     * entry leaves a repository without either, which the next commit starts).
     *
     * @param engine the repository
     * @param own snapshots the caller has just written
     * @return true when a missing head is damage
     */
    static boolean expected(Engine engine, Set<String> own) {
        SnapshotStore store = engine.store();
        if (store.list(PREFIX).findAny().isPresent()) {
            return true;
        }
        return engine.configVersion() >= 2 && store.list(Engine.SNAPSHOTS)
                .anyMatch(o -> !own.contains(o.key().substring(Engine.SNAPSHOTS.length())));
    }

    /**
     * Appends an entry for a change, retrying when another writer appended first.
     *
     * @param engine the repository
     * @param change what changed
     * @return the bytes written
     * @throws DrException {@code INTEGRITY} naming the head when it is missing or damaged;
     *     {@code PRECONDITION_FAILED} when other writers kept winning
     */
    public static long commit(Engine engine, Change change) {
        SnapshotStore store = engine.store();
        Crypto crypto = engine.crypto();
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Read read = readHead(engine);
            if (read == null && !change.op().equals(INIT) && expected(engine, change.added().keySet())) {
                throw new DrException(ErrorCode.INTEGRITY, HEAD + " is missing: the snapshot history was deleted; "
                        + HEAD_REMEDY, HEAD);
            }
            State state = read == null ? State.empty() : read.head().state().copy();
            Map<String, String> added = new TreeMap<>(change.added());
            // The three listings and the catching up go out together: on a cloud store each is a
            // round trip. What the head's entry removed is in the state, so a listing that still
            // finds it leaves it alone.
            ExecutorService requests = Executors.newFixedThreadPool(3, Engine.daemonThreads("dr-history"));
            CompletableFuture<List<ObjectInfo>> indexFiles;
            CompletableFuture<List<ObjectInfo>> keyFiles;
            CompletableFuture<Void> caughtUp;
            List<ObjectInfo> manifests;
            try {
                // The newest entry may be unarchived after a crash, and what it removed still present.
                caughtUp = read == null ? CompletableFuture.completedFuture(null) : CompletableFuture.runAsync(() -> {
                    archive(store, crypto, read.head(), true);
                    finishRemovals(store, read.head().entry());
                }, requests);
                indexFiles = CompletableFuture.supplyAsync(() -> store.list(Index.PREFIX).toList(), requests);
                keyFiles = CompletableFuture.supplyAsync(() -> store.list(KeyRing.PREFIX).toList(), requests);
                manifests = store.list(Engine.SNAPSHOTS).toList();
            } finally {
                requests.shutdown();
            }
            for (ObjectInfo info : manifests) {
                String id = info.key().substring(Engine.SNAPSHOTS.length());
                if (!added.containsKey(id) && !state.snapshots().containsKey(id) && !state.removed().contains(id)
                        && !change.removed().contains(id)) {
                    String hash = adoptable(engine, id);
                    if (hash != null) {
                        added.put(id, hash);
                    }
                }
            }
            List<String> indexesAdded = new ArrayList<>();
            for (ObjectInfo info : Engine.join(indexFiles)) {
                String id = info.key().substring(Index.PREFIX.length());
                if (!state.indexes().contains(id) && !state.indexesRemoved().contains(id)
                        && !change.indexesRemoved().contains(id)) {
                    indexesAdded.add(id);
                }
            }
            List<String> keysAdded = new ArrayList<>();
            for (ObjectInfo info : Engine.join(keyFiles)) {
                String id = info.key().substring(KeyRing.PREFIX.length());
                if (!state.keys().contains(id) && !state.keysRemoved().contains(id)
                        && !change.keysRemoved().contains(id) && KeyRing.authentic(store, info.key(), crypto)) {
                    keysAdded.add(id);
                }
            }
            List<String> addedList = new ArrayList<>();
            added.forEach((id, hash) -> addedList.add(id + ":" + hash));
            Entry entry = new Entry(read == null ? 1 : read.head().entry().seq() + 1,
                    read == null ? null : read.head().hash(), engine.options().clock().instant().toString(),
                    change.op(), addedList, List.copyOf(new TreeSet<>(change.removed())), indexesAdded,
                    List.copyOf(new TreeSet<>(change.indexesRemoved())), keysAdded,
                    List.copyOf(new TreeSet<>(change.keysRemoved())));
            state.apply(entry);
            byte[] entryBytes = entry.encode();
            Head head = new Head(entryBytes, entry, crypto.tag(TAG_PURPOSE, entryBytes), state);
            byte[] plain = head.encode();
            byte[] sealed = crypto.seal(plain, 0, plain.length);
            // The head's entry is archived before another head takes its place.
            Engine.join(caughtUp);
            Optional<ObjectInfo> written = read == null ? store.putIfAbsent(HEAD, sealed)
                    : store.replace(HEAD, sealed, read.etag());
            if (written.isPresent()) {
                return sealed.length + archive(store, crypto, head, false);
            }
            // another writer committed first: start again from its head
        }
        throw new DrException(ErrorCode.PRECONDITION_FAILED, "Other writers kept changing " + HEAD + " for "
                + MAX_ATTEMPTS + " attempts", HEAD);
    }

    /** Returns the hash of an unrecorded manifest that opens with the key, or null to leave it. */
    private static @Nullable String adoptable(Engine engine, String id) {
        try {
            byte[] sealed = engine.store().get(Engine.SNAPSHOTS + id);
            engine.crypto().open(sealed, 0, sealed.length, Engine.SNAPSHOTS + id);
            return manifestHash(engine.crypto(), sealed);
        } catch (DrException e) {
            return null; // gone meanwhile, or damaged: verify names it
        }
    }

    /**
     * Archives the head's entry unless it is; returns the bytes written. An entry that is most
     * likely archived is looked for first, which is cheaper than sending it; a new one is sent
     * at once, and the conditional write keeps one that a crash left archived.
     */
    private static long archive(SnapshotStore store, Crypto crypto, Head head, boolean likelyArchived) {
        String key = entryKey(head.entry().seq());
        if (likelyArchived && store.stat(key).isPresent()) {
            return 0;
        }
        byte[] sealed = crypto.seal(head.entryBytes(), 0, head.entryBytes().length);
        return store.putIfAbsent(key, sealed).isPresent() ? sealed.length : 0;
    }

    /** Deletes what an entry removed, when a crash left it behind. */
    static void finishRemovals(SnapshotStore store, Entry entry) {
        for (String id : entry.removed()) {
            store.delete(Engine.SNAPSHOTS + id);
        }
        for (String id : entry.indexesRemoved()) {
            store.delete(Index.PREFIX + id);
        }
        for (String id : entry.keysRemoved()) {
            store.delete(KeyRing.PREFIX + id);
        }
    }

    /**
     * Reads the head with the ETag it had, or null when there is none.
     *
     * @throws DrException {@code INTEGRITY} naming the head when it is damaged
     */
    private static @Nullable Read readHead(Engine engine) {
        // One request where the store returns the ETag with the bytes (S3, Azure Blob).
        Optional<StoredObject> read = engine.store().getObject(HEAD);
        return read.map(o -> new Read(decodeHead(engine.crypto(), o.data()), o.etag())).orElse(null);
    }

    /** Opens the head, naming the remedy when it is damaged. */
    private static Head decodeHead(Crypto crypto, byte[] sealed) {
        try {
            return decodeHeadAlone(crypto, sealed);
        } catch (DrException e) {
            if (e.code() != ErrorCode.INTEGRITY) {
                throw e;
            }
            throw new DrException(ErrorCode.INTEGRITY, e.getMessage() + "; " + HEAD_REMEDY
                    + ", or restore with --allow-unverified-history (RestoreOptions.withAllowUnverifiedHistory)",
                    HEAD, e);
        }
    }

    private static Head decodeHeadAlone(Crypto crypto, byte[] sealed) {
        byte[] plain = crypto.open(sealed, 0, sealed.length, HEAD);
        Head head;
        try {
            head = Head.decode(plain);
        } catch (RuntimeException e) {
            throw new DrException(ErrorCode.INTEGRITY, HEAD + " is malformed", HEAD, e);
        }
        if (!crypto.tag(TAG_PURPOSE, head.entryBytes()).equals(head.hash())) {
            throw new DrException(ErrorCode.INTEGRITY, HEAD + " does not match the hash of its own entry", HEAD);
        }
        return head;
    }

    private static Entry decodeEntry(Crypto crypto, byte[] sealed, String key) {
        byte[] plain = crypto.open(sealed, 0, sealed.length, key);
        try {
            return Entry.decode(plain);
        } catch (RuntimeException e) {
            throw new DrException(ErrorCode.INTEGRITY, "History entry " + key + " is malformed", key, e);
        }
    }

    /**
     * Returns the ids of the snapshots the history records as present.
     *
     * @param engine the repository
     * @return the ids; empty without a history
     * @throws DrException {@code INTEGRITY} naming the head when it is damaged
     */
    public static Set<String> recordedSnapshots(Engine engine) {
        Read read = readHead(engine);
        return read == null ? Set.of() : Set.copyOf(read.head().state().snapshots().keySet());
    }

    /**
     * Returns the ids of the snapshots the history records as present, refusing a head that was
     * deleted from a repository that must have one.
     *
     * @param engine the repository
     * @return the ids; empty without a history yet
     * @throws DrException {@code INTEGRITY} naming the head when it is damaged, or missing where
     *     a history was started
     */
    public static Set<String> recordedSnapshotsOfPresentHead(Engine engine) {
        Read read = readHead(engine);
        if (read == null && expected(engine, Set.of())) {
            throw new DrException(ErrorCode.INTEGRITY, HEAD + " is missing: the snapshot history was deleted; "
                    + HEAD_REMEDY, HEAD);
        }
        return read == null ? Set.of() : Set.copyOf(read.head().state().snapshots().keySet());
    }

    /**
     * What {@link #rebuild} did.
     *
     * @param before the head as found: {@code sound}, {@code missing}, or {@code damaged: } and why
     * @param seq the sequence number of the newest entry the head was rebuilt from (the head's, when sound)
     * @param snapshots how many snapshots the rebuilt head records
     * @param digest the new head's digest, {@code <seq>:<hash>}
     * @param changed whether a head was written
     */
    public record Rebuilt(String before, long seq, int snapshots, String digest, boolean changed) {
    }

    /**
     * Writes a new head from the archived entries when the head is missing or damaged: the chain
     * from entry 1 is read and verified (each entry opens with the key, has its sequence number
     * and names its predecessor's hash), and the head takes the newest entry and the state they
     * leave. A sound head is left alone. Not done when an entry is missing or damaged, since the
     * state after it cannot be known. What the deleted head alone held (its newest entry, when a
     * crash came between writing the head and archiving the entry) and anything removed together
     * with the head (entries after the newest one left) cannot be detected: only a head digest
     * kept out of band tells.
     *
     * @param engine the repository, locked exclusively by the caller
     * @return what was done
     * @throws DrException {@code INTEGRITY} naming the first archived entry that is missing or does
     *     not verify, or when no entry is archived; {@code PRECONDITION_FAILED} when another writer
     *     wrote a head meanwhile
     */
    public static Rebuilt rebuild(Engine engine) {
        SnapshotStore store = engine.store();
        Crypto crypto = engine.crypto();
        Optional<StoredObject> found = store.getObject(HEAD);
        String before = "missing";
        if (found.isPresent()) {
            try {
                Head head = decodeHeadAlone(crypto, found.get().data());
                return new Rebuilt("sound", head.entry().seq(), head.state().snapshots().size(), head.digest(), false);
            } catch (DrException e) {
                if (e.code() != ErrorCode.INTEGRITY) {
                    throw e;
                }
                before = "damaged: " + e.getMessage();
            }
        }
        TreeMap<Long, String> archived = new TreeMap<>();
        for (ObjectInfo info : store.list(ENTRIES).toList()) {
            String rest = info.key().substring(ENTRIES.length());
            if (rest.length() == 16 && rest.chars().allMatch(c -> c >= '0' && c <= '9')) {
                archived.put(Long.parseLong(rest), info.key());
            }
        }
        if (archived.isEmpty()) {
            throw new DrException(ErrorCode.INTEGRITY, HEAD + " cannot be rebuilt: no entry is archived under "
                    + ENTRIES, HEAD);
        }
        State state = State.empty();
        String prev = null;
        Entry last = null;
        byte[] lastBytes = null;
        long seq = 0;
        for (Map.Entry<Long, String> a : archived.entrySet()) {
            seq++;
            String key = entryKey(seq);
            if (a.getKey() != seq) {
                throw new DrException(ErrorCode.INTEGRITY, HEAD + " cannot be rebuilt: " + key + " is missing and "
                        + a.getValue() + " exists, so the history after entry " + (seq - 1) + " cannot be known", key);
            }
            byte[] entryBytes;
            Entry entry;
            try {
                byte[] sealed = store.get(key);
                entryBytes = crypto.open(sealed, 0, sealed.length, key);
                entry = decodeEntryBytes(entryBytes, key);
            } catch (DrException e) {
                throw new DrException(ErrorCode.INTEGRITY, HEAD + " cannot be rebuilt: " + e.getMessage(), key, e);
            }
            if (entry.seq() != seq || !Objects.equals(entry.prev(), prev)) {
                throw new DrException(ErrorCode.INTEGRITY, HEAD + " cannot be rebuilt: " + key + " does not follow "
                        + "entry " + (seq - 1) + " (another sequence number or predecessor): the chain was altered", key);
            }
            state.apply(entry);
            prev = crypto.tag(TAG_PURPOSE, entryBytes);
            last = entry;
            lastBytes = entryBytes;
        }
        Head head = new Head(lastBytes, last, prev, state);
        byte[] plain = head.encode();
        byte[] sealed = crypto.seal(plain, 0, plain.length);
        Optional<ObjectInfo> written = found.isPresent() ? store.replace(HEAD, sealed, found.get().etag())
                : store.putIfAbsent(HEAD, sealed);
        if (written.isEmpty()) {
            throw new DrException(ErrorCode.PRECONDITION_FAILED, HEAD + " was written by another writer while it "
                    + "was rebuilt; run 'dr verify'", HEAD);
        }
        return new Rebuilt(before, last.seq(), state.snapshots().size(), head.digest(), true);
    }

    private static Entry decodeEntryBytes(byte[] plain, String key) {
        try {
            return Entry.decode(plain);
        } catch (RuntimeException e) {
            throw new DrException(ErrorCode.INTEGRITY, "History entry " + key + " is malformed", key, e);
        }
    }

    /**
     * Returns the ids of the index files the history records as present.
     *
     * @param engine the repository
     * @return the ids; empty without a history
     * @throws DrException {@code INTEGRITY} naming the head when it is damaged
     */
    public static Set<String> recordedIndexes(Engine engine) {
        Read read = readHead(engine);
        return read == null ? Set.of() : Set.copyOf(read.head().state().indexes());
    }

    /**
     * What a restore's check of the history reads before it: the head, and whether the entry
     * after the head's is archived (which would mean an earlier head was put back).
     */
    public static final class RestorePremise {
        private final @Nullable Head head;
        private final CompletableFuture<Boolean> nextArchived;

        private RestorePremise(@Nullable Head head, CompletableFuture<Boolean> nextArchived) {
            this.head = head;
            this.nextArchived = nextArchived;
        }
    }

    /**
     * Reads the head for {@link #checkForRestore} and sends the look for the entry after it
     * to {@code requests}, so that the restore's listing of snapshots goes out beside it. A
     * restore only reads the head: one {@code GET} serves, without the conditional read a commit
     * needs to replace it. The snapshots are listed after this returns, so that every snapshot
     * the head records was stored before the listing.
     *
     * @param engine the repository
     * @param requests where the look for the next entry runs
     * @return the premise
     * @throws DrException {@code INTEGRITY} naming the head when it is damaged
     */
    public static RestorePremise readForRestore(Engine engine, Executor requests) {
        SnapshotStore store = engine.store();
        byte[] sealed;
        try {
            sealed = store.get(HEAD);
        } catch (DrException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                return new RestorePremise(null, CompletableFuture.completedFuture(false));
            }
            throw e;
        }
        Head head = decodeHead(engine.crypto(), sealed);
        String next = entryKey(head.entry().seq() + 1);
        return new RestorePremise(head, CompletableFuture.supplyAsync(() -> store.stat(next).isPresent(), requests));
    }

    /**
     * Checks that a snapshot about to be restored is the one the history records, and, for
     * {@code latest}, that the history's head verifies and no recorded snapshot is missing.
     * The manifest checked is the one the restore reads ({@link Engine#manifestHash}).
     *
     * @param engine the repository
     * @param snapshotId the resolved snapshot id
     * @param latest whether the user asked for {@code latest}
     * @param listed the snapshot ids the listing that resolved it found
     * @param premise what {@link #readForRestore} read
     * @throws DrException {@code INTEGRITY} naming the object at fault
     */
    public static void checkForRestore(Engine engine, String snapshotId, boolean latest, Set<String> listed,
            RestorePremise premise) {
        Head head = premise.head;
        if (head == null) {
            if (expected(engine, Set.of())) {
                throw new DrException(ErrorCode.INTEGRITY, HEAD + " is missing: the snapshot history was deleted; "
                        + HEAD_REMEDY + ", or restore with --allow-unverified-history "
                        + "(RestoreOptions.withAllowUnverifiedHistory)", HEAD);
            }
            return; // a repository older than the history, with no commit since
        }
        if (Engine.join(premise.nextArchived)) {
            throw new DrException(ErrorCode.INTEGRITY, HEAD + " is older than " + entryKey(head.entry().seq() + 1)
                    + ": an earlier head was put back; run 'dr verify' (Repository.verify)", HEAD);
        }
        if (latest) {
            for (String id : head.state().snapshots().keySet()) {
                if (!listed.contains(id)) {
                    throw new DrException(ErrorCode.INTEGRITY, "Snapshot " + Engine.SNAPSHOTS + id
                            + " is missing but the history records it (it was deleted without forget), so 'latest' "
                            + "cannot tell whether it was the newest: run 'dr verify' (Repository.verify); name the snapshot "
                            + "to restore, give " + id + " up with 'dr forget " + id + "' (Repository.forgetSnapshots), "
                            + "or restore with --allow-unverified-history (RestoreOptions.withAllowUnverifiedHistory)",
                            Engine.SNAPSHOTS + id);
                }
            }
        }
        String key = Engine.SNAPSHOTS + snapshotId;
        String recorded = head.state().snapshots().get(snapshotId);
        if (recorded == null) {
            if (head.state().removed().contains(snapshotId) && !head.entry().removed().contains(snapshotId)) {
                throw new DrException(ErrorCode.INTEGRITY, "Snapshot " + key
                        + " was forgotten but is present again: an old manifest was put back", key);
            }
            return; // committed after the head was written, by a backup still running or interrupted
        }
        if (!engine.manifestHash(snapshotId).equals(recorded)) {
            throw new DrException(ErrorCode.INTEGRITY, "Snapshot " + key
                    + " does not match the history: it was replaced by another manifest", key);
        }
    }

    /** What the history check found. */
    public record Check(List<VerifyReport.Problem> problems, List<VerifyReport.Problem> notes,
            @Nullable String headDigest) {
    }

    /**
     * Checks the whole history against the store.
     *
     * @param engine the repository
     * @param expectedHead a head digest the operator kept, or null
     * @return problems, notes and the head's digest
     */
    public static Check verify(Engine engine, @Nullable String expectedHead) {
        SnapshotStore store = engine.store();
        Crypto crypto = engine.crypto();
        List<VerifyReport.Problem> problems = new ArrayList<>();
        List<VerifyReport.Problem> notes = new ArrayList<>();
        Map<Long, String> archived = new TreeMap<>();
        for (ObjectInfo info : store.list(PREFIX).toList()) {
            if (info.key().equals(HEAD)) {
                continue;
            }
            String rest = info.key().startsWith(ENTRIES) ? info.key().substring(ENTRIES.length()) : "";
            if (rest.length() == 16 && rest.chars().allMatch(c -> c >= '0' && c <= '9')) {
                archived.put(Long.parseLong(rest), info.key());
            } else {
                problems.add(new VerifyReport.Problem(info.key(), "not a history object"));
            }
        }
        Head head;
        try {
            Read read = readHead(engine);
            head = read == null ? null : read.head();
        } catch (DrException e) {
            problems.add(new VerifyReport.Problem(HEAD, e.getMessage()));
            return new Check(problems, notes, null);
        }
        if (head == null) {
            if (expected(engine, Set.of())) {
                problems.add(new VerifyReport.Problem(HEAD, "missing: the snapshot history was deleted"));
            } else {
                notes.add(new VerifyReport.Problem(HEAD, "no snapshot history yet (the repository predates it, "
                        + "or its init was interrupted); the next backup, forget or prune starts it"));
            }
            return new Check(problems, notes, null);
        }
        long headSeq = head.entry().seq();
        // Walk the chain from its first entry.
        State state = State.empty();
        Map<String, Long> addedAt = new HashMap<>();
        Map<String, Long> removedAt = new HashMap<>();
        Map<Long, String> hashes = new HashMap<>();
        String prev = null;
        boolean broken = false;
        boolean gaps = false;
        for (long seq = 1; seq <= headSeq; seq++) {
            String key = entryKey(seq);
            Entry entry;
            byte[] entryBytes;
            if (seq == headSeq) {
                entry = head.entry();
                entryBytes = head.entryBytes();
                if (!archived.containsKey(seq)) {
                    notes.add(new VerifyReport.Problem(key, "not archived yet (the newest entry; "
                            + HEAD + " holds it)"));
                } else {
                    checkArchivedHead(store, crypto, key, head, problems);
                }
            } else if (!archived.containsKey(seq)) {
                problems.add(new VerifyReport.Problem(key, "missing: entry " + seq + " of " + headSeq
                        + " was deleted from the snapshot history"));
                broken = true;
                gaps = true;
                continue;
            } else {
                try {
                    byte[] sealed = store.get(key);
                    entryBytes = crypto.open(sealed, 0, sealed.length, key);
                    entry = Entry.decode(entryBytes);
                } catch (DrException e) {
                    problems.add(new VerifyReport.Problem(key, e.getMessage()));
                    broken = true;
                    gaps = true;
                    continue;
                } catch (RuntimeException e) {
                    problems.add(new VerifyReport.Problem(key, "malformed history entry"));
                    broken = true;
                    gaps = true;
                    continue;
                }
            }
            if (entry.seq() != seq) {
                problems.add(new VerifyReport.Problem(key, "holds entry " + entry.seq() + " instead of " + seq
                        + ": the history was reordered or an entry replayed"));
                broken = true;
                gaps = true;
                continue;
            }
            if (!broken && seq > 1 && !Objects.equals(entry.prev(), prev)) {
                problems.add(new VerifyReport.Problem(key, "does not follow entry " + (seq - 1)
                        + ": an entry was substituted"));
            }
            if (seq == 1 && entry.prev() != null) {
                problems.add(new VerifyReport.Problem(key, "the first entry names a predecessor"));
            }
            if (seq == 1 && !entry.added().isEmpty() && engine.configVersion() < 2) {
                notes.add(new VerifyReport.Problem(key, "the history starts here (" + entry.time() + "): the "
                        + "repository predates it, and the " + entry.added().size() + " snapshots this entry "
                        + "records were adopted as found"));
            }
            prev = crypto.tag(TAG_PURPOSE, entryBytes);
            hashes.put(seq, prev);
            broken = false;
            state.apply(entry);
            for (String s : entry.added()) {
                addedAt.put(s.substring(0, s.indexOf(':')), seq);
            }
            for (String id : entry.removed()) {
                removedAt.put(id, seq);
            }
        }
        for (Map.Entry<Long, String> a : archived.entrySet()) {
            if (a.getKey() > headSeq || a.getKey() < 1) {
                problems.add(new VerifyReport.Problem(HEAD, "records entry " + headSeq + " but " + a.getValue()
                        + " exists: an older head was put back"));
            }
        }
        if (!gaps && !state.equals(head.state())) {
            problems.add(new VerifyReport.Problem(HEAD, "the snapshots it records differ from those its entries add "
                    + "and remove"));
        }
        if (expectedHead != null && !expectedHead.equals(head.digest())) {
            int colon = expectedHead.indexOf(':');
            long seq = -1;
            try {
                seq = colon > 0 ? Long.parseLong(expectedHead.substring(0, colon)) : -1;
            } catch (NumberFormatException e) {
                seq = -1;
            }
            if (seq < 0) {
                throw DrException.invalidArgument("expectedHead", "must be <seq>:<hash> as verify prints it",
                        expectedHead);
            }
            if (!expectedHead.substring(colon + 1).equals(hashes.get(seq))) {
                problems.add(new VerifyReport.Problem(HEAD, "the history does not contain the expected head "
                        + expectedHead + ": it was rolled back or rewritten"));
            }
        }
        compare(engine, head, addedAt, removedAt, problems, notes);
        return new Check(problems, notes, head.digest());
    }

    private static void checkArchivedHead(SnapshotStore store, Crypto crypto, String key, Head head,
            List<VerifyReport.Problem> problems) {
        try {
            byte[] sealed = store.get(key);
            if (!Arrays.equals(crypto.open(sealed, 0, sealed.length, key), head.entryBytes())) {
                problems.add(new VerifyReport.Problem(key, "differs from the entry " + HEAD + " holds"));
            }
        } catch (DrException e) {
            problems.add(new VerifyReport.Problem(key, e.getMessage()));
        }
    }

    /** Compares the recorded state with the snapshots and index files in the store. */
    private static void compare(Engine engine, Head head, Map<String, Long> addedAt, Map<String, Long> removedAt,
            List<VerifyReport.Problem> problems, List<VerifyReport.Problem> notes) {
        SnapshotStore store = engine.store();
        State state = head.state();
        long headSeq = head.entry().seq();
        Set<String> present = new LinkedHashSet<>();
        store.list(Engine.SNAPSHOTS).forEach(o -> present.add(o.key().substring(Engine.SNAPSHOTS.length())));
        for (Map.Entry<String, String> live : state.snapshots().entrySet()) {
            String key = Engine.SNAPSHOTS + live.getKey();
            if (!present.contains(live.getKey())) {
                problems.add(new VerifyReport.Problem(key, "missing: the history records this snapshot (entry "
                        + addedAt.getOrDefault(live.getKey(), headSeq) + ") and no removal; it was deleted"));
                continue;
            }
            try {
                if (!manifestHash(engine.crypto(), store.get(key)).equals(live.getValue())) {
                    problems.add(new VerifyReport.Problem(key, "does not match the manifest the history records: "
                            + "it was replaced (swapped or substituted)"));
                }
            } catch (DrException e) {
                problems.add(new VerifyReport.Problem(key, e.getMessage()));
            }
        }
        for (String id : present) {
            if (state.snapshots().containsKey(id)) {
                continue;
            }
            String key = Engine.SNAPSHOTS + id;
            Long at = removedAt.get(id);
            if (at != null && at == headSeq) {
                notes.add(new VerifyReport.Problem(key, "forgotten by the newest entry and not deleted yet"));
            } else if (state.removed().contains(id)) {
                problems.add(new VerifyReport.Problem(key, "was forgotten (entry " + (at == null ? "?" : at)
                        + ") but is present again: an old manifest was put back"));
            } else {
                notes.add(new VerifyReport.Problem(key, "not in the history yet (a backup running or interrupted; "
                        + "the next commit records it)"));
            }
        }
        Set<String> indexes = new LinkedHashSet<>();
        store.list(Index.PREFIX).forEach(o -> indexes.add(o.key().substring(Index.PREFIX.length())));
        for (String id : state.indexes()) {
            if (!indexes.contains(id)) {
                problems.add(new VerifyReport.Problem(Index.PREFIX + id, "missing: the history records this index "
                        + "file and no removal; it was deleted"));
            }
        }
        for (String id : indexes) {
            if (state.indexes().contains(id)) {
                continue;
            }
            String key = Index.PREFIX + id;
            if (head.entry().indexesRemoved().contains(id)) {
                notes.add(new VerifyReport.Problem(key, "removed by the newest entry and not deleted yet"));
            } else if (state.indexesRemoved().contains(id)) {
                problems.add(new VerifyReport.Problem(key, "was removed by a prune but is present again: an old "
                        + "index file was put back"));
            } else {
                notes.add(new VerifyReport.Problem(key, "not in the history yet (a backup running or interrupted)"));
            }
        }
        Set<String> keyFiles = new LinkedHashSet<>();
        store.list(KeyRing.PREFIX).forEach(o -> keyFiles.add(o.key().substring(KeyRing.PREFIX.length())));
        for (String id : state.keys()) {
            if (!keyFiles.contains(id)) {
                problems.add(new VerifyReport.Problem(KeyRing.PREFIX + id, "missing: the history records this key "
                        + "file and no removal; it was deleted"));
            }
        }
        for (String id : keyFiles) {
            if (state.keys().contains(id)) {
                continue;
            }
            String key = KeyRing.PREFIX + id;
            if (head.entry().keysRemoved().contains(id)) {
                notes.add(new VerifyReport.Problem(key, "removed by the newest entry and not deleted yet"));
            } else if (state.keysRemoved().contains(id)) {
                problems.add(new VerifyReport.Problem(key, "was removed but is present again: an old key file was "
                        + "put back, and its password opens the repository again"));
            } else {
                notes.add(new VerifyReport.Problem(key, "not in the history yet (a key being added)"));
            }
        }
    }

    /**
     * Returns the digest of the current head, for an operator to keep out of band.
     *
     * @param engine the repository
     * @return {@code <seq>:<hash>}, or null when the repository has no history yet
     */
    public static @Nullable String headDigest(Engine engine) {
        Read read = readHead(engine);
        return read == null ? null : read.head().digest();
    }
}
