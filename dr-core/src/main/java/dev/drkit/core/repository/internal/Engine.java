package dev.drkit.core.repository.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.coordination.CoordinatorConfig;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.core.repository.Snapshot;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An open repository: its store, keys, configuration, index and worker threads; the shared
 * ground of backup, restore, verify and prune. Thread-safe.
 */
public final class Engine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
    /** The key of the repository's configuration. */
    public static final String CONFIG = "config";
    /** The key prefix of snapshot manifests. */
    public static final String SNAPSHOTS = "snapshots/";

    /**
     * The configuration version this code writes: 2 records a snapshot history from the start
     * (see {@link History}); 1 is a repository made before, which starts one at its first commit.
     */
    static final int CONFIG_VERSION = 2;

    /** The repository configuration, sealed with the master key. */
    record Config(int version, String id, int minChunk, int avgChunk, int maxChunk, int normalization,
            String created) {
        byte[] encode() {
            return JsonCodec.write(g -> {
                g.writeStartObject();
                g.writeNumberProperty("version", version);
                g.writeStringProperty("id", id);
                g.writeNumberProperty("minChunk", minChunk);
                g.writeNumberProperty("avgChunk", avgChunk);
                g.writeNumberProperty("maxChunk", maxChunk);
                g.writeNumberProperty("normalization", normalization);
                g.writeStringProperty("created", created);
                g.writeEndObject();
            });
        }

        static Config decode(byte[] json) {
            JsonCodec.Fields f = JsonCodec.parse(json);
            return new Config(f.integer("version"), f.string("id"), f.integer("minChunk"), f.integer("avgChunk"),
                    f.integer("maxChunk"), f.integer("normalization"), f.string("created"));
        }
    }

    /**
     * A snapshot manifest, sealed with the master key.
     *
     * <p>{@code unreadable} and {@code unreadablePaths} (the entries the backup left out because
     * it could not read them, see {@link Snapshot#unreadable()}) are written only when the count
     * is not 0, so that the manifest of a complete backup is the same as before they existed and
     * a manifest without them reads as complete. Readers ignore fields they do not know, so
     * older versions read a manifest with them as a complete snapshot.
     */
    public record Manifest(int version, String time, String host, List<String> tags, String tree,
            @Nullable String parent, List<String> sources, long files, long bytes, long unreadable,
            List<String> unreadablePaths) {
        /**
         * Checks the entries left out.
         *
         * @throws IllegalArgumentException when the count is negative or the paths are more than
         *     it counts or than {@link Snapshot#UNREADABLE_RECORDED}
         */
        public Manifest {
            unreadablePaths = List.copyOf(unreadablePaths);
            if (unreadable < 0) {
                throw new IllegalArgumentException("field 'unreadable' must be >= 0, but was " + unreadable);
            }
            if (unreadablePaths.size() > Math.min(unreadable, Snapshot.UNREADABLE_RECORDED)) {
                throw new IllegalArgumentException("field 'unreadablePaths' lists " + unreadablePaths.size()
                        + " entries, more than min(unreadable, " + Snapshot.UNREADABLE_RECORDED + ") of "
                        + unreadable);
            }
        }

        /** A manifest of a backup that left nothing out. */
        public Manifest(int version, String time, String host, List<String> tags, String tree,
                @Nullable String parent, List<String> sources, long files, long bytes) {
            this(version, time, host, tags, tree, parent, sources, files, bytes, 0, List.of());
        }

        byte[] encode() {
            return JsonCodec.write(g -> {
                g.writeStartObject();
                g.writeNumberProperty("version", version);
                g.writeStringProperty("time", time);
                g.writeStringProperty("host", host);
                JsonCodec.strings(g, "tags", tags);
                g.writeStringProperty("tree", tree);
                if (parent == null) {
                    g.writeNullProperty("parent");
                } else {
                    g.writeStringProperty("parent", parent);
                }
                JsonCodec.strings(g, "sources", sources);
                g.writeNumberProperty("files", files);
                g.writeNumberProperty("bytes", bytes);
                if (unreadable != 0) {
                    g.writeNumberProperty("unreadable", unreadable);
                    if (!unreadablePaths.isEmpty()) {
                        JsonCodec.strings(g, "unreadablePaths", unreadablePaths);
                    }
                }
                g.writeEndObject();
            });
        }

        static Manifest decode(byte[] json) {
            JsonCodec.Fields f = JsonCodec.parse(json);
            List<String> tags = f.optStrings("tags");
            List<String> unreadablePaths = f.optStrings("unreadablePaths");
            Instant.parse(f.string("time")); // listing parses it; a malformed time is a malformed manifest
            return new Manifest(f.integer("version"), f.string("time"), f.string("host"),
                    tags == null ? List.of() : tags, f.string("tree"), f.optString("parent"), f.strings("sources"),
                    f.number("files", 0), f.number("bytes", 0), f.number("unreadable", 0),
                    unreadablePaths == null ? List.of() : unreadablePaths);
        }
    }

    private final SnapshotStore store;
    private final RepositoryOptions options;
    private final Crypto crypto;
    private final FastCdc cdc;
    private final String repositoryId;
    private final String keyId;
    private final int configVersion;
    private final ExecutorService pool;
    private final ProgressTracker progress = new ProgressTracker();
    /**
     * How many entries of decoded trees the engine keeps, all trees together (a few hundred bytes
     * each): bounded by entries, not trees, so that a tree of big directories cannot fill the heap.
     */
    static final int TREE_CACHE_ENTRIES = 1 << 15;
    private final Cache<BlobId, Tree> trees = Caffeine.newBuilder().maximumWeight(TREE_CACHE_ENTRIES)
            .weigher((BlobId id, Tree tree) -> 1 + tree.nodes().size()).build();
    /**
     * The most bytes of sealed trees read together. A backup writes its trees after the data
     * they describe, back to back, so one read of a pack's run of trees serves a whole
     * directory walk instead of one request per directory.
     */
    static final int TREE_SPAN = 4 << 20;
    /** The largest gap of other blobs a run of trees may bridge. */
    static final int TREE_SPAN_GAP = 64 << 10;
    private final Cache<String, TreeSpan> treeSpans = Caffeine.newBuilder().maximumSize(4)
            .expireAfterAccess(Duration.ofMinutes(1)).build();

    /** Sealed trees read together from one pack: the bytes from {@code offset} on. */
    private record TreeSpan(int offset, byte[] bytes) {
        boolean covers(PackEntry e) {
            return e.offset() >= offset && (long) e.offset() + e.length() <= (long) offset + bytes.length;
        }
    }
    private final Map<String, Manifest> manifests = new ConcurrentHashMap<>();
    /** The history's hashes of the sealed manifests {@link #manifests} holds, by snapshot id. */
    private final Map<String, String> manifestHashes = new ConcurrentHashMap<>();
    private final Map<String, DrException> damagedManifests = new ConcurrentHashMap<>();

    /**
     * How many requests the open of a repository sends at a time: the index files and manifests
     * are fetched while the key is derived, and on a cloud store each is a round trip.
     */
    static final int PREFETCH_REQUESTS = 8;

    /** Raw index files and manifests, fetched while the key is derived. */
    record Prefetch(Map<String, byte[]> indexFiles, Map<String, byte[]> manifests) {
        /**
         * Lists the manifests, then the index files, and fetches them, {@link #PREFETCH_REQUESTS}
         * at a time. The index files are listed after the manifests: a backup stores its index
         * files before its manifest, so every snapshot listed has its blobs in the index loaded.
         */
        static CompletableFuture<Prefetch> start(SnapshotStore store, Executor requests) {
            CompletableFuture<List<String>> manifestKeys = CompletableFuture.supplyAsync(
                    () -> keys(store, SNAPSHOTS), requests);
            CompletableFuture<List<String>> indexKeys = manifestKeys.thenApplyAsync(
                    listed -> keys(store, Index.PREFIX), requests);
            CompletableFuture<Map<String, byte[]>> snapshots = manifestKeys.thenCompose(
                    keys -> fetchAll(store, keys, requests));
            CompletableFuture<Map<String, byte[]>> index = indexKeys.thenCompose(keys -> fetchAll(store, keys, requests));
            // Load the decoding classes now rather than on the critical path.
            CompletableFuture<Void> warmUp = CompletableFuture.runAsync(() -> {
                String sample = "{\"nodes\":[{\"name\":\"a\",\"type\":\"file\",\"size\":0,\"mtime\":0,"
                        + "\"mtimeNanos\":0,\"mode\":420,\"inode\":0,\"content\":[]}]}";
                Tree.decode(sample.getBytes(StandardCharsets.UTF_8), "warm-up");
                new Tree(List.of()).encode();
            }, requests);
            return index.thenCombine(snapshots, (i, m) -> {
                Map<String, byte[]> manifests = new LinkedHashMap<>();
                m.forEach((key, bytes) -> manifests.put(key.substring(SNAPSHOTS.length()), bytes));
                return new Prefetch(i, manifests);
            }).thenCombine(warmUp, (p, v) -> p);
        }

        private static List<String> keys(SnapshotStore store, String prefix) {
            return store.list(prefix).map(ObjectInfo::key).toList();
        }

        /** The objects, in the order given, without those deleted meanwhile. */
        private static CompletableFuture<Map<String, byte[]>> fetchAll(SnapshotStore store, List<String> keys,
                Executor requests) {
            List<CompletableFuture<byte[]>> gets = new ArrayList<>(keys.size());
            for (String key : keys) {
                gets.add(CompletableFuture.supplyAsync(() -> getIfPresent(store, key), requests));
            }
            return CompletableFuture.allOf(gets.toArray(CompletableFuture[]::new)).thenApply(done -> {
                Map<String, byte[]> out = new LinkedHashMap<>();
                for (int i = 0; i < keys.size(); i++) {
                    byte[] bytes = gets.get(i).join();
                    if (bytes != null) {
                        out.put(keys.get(i), bytes);
                    }
                }
                return out;
            });
        }
    }

    /** Returns an object's bytes, or null when there is none. */
    private static byte @Nullable [] getIfPresent(SnapshotStore store, String key) {
        try {
            return store.get(key);
        } catch (DrException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                return null;
            }
            throw e;
        }
    }

    private volatile Index index;
    /**
     * Held while the index is refreshed, replaced or written to: a refresh and a reload see
     * every index file this engine wrote, and a reload never drops the records of one written
     * meanwhile. Lookups take no lock.
     */
    private final Object indexLock = new Object();

    private Engine(SnapshotStore store, RepositoryOptions options, byte[] master, Config config, String keyId) {
        this.store = store;
        this.options = options;
        this.crypto = new Crypto(master, options.zstdLevel());
        this.cdc = new FastCdc(config.minChunk(), config.avgChunk(), config.maxChunk(), config.normalization());
        this.repositoryId = config.id();
        this.keyId = keyId;
        this.configVersion = config.version();
        this.pool = Executors.newFixedThreadPool(options.threads(), daemonThreads("dr-repository"));
        this.index = new Index();
    }

    /**
     * Creates a repository in an empty store.
     *
     * @param store the store
     * @param password the first password
     * @param options the options
     * @return the open repository
     * @throws DrException {@code ALREADY_EXISTS} when the store holds a repository;
     *     {@code INVALID_ARGUMENT} when it holds other objects (see {@link #refuseForeignObjects})
     */
    public static Engine init(SnapshotStore store, char[] password, RepositoryOptions options) {
        if (store.stat(CONFIG).isPresent()) {
            throw new DrException(ErrorCode.ALREADY_EXISTS, "A repository exists already at " + store.describe(),
                    store.describe());
        }
        // Creating a repository creates its directory: the one time a file store's root is made.
        store.createLocationIfMissing();
        if (store.list(SNAPSHOTS).findAny().isPresent() || store.list(History.PREFIX).findAny().isPresent()) {
            throw new DrException(ErrorCode.INTEGRITY, "The store at " + store.describe() + " holds a repository "
                    + "whose config is missing; refusing to create another over it", CONFIG);
        }
        refuseForeignObjects(store);
        byte[] master = Crypto.random(64);
        Instant now = options.clock().instant();
        Config config = new Config(CONFIG_VERSION, Crypto.randomId(), options.minChunk(), options.avgChunk(), options.maxChunk(),
                1, now.toString());
        String keyId = KeyRing.add(store, master, password, options.kdf(), options.host(), now);
        Crypto crypto = new Crypto(master, options.zstdLevel());
        byte[] plain = config.encode();
        if (store.putIfAbsent(CONFIG, crypto.seal(plain, 0, plain.length)).isEmpty()) {
            store.delete(KeyRing.PREFIX + keyId);
            throw new DrException(ErrorCode.ALREADY_EXISTS, "A repository exists already at " + store.describe(),
                    store.describe());
        }
        Engine engine = new Engine(store, options, master, config, keyId);
        History.commit(engine, History.Change.found(History.INIT));
        return engine;
    }

    /**
     * Refuses a store that holds objects a repository being created does not: a directory of
     * someone's own files, another tool's bucket or another repository's remains. A repository
     * owns its store; prune deletes what it finds under {@code data/} that no index lists.
     * Allowed are key files alone, which an init in progress or cut off writes before its config
     * (open takes them for no repository yet, so openOrInit's race with another process's init
     * stays safe), and fleet coordination records under the default prefix, which the Spring
     * starter writes when its fleet coordinates on the repository's store before creating it.
     *
     * @throws DrException {@code INVALID_ARGUMENT} naming the first such key
     */
    private static void refuseForeignObjects(SnapshotStore store) {
        String coordination = CoordinatorConfig.DEFAULT_KEY_PREFIX + "/";
        Optional<String> foreign = store.list("").map(ObjectInfo::key)
                .filter(k -> !k.startsWith(KeyRing.PREFIX) && !k.startsWith(coordination)).findFirst();
        if (foreign.isPresent()) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "The store at " + store.describe() + " is not empty: "
                    + "it holds '" + foreign.get() + "'; a repository is created only in an empty store, since it "
                    + "owns what the store holds (prune deletes data it did not write)", foreign.get());
        }
    }

    /**
     * Opens a repository.
     *
     * @param store the store
     * @param password a password of one of its keys
     * @param options the options
     * @return the open repository
     * @throws DrException {@code WRONG_PASSWORD} when no key opens; {@code NOT_FOUND} when
     *     the store holds no repository
     */
    public static Engine open(SnapshotStore store, char[] password, RepositoryOptions options) {
        // On a cloud store every request is a round trip: those that do not wait for another's
        // answer go out together. The config and the list of keys first; the index files and
        // the manifests meanwhile, fetched while the key is derived.
        ExecutorService requests = Executors.newFixedThreadPool(PREFETCH_REQUESTS, daemonThreads("dr-prefetch"));
        try {
            CompletableFuture<byte @Nullable []> configRead = CompletableFuture.supplyAsync(
                    () -> getIfPresent(store, CONFIG), requests);
            CompletableFuture<List<String>> keysListed = CompletableFuture.supplyAsync(() -> KeyRing.list(store),
                    requests);
            CompletableFuture<Prefetch> prefetch = Prefetch.start(store, requests);
            byte[] sealedConfig = join(configRead);
            if (sealedConfig == null) {
                // Key files alone are what a repository being created (or an init cut off) holds
                // before its config: no repository yet. Anything else without a config is damage.
                boolean remains = false;
                for (String prefix : List.of(SNAPSHOTS, Index.PREFIX, History.PREFIX)) {
                    remains |= store.list(prefix).findAny().isPresent();
                }
                if (!remains) {
                    throw new DrException(ErrorCode.NOT_FOUND, "No repository at " + store.describe(),
                            store.describe());
                }
                // Another process may have created the repository between the first look and the
                // listing: its config is there now. Otherwise the config was lost.
                sealedConfig = getIfPresent(store, CONFIG);
                if (sealedConfig == null) {
                    throw new DrException(ErrorCode.INTEGRITY, "The repository at " + store.describe()
                            + " is damaged: its " + CONFIG + " object is missing", CONFIG);
                }
                keysListed = CompletableFuture.completedFuture(KeyRing.list(store));
            }
            // The cipher's fast paths take a while to be compiled; a background thread gets them
            // compiled while the key derivation keeps this thread busy.
            Crypto.warmUp();
            KeyRing.Opened opened = KeyRing.open(store, join(keysListed), password);
            Crypto crypto = new Crypto(opened.master(), options.zstdLevel());
            Config config = decodeConfig(sealedConfig, crypto);
            Engine engine = new Engine(store, options, opened.master(), config, opened.keyId());
            Arrays.fill(opened.master(), (byte) 0);
            Prefetch fetched = null;
            try {
                fetched = prefetch.join();
            } catch (RuntimeException e) {
                fetched = null; // fall back to reading everything again
            }
            if (fetched != null) {
                engine.index = Index.fromFiles(fetched.indexFiles(), crypto, engine.pool);
                for (Map.Entry<String, byte[]> m : fetched.manifests().entrySet()) {
                    try {
                        engine.cacheManifest(m.getKey(), m.getValue());
                    } catch (DrException e) {
                        // read again, and reported, when the snapshot is used
                    }
                }
            } else {
                engine.reloadIndex();
            }
            return engine;
        } finally {
            requests.shutdown();
        }
    }

    /**
     * Waits for a request sent ahead and throws what it threw.
     *
     * @param request the request
     * @param <T> its answer's type
     * @return its answer
     */
    public static <T> T join(CompletableFuture<T> request) {
        try {
            return request.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw e;
        }
    }

    /**
     * Reads and checks the configuration.
     *
     * @throws DrException {@code INTEGRITY} naming {@code config} when it is damaged;
     *     {@code UNSUPPORTED} for a newer version
     */
    static Config readConfig(SnapshotStore store, Crypto crypto) {
        byte[] sealed;
        try {
            sealed = store.get(CONFIG);
        } catch (DrException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                throw new DrException(ErrorCode.INTEGRITY, "The repository's " + CONFIG + " object is missing",
                        CONFIG, e);
            }
            throw e;
        }
        return decodeConfig(sealed, crypto);
    }

    private static Config decodeConfig(byte[] sealed, Crypto crypto) {
        Config config;
        try {
            config = Config.decode(crypto.open(sealed, 0, sealed.length, CONFIG));
        } catch (DrException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new DrException(ErrorCode.INTEGRITY, "The repository configuration is malformed", CONFIG, e);
        }
        if (config.version() > CONFIG_VERSION || config.version() < 1) {
            throw new DrException(ErrorCode.UNSUPPORTED, "The repository has format version " + config.version()
                    + "; this version of DR Kit reads 1 to " + CONFIG_VERSION, CONFIG);
        }
        return config;
    }

    /** Returns the configuration's format version. @return 1 or 2 */
    public int configVersion() {
        return configVersion;
    }

    /**
     * Brings the index up to date with the store, for operations that may meet blobs another
     * repository object on the same store wrote after this one loaded its index: another
     * process or host, or the previous writer of a journal or of a fleet. Loads only the index
     * files it has not seen; reloads the whole index when one it was loaded from is gone (another
     * process's prune or index repair rewrote them, and blobs may lie in other packs now). Costs
     * one listing when nothing changed. Index files found damaged before are not read again.
     *
     * @throws DrException a storage failure
     */
    public void refreshIndexIfChanged() {
        synchronized (indexLock) {
            Index current = index;
            // Copied before the listing: an index file this engine writes is stored before its
            // id is known, so every id copied here is listed unless it was deleted.
            Set<String> known = Set.copyOf(current.files());
            Set<String> damaged = current.damaged().keySet();
            List<String> keys = store.list(Index.PREFIX).map(ObjectInfo::key).toList();
            Set<String> listed = new HashSet<>();
            List<String> unseen = new ArrayList<>();
            for (String key : keys) {
                String id = key.substring(Index.PREFIX.length());
                listed.add(id);
                if (!known.contains(id) && !damaged.contains(key)) {
                    unseen.add(key);
                }
            }
            if (!listed.containsAll(known)) {
                LOG.debug("Index files were removed from {} since its index was loaded; reloading it",
                        store.describe());
                reloadIndex();
            } else if (!unseen.isEmpty()) {
                LOG.debug("Loading {} index files written to {} by others", unseen.size(), store.describe());
                current.addFiles(store, crypto, pool, unseen);
            }
        }
    }

    /** Reloads the index from the store. */
    public void reloadIndex() {
        synchronized (indexLock) {
            this.index = Index.load(store, crypto, pool);
        }
    }

    /**
     * Replaces the index with one loaded elsewhere.
     *
     * @param loaded the index
     */
    public void reloadIndexFrom(Index loaded) {
        synchronized (indexLock) {
            this.index = loaded;
        }
    }

    /** Returns the counters of the operation running now. @return the tracker */
    public ProgressTracker progress() {
        return progress;
    }

    /**
     * Returns the store.
     *
     * @return the store
     */
    public SnapshotStore store() {
        return store;
    }

    /** Returns the options. @return the options */
    public RepositoryOptions options() {
        return options;
    }

    /** Returns the keys. @return the crypto */
    public Crypto crypto() {
        return crypto;
    }

    /** Returns the chunker. @return the chunker */
    public FastCdc chunker() {
        return cdc;
    }

    /** Returns the current index. @return the index */
    public Index index() {
        return index;
    }

    /** Returns the worker pool. @return the pool */
    public ExecutorService pool() {
        return pool;
    }

    /** Returns the repository id. @return the id */
    public String repositoryId() {
        return repositoryId;
    }

    /** Returns the id of the key that opened the repository. @return the id */
    public String keyId() {
        return keyId;
    }

    /**
     * Returns where a blob is, or fails with {@code INTEGRITY} naming it and the remedy: a blob a
     * snapshot uses and no index file lists means an index file is damaged or missing.
     */
    private Index.Location locate(BlobId id) {
        Index.Location loc = index.find(id);
        if (loc == null) {
            throw new DrException(ErrorCode.INTEGRITY, notIndexed(id.hex()), id.hex());
        }
        return loc;
    }

    /**
     * The message for a blob a snapshot uses that no index file lists, naming the remedy.
     *
     * @param hex the blob's id
     * @return the message
     */
    static String notIndexed(String hex) {
        return "Blob " + hex + " is not in the index: the index file that listed it may be damaged or missing; "
                + "run 'dr repair index' (Repository.repairIndex) to list the packs the store holds again";
    }

    /**
     * Reads one blob and checks its id.
     *
     * @param id the blob
     * @return its content
     * @throws DrException {@code INTEGRITY} when the blob is not indexed, or naming the pack when
     *     it is damaged
     */
    public byte[] readBlob(BlobId id) {
        Index.Location loc = locate(id);
        String key = Packs.key(loc.packId());
        PackEntry e = loc.entry();
        byte[] sealed = store.get(key, e.offset(), e.length());
        if (sealed.length != e.length()) {
            throw new DrException(ErrorCode.INTEGRITY, "Pack " + key + " is shorter than its index says", key);
        }
        return crypto.unpackBlob(sealed, 0, sealed.length, e.rawLength(), id, key);
    }

    /**
     * Loads a tree, from a bounded cache when possible.
     *
     * @param id the tree's blob id
     * @return the tree
     * @throws DrException {@code INTEGRITY} or {@code UNSAFE_PATH} for a damaged or hostile tree
     */
    public Tree loadTree(BlobId id) {
        return loadTree(id, false);
    }

    /**
     * Loads a tree as {@link #loadTree} does, but reads only the tree's own bytes when it is not
     * cached, not the run of trees around it: for following one path down a snapshot (a restore
     * of selected paths, a single file), one tree per level and often from different packs,
     * where a run each would fetch megabytes for a few kilobytes.
     *
     * @param id the tree's blob id
     * @return the tree
     * @throws DrException {@code INTEGRITY} or {@code UNSAFE_PATH} for a damaged or hostile tree
     */
    public Tree loadTreeAlone(BlobId id) {
        return loadTree(id, true);
    }

    private Tree loadTree(BlobId id, boolean alone) {
        Tree cached = trees.getIfPresent(id);
        if (cached != null) {
            return cached;
        }
        Index.Location loc = locate(id);
        String key = Packs.key(loc.packId());
        PackEntry e = loc.entry();
        TreeSpan span = treeSpans.getIfPresent(loc.packId());
        if (span == null || !span.covers(e)) {
            if (alone) {
                span = new TreeSpan(e.offset(), store.get(key, e.offset(), e.length()));
            } else {
                span = readTreeSpan(loc.packId(), e);
            }
            // A short pack fails only the trees it lost; those before its end still read.
            if (!span.covers(e)) {
                throw new DrException(ErrorCode.INTEGRITY, "Pack " + key + " is shorter than its index says", key);
            }
            if (!alone) {
                treeSpans.put(loc.packId(), span);
            }
        }
        byte[] plain = crypto.unpackBlob(span.bytes(), e.offset() - span.offset(), e.length(), e.rawLength(), id, key);
        Tree tree = Tree.decode(plain, "tree " + id.hex());
        trees.put(id, tree);
        return tree;
    }

    /**
     * Reads the run of tree blobs around {@code e} in its pack: neighbours joined while the gap
     * to them is at most {@link #TREE_SPAN_GAP} and the run at most {@link #TREE_SPAN} bytes.
     */
    private TreeSpan readTreeSpan(String packId, PackEntry e) {
        List<PackEntry> neighbours = new ArrayList<>();
        for (PackEntry other : index.packs().getOrDefault(packId, List.of())) {
            if (other.type() == BlobType.TREE && other.offset() >= 0 && other.length() > 0) {
                neighbours.add(other);
            }
        }
        neighbours.sort(Comparator.comparingInt(PackEntry::offset));
        long start = e.offset();
        long end = (long) e.offset() + e.length();
        int at = neighbours.indexOf(e);
        if (at >= 0) {
            for (int i = at + 1; i < neighbours.size(); i++) {
                PackEntry next = neighbours.get(i);
                long nextEnd = (long) next.offset() + next.length();
                if (next.offset() < end || next.offset() - end > TREE_SPAN_GAP || nextEnd - start > TREE_SPAN) {
                    break;
                }
                end = Math.max(end, nextEnd);
            }
            for (int i = at - 1; i >= 0; i--) {
                PackEntry previous = neighbours.get(i);
                long previousEnd = (long) previous.offset() + previous.length();
                if (previousEnd > start || start - previousEnd > TREE_SPAN_GAP || end - previous.offset() > TREE_SPAN) {
                    break;
                }
                start = previous.offset();
            }
        }
        String key = Packs.key(packId);
        return new TreeSpan((int) start, store.get(key, start, (int) (end - start)));
    }

    /**
     * Seals and stores a snapshot manifest with a conditional create, the commit point, then
     * records it in the history.
     *
     * @param id the snapshot id
     * @param manifest the manifest
     * @return the bytes written
     */
    public long writeManifest(String id, Manifest manifest) {
        return writeManifest(id, manifest, "backup");
    }

    /**
     * Seals and stores a snapshot manifest, then records it in the history under an operation.
     *
     * @param id the snapshot id
     * @param manifest the manifest
     * @param op the operation the history records, such as {@code backup} or {@code copy}
     * @return the bytes written
     */
    public long writeManifest(String id, Manifest manifest, String op) {
        byte[] plain = manifest.encode();
        byte[] sealed = crypto.seal(plain, 0, plain.length);
        if (store.putIfAbsent(SNAPSHOTS + id, sealed).isEmpty()) {
            throw new DrException(ErrorCode.ALREADY_EXISTS, "Snapshot " + id + " exists already", SNAPSHOTS + id);
        }
        try {
            return sealed.length + History.commit(this, History.Change.snapshot(op, id,
                    History.manifestHash(crypto, sealed)));
        } catch (DrException e) {
            if (e.code() != ErrorCode.INTEGRITY) {
                throw e;
            }
            // A history that cannot be committed to (a missing or damaged head) leaves no
            // snapshot behind that it does not record; if the manifest cannot be taken back, say so.
            String fate;
            try {
                store.delete(SNAPSHOTS + id);
                fate = "snapshot " + id + " was not saved";
            } catch (DrException d) {
                fate = "snapshot " + id + " was written (" + SNAPSHOTS + id + ") but the history does not record it";
            }
            throw new DrException(ErrorCode.INTEGRITY, e.getMessage() + "; " + fate, e.input(), e);
        }
    }

    /**
     * Reads a snapshot manifest.
     *
     * @param id the snapshot id
     * @return the manifest
     * @throws DrException {@code NOT_FOUND} or {@code INTEGRITY} naming its key
     */
    public Manifest readManifest(String id) {
        Manifest cached = manifests.get(id);
        if (cached != null) {
            return cached;
        }
        return cacheManifest(id, store.get(SNAPSHOTS + id));
    }

    /**
     * Returns the history's hash of the sealed manifest that {@link #readManifest} returns for a
     * snapshot: a check of it against the history checks what is restored, without reading the
     * manifest again.
     *
     * @param id the snapshot id
     * @return the hash, as {@link History#manifestHash} computes it
     * @throws DrException {@code NOT_FOUND} or {@code INTEGRITY} naming its key
     */
    public String manifestHash(String id) {
        String hash = manifestHashes.get(id);
        if (hash == null) {
            cacheManifest(id, store.get(SNAPSHOTS + id));
            hash = manifestHashes.get(id);
        }
        return hash;
    }

    private Manifest cacheManifest(String id, byte[] sealed) {
        Manifest m = decodeManifest(id, sealed);
        manifestHashes.put(id, History.manifestHash(crypto, sealed));
        manifests.put(id, m);
        return m;
    }

    /**
     * Reads a snapshot manifest from the store, bypassing the cache, for verification.
     *
     * @param id the snapshot id
     * @return the manifest
     * @throws DrException {@code NOT_FOUND} or {@code INTEGRITY} naming its key
     */
    public Manifest readManifestFromStore(String id) {
        return decodeManifest(id, store.get(SNAPSHOTS + id));
    }

    /**
     * Forgets a cached manifest, after the snapshot was removed.
     *
     * @param id the snapshot id
     */
    public void forgetManifest(String id) {
        manifests.remove(id);
        manifestHashes.remove(id);
    }

    private Manifest decodeManifest(String id, byte[] sealed) {
        String key = SNAPSHOTS + id;
        byte[] plain = crypto.open(sealed, 0, sealed.length, key);
        try {
            return Manifest.decode(plain);
        } catch (RuntimeException e) {
            throw new DrException(ErrorCode.INTEGRITY, "Snapshot " + key + " is malformed", key, e);
        }
    }

    /**
     * Lists the committed snapshots, oldest first.
     *
     * @return the snapshots
     */
    public List<Snapshot> snapshots() {
        return listSnapshots().snapshots();
    }

    /**
     * What one listing of {@code snapshots/} found.
     *
     * @param listed the ids listed, those whose manifests cannot be read included
     * @param snapshots the snapshots whose manifests were read, oldest first
     */
    public record SnapshotListing(Set<String> listed, List<Snapshot> snapshots) {
    }

    /**
     * Lists the snapshots, and the ids listed, with one listing of the store.
     *
     * @return the listing
     */
    public SnapshotListing listSnapshots() {
        List<String> ids = store.list(SNAPSHOTS).map(ObjectInfo::key).map(k -> k.substring(SNAPSHOTS.length()))
                .toList();
        damagedManifests.keySet().retainAll(Set.copyOf(ids));
        List<Future<Manifest>> pending = new ArrayList<>();
        for (String id : ids) {
            pending.add(pool.submit(() -> readManifest(id)));
        }
        List<Snapshot> out = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            Manifest m;
            try {
                m = pending.get(i).get();
                damagedManifests.remove(ids.get(i));
            } catch (ExecutionException e) {
                if (e.getCause() instanceof DrException dr && dr.code() == ErrorCode.NOT_FOUND) {
                    continue;
                }
                if (e.getCause() instanceof DrException dr && dr.code() == ErrorCode.INTEGRITY) {
                    // One damaged manifest must not take the other snapshots with it: it is left
                    // out of the listing, named here, by verify, and by prune, which refuses.
                    if (damagedManifests.put(ids.get(i), dr) == null) {
                        LOG.warn("Snapshot {} is left out: its manifest {} cannot be read ({})", ids.get(i),
                                SNAPSHOTS + ids.get(i), dr.getMessage());
                    }
                    continue;
                }
                throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DrException(ErrorCode.CANCELLED, "Interrupted while listing snapshots", null, e);
            }
            out.add(toSnapshot(ids.get(i), m));
        }
        out.sort(Comparator.comparing(Snapshot::time).thenComparing(Snapshot::id));
        return new SnapshotListing(Set.copyOf(ids), out);
    }

    static Snapshot toSnapshot(String id, Manifest m) {
        return new Snapshot(id, Instant.parse(m.time()), m.host(), new LinkedHashSet<>(m.tags()), m.sources(),
                m.parent(), m.files(), m.bytes(), m.unreadable(), m.unreadablePaths());
    }

    /**
     * Returns the snapshots whose manifests the last listing could not read, each with why.
     *
     * @return snapshot id to the failure; empty when all were read
     */
    public Map<String, DrException> damagedManifests() {
        return Map.copyOf(damagedManifests);
    }

    /**
     * Finds a snapshot by id, unique id prefix, or {@code latest}.
     *
     * @param idOrPrefix the id, a prefix of at least 4 hex digits, or {@code latest}
     * @return the snapshot
     * @throws DrException {@code NOT_FOUND} when none matches; {@code INVALID_ARGUMENT} when
     *     the prefix is ambiguous
     */
    public Snapshot resolve(String idOrPrefix) {
        return resolve(idOrPrefix, false);
    }

    /**
     * Finds a snapshot by id, unique id prefix, or {@code latest}. While a manifest cannot be
     * read, its snapshot's time is unknown, so {@code latest} is refused unless
     * {@code newestReadable}, which takes the newest of the others.
     *
     * @param idOrPrefix the id, a prefix of at least 4 hex digits, or {@code latest}
     * @param newestReadable whether {@code latest} may skip manifests that cannot be read
     * @return the snapshot
     * @throws DrException {@code NOT_FOUND} when none matches; {@code INVALID_ARGUMENT} when
     *     the prefix is ambiguous; {@code INTEGRITY} naming a damaged manifest: the one asked
     *     for, or any one for {@code latest}
     */
    public Snapshot resolve(String idOrPrefix, boolean newestReadable) {
        return resolve(idOrPrefix, newestReadable, listSnapshots());
    }

    /**
     * Finds a snapshot in a listing made before, as {@link #resolve(String, boolean)} does.
     *
     * @param idOrPrefix the id, a prefix of at least 4 hex digits, or {@code latest}
     * @param newestReadable whether {@code latest} may skip manifests that cannot be read
     * @param listing the listing, from {@link #listSnapshots()}
     * @return the snapshot
     */
    public Snapshot resolve(String idOrPrefix, boolean newestReadable, SnapshotListing listing) {
        List<Snapshot> all = listing.snapshots();
        if (idOrPrefix.equals("latest")) {
            if (!newestReadable && !damagedManifests.isEmpty()) {
                Map.Entry<String, DrException> damaged = damagedManifests.entrySet().iterator().next();
                throw new DrException(ErrorCode.INTEGRITY, "The newest snapshot is not known: " + SNAPSHOTS
                        + damaged.getKey() + " cannot be read (" + damaged.getValue().getMessage() + "); name the "
                        + "snapshot to restore, or give " + damaged.getKey() + " up with 'dr forget "
                        + damaged.getKey() + "' (Repository.forgetSnapshots)", SNAPSHOTS + damaged.getKey(), damaged.getValue());
            }
            if (all.isEmpty()) {
                throw new DrException(ErrorCode.NOT_FOUND, "The repository has no snapshots", "latest");
            }
            // A journal's base snapshot is where its chain starts (the first one empty): what the
            // source holds is the chain's, restored to an instant, not the base alone.
            for (int i = all.size() - 1; i >= 0; i--) {
                if (!JournalWriter.isBase(all.get(i))) {
                    return all.get(i);
                }
            }
            throw new DrException(ErrorCode.NOT_FOUND, "The repository holds only the base snapshots of journals "
                    + "(" + all.stream().map(s -> s.sources().get(0)).distinct().sorted()
                            .collect(Collectors.joining(", "))
                    + "), which 'latest' leaves out: restore a journal at an instant, or at each source's newest "
                    + "(dr restore --at INSTANT or --at latest; Repository.restore(Instant, ...) or restoreLatest), "
                    + "or name a base snapshot by its id", "latest");
        }
        List<Snapshot> matches = all.stream().filter(s -> s.id().startsWith(idOrPrefix)).toList();
        if (matches.isEmpty() && !idOrPrefix.isEmpty()) {
            for (Map.Entry<String, DrException> damaged : damagedManifests.entrySet()) {
                if (damaged.getKey().startsWith(idOrPrefix)) {
                    throw new DrException(ErrorCode.INTEGRITY, "Snapshot " + damaged.getKey() + " cannot be read: "
                            + damaged.getValue().getMessage(), SNAPSHOTS + damaged.getKey(), damaged.getValue());
                }
            }
        }
        if (matches.isEmpty() || idOrPrefix.isEmpty()) {
            throw new DrException(ErrorCode.NOT_FOUND, "No snapshot '" + idOrPrefix + "'", idOrPrefix);
        }
        if (matches.size() > 1) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "Snapshot prefix '" + idOrPrefix + "' is ambiguous ("
                    + matches.size() + " snapshots)", idOrPrefix);
        }
        return matches.get(0);
    }

    /**
     * Writes an index file for packs.
     *
     * @param records the packs
     * @return the bytes written
     */
    public long writeIndex(List<Index.PackRecord> records) {
        String id = Crypto.randomId();
        byte[] sealed = Index.encode(crypto, id, records);
        store.put(Index.PREFIX + id, sealed);
        synchronized (indexLock) { // an index reloaded meanwhile gets the records as well
            Index current = index;
            for (Index.PackRecord r : records) {
                current.add(r);
            }
            current.files().add(id);
        }
        return sealed.length;
    }

    /**
     * Returns a factory of daemon threads named {@code prefix-1}, {@code prefix-2}, ...
     *
     * @param prefix the threads' name
     * @return the factory
     */
    public static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
