package dev.drkit.core.repository.internal;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.fuzz.ParserInvariant;
import dev.drkit.core.repository.KdfParams;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.core.store.SnapshotStores;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes the repository's documents as a store hands them back: trees, index files, pack
 * headers, key files, the configuration, snapshot manifests and lock files. Each sealed
 * document is fuzzed twice over: as raw stored bytes (which must fail authentication cleanly)
 * and as plaintext sealed with the repository's own key, which reaches the decoder behind the
 * authentication, as a holder of the key could.
 */
class RepositoryFormatFuzzTest {
    private static final char[] PASSWORD = "fuzz".toCharArray();
    private static final RepositoryOptions OPTIONS = RepositoryOptions.builder().kdf(new KdfParams(256, 1, 1))
            .threads(1).build();
    private static final String SNAPSHOT = "00112233445566778899aabbccddeeff";

    private static SnapshotStore store;
    private static Engine engine;
    private static Crypto crypto;

    @BeforeAll
    static void createRepository() {
        store = SnapshotStores.memory();
        Engine.init(store, PASSWORD, OPTIONS).close();
        engine = Engine.open(store, PASSWORD, OPTIONS);
        crypto = engine.crypto();
    }

    @AfterAll
    static void closeRepository() {
        engine.close();
    }

    /** The fuzzer's bytes as stored: sealed with the repository's key when the first byte is odd. */
    private static byte[] stored(FuzzedDataProvider data) {
        boolean seal = data.consumeBoolean();
        byte[] bytes = ParserInvariant.bounded(data.consumeRemainingAsBytes());
        return seal ? crypto.seal(bytes, 0, bytes.length) : bytes;
    }

    @FuzzTest
    void treeDecodes(byte[] plain) {
        byte[] json = ParserInvariant.bounded(plain);
        ParserInvariant.check("Tree.decode", () -> Tree.decode(json, "tree fuzz"));
    }

    @FuzzTest
    void indexFileDecodes(FuzzedDataProvider data) {
        byte[] file = stored(data);
        ParserInvariant.check("Index.decode", () -> Index.decode(crypto, file, "index/fuzz"));
    }

    @FuzzTest
    void packHeaderReads(FuzzedDataProvider data) {
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

    @FuzzTest
    void keyFileOpensOrIsRefused(byte[] file) {
        byte[] bytes = ParserInvariant.bounded(file);
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

    @FuzzTest
    void configOpensOrIsRefused(FuzzedDataProvider data) {
        byte[] config = stored(data);
        byte[] original = store.get(Engine.CONFIG);
        store.put(Engine.CONFIG, config);
        try {
            ParserInvariant.check("Engine.open config", () -> Engine.open(store, PASSWORD, OPTIONS).close());
        } finally {
            store.put(Engine.CONFIG, original);
        }
    }

    @FuzzTest
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

    @FuzzTest
    void lockFileReadsOrIsRefused(byte[] file) {
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
