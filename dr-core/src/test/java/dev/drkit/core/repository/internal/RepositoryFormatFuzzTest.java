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

    private static Repo repo;

    /**
     * The repository the sealed targets use, in a class of its own: JUnit reflects over this
     * class's fields before the first input, and reflection loads their types. A DR Kit class
     * loaded then, before Jazzer installs its agent, is instrumented by retransformation, which
     * failed on records ({@code NoSuchFieldError}) and broke the nest-mate access between a class
     * and its builder ({@code IllegalAccessError}). Loading this holder loads none of them.
     */
    private static final class Repo {
        final RepositoryOptions options = RepositoryOptions.builder().kdf(new KdfParams(256, 1, 1)).threads(1).build();
        final SnapshotStore store = SnapshotStores.memory();
        final Engine engine;
        final Crypto crypto;

        Repo() {
            Engine.init(store, PASSWORD, options).close();
            engine = Engine.open(store, PASSWORD, options);
            crypto = engine.crypto();
        }
    }

    /** Creates the repository on the first input, after Jazzer installed its agent. */
    private static synchronized Repo createRepository() {
        if (repo == null) {
            repo = new Repo();
        }
        return repo;
    }

    @AfterAll
    static void closeRepository() {
        if (repo != null) {
            repo.engine.close();
        }
    }

    /** The fuzzer's bytes as stored: sealed with the repository's key when the first byte is odd. */
    private static byte[] stored(FuzzedDataProvider data) {
        createRepository();
        boolean seal = data.consumeBoolean();
        byte[] bytes = ParserInvariant.bounded(data.consumeRemainingAsBytes());
        return seal ? repo.crypto.seal(bytes, 0, bytes.length) : bytes;
    }

    @FuzzTest(maxDuration = ParserInvariant.FUZZ_DURATION)
    void treeDecodes(byte[] plain) {
        byte[] json = ParserInvariant.bounded(plain);
        ParserInvariant.check("Tree.decode", () -> Tree.decode(json, "tree fuzz"));
    }

    @FuzzTest(maxDuration = ParserInvariant.FUZZ_DURATION)
    void indexFileDecodes(FuzzedDataProvider data) {
        byte[] file = stored(data);
        ParserInvariant.check("Index.decode", () -> Index.decode(repo.crypto, file, "index/fuzz"));
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
            byte[] sealed = repo.crypto.seal(header, 0, header.length);
            pack = new byte[blobs.length + sealed.length + 4];
            System.arraycopy(blobs, 0, pack, 0, blobs.length);
            System.arraycopy(sealed, 0, pack, blobs.length, sealed.length);
            PackEntry.putInt(pack, blobs.length + sealed.length, sealed.length);
        } else {
            pack = ParserInvariant.bounded(data.consumeRemainingAsBytes());
        }
        ParserInvariant.check("Packs.header", () -> Packs.header(repo.crypto, pack, "data/00/fuzz"));
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
        byte[] original = repo.store.get(Engine.CONFIG);
        repo.store.put(Engine.CONFIG, config);
        try {
            ParserInvariant.check("Engine.open config", () -> Engine.open(repo.store, PASSWORD, repo.options).close());
        } finally {
            repo.store.put(Engine.CONFIG, original);
        }
    }

    @FuzzTest(maxDuration = ParserInvariant.FUZZ_DURATION)
    void manifestReadsOrIsRefused(FuzzedDataProvider data) {
        byte[] manifest = stored(data);
        String key = Engine.SNAPSHOTS + SNAPSHOT;
        repo.store.put(key, manifest);
        try {
            ParserInvariant.check("Engine manifest", () -> {
                try {
                    repo.engine.readManifestFromStore(SNAPSHOT);
                } finally {
                    repo.engine.forgetManifest(SNAPSHOT);
                    repo.engine.snapshots();
                }
            });
        } finally {
            repo.store.delete(key);
            repo.engine.forgetManifest(SNAPSHOT);
        }
    }

    @FuzzTest(maxDuration = ParserInvariant.FUZZ_DURATION)
    void lockFileReadsOrIsRefused(byte[] file) {
        createRepository();
        byte[] bytes = ParserInvariant.bounded(file);
        String key = Maintenance.LOCKS + "fuzz";
        repo.store.put(key, bytes);
        try {
            ParserInvariant.check("Maintenance lock", () -> {
                try {
                    Maintenance.lock(repo.engine, false).close();
                } finally {
                    Maintenance.breakStaleLocks(repo.engine);
                }
            });
        } finally {
            repo.store.delete(key);
            repo.store.list(Maintenance.LOCKS).map(i -> i.key()).toList().forEach(repo.store::delete);
        }
    }

}
