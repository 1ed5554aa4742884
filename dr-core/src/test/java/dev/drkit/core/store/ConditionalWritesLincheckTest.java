package dev.drkit.core.store;

import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The stores' conditional writes, checked by Lincheck for linearizability against a map: of
 * racing {@code putIfAbsent}s of one key exactly one wins; a {@code replace} succeeds only
 * while the object still is the version whose etag it names, so of two racing replaces from
 * one etag exactly one wins and a replace with an etag made stale by any other write fails.
 *
 * <p>Each run starts with key {@code k0} holding a first version whose etag is known and
 * key {@code k1} absent. The memory store is model checked (Lincheck explores the
 * interleavings); the file store writes files and takes OS file locks, which the model
 * checker does not step through, so it runs in stress mode (real threads, many runs).
 */
class ConditionalWritesLincheckTest {
    private static final String FIRST = "v0";

    /** The operations, on whichever store the subclass opens. */
    @Param(name = "key", gen = IntGen.class, conf = "0:1")
    @Param(name = "value", gen = IntGen.class, conf = "1:3")
    public abstract static class Ops {
        private final SnapshotStore store;
        private final String firstEtag;

        Ops(SnapshotStore store) {
            this.store = store;
            this.firstEtag = store.put("k0", bytes(FIRST)).etag();
        }

        @Operation
        public boolean putIfAbsent(@Param(name = "key") int key, @Param(name = "value") int value) {
            return store.putIfAbsent("k" + key, bytes("v" + value)).isPresent();
        }

        /** Replaces the object if it still is the first version of {@code k0}. */
        @Operation
        public boolean replaceFirst(@Param(name = "key") int key, @Param(name = "value") int value) {
            return store.replace("k" + key, bytes("v" + value), firstEtag).isPresent();
        }

        @Operation
        public void put(@Param(name = "key") int key, @Param(name = "value") int value) {
            store.put("k" + key, bytes("v" + value));
        }

        @Operation
        public void delete(@Param(name = "key") int key) {
            store.delete("k" + key);
        }

        @Operation
        public @Nullable String get(@Param(name = "key") int key) {
            return store.stat("k" + key).isEmpty() ? null : read("k" + key);
        }

        private @Nullable String read(String key) {
            try {
                return new String(store.get(key), StandardCharsets.UTF_8);
            } catch (dev.drkit.api.DrException e) {
                return null; // deleted between stat and get: absent
            }
        }

        @Validate
        public void close() {
            store.close();
        }
    }

    /**
     * The model: a map in which {@code k0} starts as the first version; a replace succeeds
     * only while {@code k0} still is that version (no write since), and never on {@code k1},
     * which never held it.
     */
    public static final class Model {
        private final Map<Integer, String> values = new HashMap<>(Map.of(0, FIRST));
        private boolean firstStands = true;

        public boolean putIfAbsent(int key, int value) {
            if (values.containsKey(key)) {
                return false;
            }
            write(key, value);
            return true;
        }

        public boolean replaceFirst(int key, int value) {
            if (key != 0 || !firstStands) {
                return false;
            }
            write(key, value);
            return true;
        }

        public void put(int key, int value) {
            write(key, value);
        }

        public void delete(int key) {
            values.remove(key);
            if (key == 0) {
                firstStands = false;
            }
        }

        public @Nullable String get(int key) {
            return values.get(key);
        }

        private void write(int key, int value) {
            values.put(key, "v" + value);
            if (key == 0) {
                firstStands = false;
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The memory store. */
    public static class MemoryOps extends Ops {
        public MemoryOps() {
            super(SnapshotStores.memory());
        }
    }

    @Test
    void memoryStoreConditionalWritesAreLinearizable() {
        new ModelCheckingOptions()
                .iterations(6)
                .invocationsPerIteration(50)
                .threads(2)
                .actorsPerThread(3)
                .actorsBefore(1)
                .actorsAfter(1)
                .sequentialSpecification(Model.class)
                .check(MemoryOps.class);
    }

    private static final Path DIR = tempDir();

    private static Path tempDir() {
        try {
            // Lincheck writes its bootstrap jar to java.io.tmpdir, which the build points at a
            // directory that may not exist yet.
            Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
            return Files.createTempDirectory("store-lincheck");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void removeFiles() throws IOException {
        try (var files = Files.walk(DIR)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** The file store, in a new directory for every run. */
    public static class FileOps extends Ops {
        public FileOps() {
            super(SnapshotStores.file(newRoot()));
        }

        private static Path newRoot() {
            try {
                return Files.createTempDirectory(DIR, "s");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Test
    void fileStoreConditionalWritesAreLinearizable() {
        new StressOptions()
                .iterations(6)
                .invocationsPerIteration(30)
                .threads(3)
                .actorsPerThread(3)
                .actorsBefore(1)
                .actorsAfter(1)
                .sequentialSpecification(Model.class)
                .check(FileOps.class);
    }
}
