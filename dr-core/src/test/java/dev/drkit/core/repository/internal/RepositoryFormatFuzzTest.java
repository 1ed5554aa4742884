package dev.drkit.core.repository.internal;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.fuzz.ParserInvariant;
import dev.drkit.core.repository.KdfParams;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.core.store.SnapshotStores;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzzes the repository's documents as a store hands them back: trees, index files, pack
 * headers, key files, the configuration, snapshot manifests and lock files. Each sealed
 * document is fuzzed twice over: as raw stored bytes (which must fail authentication cleanly)
 * and as plaintext sealed with the repository's own key, which reaches the decoder behind the
 * authentication, as a holder of the key could.
 */
class RepositoryFormatFuzzTest {
    private static final char[] PASSWORD = "fuzz".toCharArray();
    private static final String SNAPSHOT = "00112233445566778899aabbccddeeff";

    private static RepositoryOptions options;
    private static SnapshotStore store;
    private static Engine engine;
    private static Crypto crypto;

    /**
     * Creates the repository on the first input rather than in {@code @BeforeAll}: Jazzer
     * installs its agent when the first input is provided, and a class loaded before that is
     * instrumented by retransformation, which fails on records ({@code NoSuchFieldError}).
     */
    private static synchronized void createRepository() {
        if (engine == null) {
            options = RepositoryOptions.builder().kdf(new KdfParams(256, 1, 1)).threads(1).build();
            store = SnapshotStores.memory();
            Engine.init(store, PASSWORD, options).close();
            engine = Engine.open(store, PASSWORD, options);
            crypto = engine.crypto();
        }
    }

    @AfterAll
    static void closeRepository() {
        if (engine != null) {
            engine.close();
        }
    }

    /** The fuzzer's bytes as stored: sealed with the repository's key when the first byte is odd. */
    private static byte[] stored(FuzzedDataProvider data) {
        createRepository();
        boolean seal = data.consumeBoolean();
        byte[] bytes = ParserInvariant.bounded(data.consumeRemainingAsBytes());
        return seal ? crypto.seal(bytes, 0, bytes.length) : bytes;
    }

    @FuzzTest(maxDuration = ParserInvariant.FUZZ_DURATION)
    void treeDecodes(byte[] plain) {
        byte[] json = ParserInvariant.bounded(plain);
        ParserInvariant.check("Tree.decode", () -> Tree.decode(json, "tree fuzz"));
    }

    @FuzzTest(maxDuration = ParserInvariant.FUZZ_DURATION)
    void indexFileDecodes(FuzzedDataProvider data) {
        byte[] file = stored(data);
        ParserInvariant.check("Index.decode", () -> Index.decode(crypto, file, "index/fuzz"));
    }

    @FuzzTest(maxDuration = ParserInvariant.FUZZ_DURATION)
    void packHeaderReads(FuzzedDataProvider data) {
        createRepository();
        boolean seal = data.consumeBoolean();
        byte[] pack;
        if (seal) {
            // blobs of any length, then a sealed header of fuzzed entries and its length
            byte[] blobs = data.consumeBytes(data.consumeInt(0, 4096));
            byte[] header = ParserInvariant.bounded(data.consumeRemainingAsBytes());
            byte[] sealed = crypto.seal(header, 0, header.length);
            pack = new byte[blobs.length + sealed.length + 4];
            System.arraycopy(blobs, 0, pack, 0, blobs.length);
            System.arraycopy(sealed, 0, pack, blobs.length, sealed.length);
            PackEntry.putInt(pack, blobs.length + sealed.length, sealed.length);
        } else {
            pack = ParserInvariant.bounded(data.consumeRemainingAsBytes());
        }
        ParserInvariant.check("Packs.header", () -> Packs.header(crypto, pack, "data/00/fuzz"));
    }

    @FuzzTest(maxDuration = ParserInvariant.FUZZ_DURATION)
    void keyFileOpensOrIsRefused(byte[] file) {
        byte[] bytes = ParserInvariant.bounded(file);
        if (kdfCostAboveBudget(bytes)) {
            return;
        }
        SnapshotStore keys = SnapshotStores.memory();
        keys.put(KeyRing.PREFIX + "fuzz", bytes);
        ParserInvariant.check("KeyRing.open", () -> {
            try {
                KeyRing.open(keys, PASSWORD);
            } finally {
                KeyRing.list(keys, "fuzz");
            }
        });
    }

    /**
     * Tells whether a key file that decodes asks for a key derivation dearer than 32 MiB times
     * passes. Such a file is out of the one-second bound: its cost is the point of the KDF, and
     * a legitimate key may ask for up to 4 GiB and 100 passes. What it must not do is run out of
     * memory, which {@link KeyRing#open} refuses beyond half the heap, and that stays tested
     * through the cheap passes of a large memory.
     */
    private static boolean kdfCostAboveBudget(byte[] bytes) {
        try {
            KeyRing.KeyFile k = KeyRing.KeyFile.decode(bytes);
            long heapKiB = Runtime.getRuntime().maxMemory() / 2 / 1024;
            long memory = Math.min(k.memoryKiB(), heapKiB + 1); // refused before any work above the heap
            return memory <= heapKiB && memory * Math.max(1, k.iterations()) > 32 * 1024;
        } catch (RuntimeException malformed) {
            return false;
        }
    }

    @FuzzTest(maxDuration = ParserInvariant.FUZZ_DURATION)
    void configOpensOrIsRefused(FuzzedDataProvider data) {
        byte[] config = stored(data);
        byte[] original = store.get(Engine.CONFIG);
        store.put(Engine.CONFIG, config);
        try {
            ParserInvariant.check("Engine.open config", () -> Engine.open(store, PASSWORD, options).close());
        } finally {
            store.put(Engine.CONFIG, original);
        }
    }

    @FuzzTest(maxDuration = ParserInvariant.FUZZ_DURATION)
    void manifestReadsOrIsRefused(FuzzedDataProvider data) {
        byte[] manifest = stored(data);
        String key = Engine.SNAPSHOTS + SNAPSHOT;
        store.put(key, manifest);
        try {
            ParserInvariant.check("Engine manifest", () -> {
                try {
                    engine.readManifestFromStore(SNAPSHOT);
                } finally {
                    engine.forgetManifest(SNAPSHOT);
                    engine.snapshots();
                }
            });
        } finally {
            store.delete(key);
            engine.forgetManifest(SNAPSHOT);
        }
    }

    @FuzzTest(maxDuration = ParserInvariant.FUZZ_DURATION)
    void lockFileReadsOrIsRefused(byte[] file) {
        createRepository();
        byte[] bytes = ParserInvariant.bounded(file);
        String key = Maintenance.LOCKS + "fuzz";
        store.put(key, bytes);
        try {
            ParserInvariant.check("Maintenance lock", () -> {
                try {
                    Maintenance.lock(engine, false).close();
                } finally {
                    Maintenance.breakStaleLocks(engine);
                }
            });
        } finally {
            store.delete(key);
            store.list(Maintenance.LOCKS).map(i -> i.key()).toList().forEach(store::delete);
        }
    }

}
