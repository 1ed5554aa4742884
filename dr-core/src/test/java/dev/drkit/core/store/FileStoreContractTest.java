package dev.drkit.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.store.internal.DirectReads;
import dev.drkit.core.store.internal.TemporaryFiles;
import dev.drkit.testkit.store.SnapshotStoreContract;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code file:} store keeps the store contract, and its guarantees hold across processes. */
class FileStoreContractTest extends SnapshotStoreContract {
    @TempDir
    static Path base;

    @Override
    protected SnapshotStore createStore() {
        return SnapshotStores.open(base.resolve(UUID.randomUUID().toString()).toUri() + "?create=true");
    }

    @Override
    protected boolean removeLocation(SnapshotStore store) {
        Path root = SnapshotStores.directory(store).orElseThrow();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return true;
    }

    @Test
    @DisplayName("a store whose directory was moved away names it on a write, and no write makes an empty one in its place")
    void aMovedDirectoryIsNamedAndNotMadeAgain() throws IOException {
        Path root = base.resolve("moved");
        try (SnapshotStore s = SnapshotStores.open("file:" + root + "?create=true")) {
            s.put("leases/writer/00000000000000000001", bytes("held"));
            Files.move(root, base.resolve("moved-away"));
            assertThatThrownBy(() -> s.put("state/counter", bytes("1")))
                    .isInstanceOfSatisfying(DrException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
                        assertThat(e.input()).isEqualTo(root.toString());
                    })
                    .hasMessageContaining(root.toString()).hasMessageContaining("does not exist");
            assertThatThrownBy(() -> s.delete("leases/writer/00000000000000000001"))
                    .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
            assertThat(root).doesNotExist();
        }
        try (SnapshotStore s = SnapshotStores.file(root)) {
            assertThatThrownBy(() -> s.putIfAbsent("leases/writer/00000000000000000001", bytes("again")))
                    .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        }
        assertThat(root).doesNotExist();
    }

    @Test
    @DisplayName("the URI option create=true makes a missing directory as the store opens, and a write makes only directories below it")
    void createTrueMakesTheDirectory() {
        Path root = base.resolve("made").resolve("store");
        try (SnapshotStore s = SnapshotStores.open(root.toUri() + "?create=true")) {
            assertThat(root).isDirectory();
            s.put("data/ab/pack", bytes("x"));
            assertThat(s.get("data/ab/pack")).isEqualTo(bytes("x"));
        }
        assertThatThrownBy(() -> SnapshotStores.open(root.toUri() + "?create=maybe"))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageContaining("create");
        assertThatThrownBy(() -> SnapshotStores.open(root.toUri() + "?mkdir=true"))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageContaining("mkdir");
    }

    @Test
    @DisplayName("no etag comes back: rewrites of one size, faster than the clock of file times, and a delete and re-create")
    void everyWriteHasAnEtagNoEarlierVersionHad() {
        // A file system hands a freed inode to the next file and stamps files with a clock that
        // ticks every few milliseconds: etags of size, time and inode alone came back on the third
        // same-size write, and a replace holding the first version's etag succeeded on it.
        Set<String> seen = new HashSet<>();
        ObjectInfo first = store.put("cas", bytes("v0"));
        seen.add(first.etag());
        for (int i = 0; i < 300; i++) {
            ObjectInfo next = i % 50 == 49
                    ? deleteAndCreate("cas", bytes("v" + (i % 10)))
                    : store.put("cas", bytes("v" + (i % 10)));
            assertThat(seen.add(next.etag())).as("etag of write %d is new: %s", i, next.etag()).isTrue();
            assertThat(store.replace("cas", bytes("stale"), first.etag())).as("replace from the first etag").isEmpty();
        }
    }

    private ObjectInfo deleteAndCreate(String key, byte[] data) {
        store.delete(key);
        return store.putIfAbsent(key, data).orElseThrow();
    }

    @Test
    @DisplayName("of several processes racing putIfAbsent on one key exactly one wins")
    void putIfAbsentRaceAcrossProcessesHasExactlyOneWinner() throws Exception {
        Path root = Files.createDirectories(base.resolve("cross-process"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Process> children = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            children.add(new ProcessBuilder(java, "-Xshare:auto", "-cp", System.getProperty("java.class.path"),
                    PutIfAbsentChild.class.getName(), root.toString(), "locks/leader", "child-" + i)
                    .redirectErrorStream(true).start());
        }
        int winners = 0;
        for (Process child : children) {
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertThat(child.exitValue()).as(out).isZero();
            if (out.endsWith("won")) {
                winners++;
            }
        }
        assertThat(winners).isEqualTo(1);
        try (SnapshotStore s = SnapshotStores.file(root)) {
            assertThat(new String(s.get("locks/leader"), StandardCharsets.UTF_8)).startsWith("child-");
        }
    }

    @Test
    @DisplayName("reads into a direct buffer fill it from its position, stop at the object's end, and name a missing key")
    void readsIntoDirectBuffers() {
        byte[] data = new byte[3 << 20];
        new Random(7).nextBytes(data);
        store.put("data/pack", data);
        DirectReads reads = (DirectReads) store;
        ByteBuffer into = ByteBuffer.allocateDirect(2 << 20).position(10);
        assertThat(reads.read("data/pack", 5, into)).isEqualTo((2 << 20) - 10);
        assertThat(into.position()).isEqualTo(2 << 20);
        byte[] got = new byte[(2 << 20) - 10];
        into.get(10, got);
        assertThat(got).isEqualTo(Arrays.copyOfRange(data, 5, 5 + got.length));
        into.clear();
        assertThat(reads.read("data/pack", data.length - 3, into)).isEqualTo(3);
        assertThat(into.position()).isEqualTo(3);
        assertThat(reads.read("data/pack", data.length + 10, into.clear())).isZero();
        assertThatThrownBy(() -> reads.read("data/none", 0, into.clear())).isInstanceOf(DrException.class)
                .satisfies(e -> assertThat(((DrException) e).code()).isEqualTo(ErrorCode.NOT_FOUND))
                .hasMessageContaining("data/none");
        assertThatThrownBy(() -> reads.read("data/pack", -1, into.clear())).isInstanceOf(DrException.class)
                .satisfies(e -> assertThat(((DrException) e).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    }

    @Test
    @DisplayName("objects live under their key path and no temporary file is left behind")
    void layoutFollowsKeysAndLeavesNoTemporaryFiles() throws IOException {
        store.put("data/ab/pack1", bytes("p"));
        store.putIfAbsent("snapshots/s1", bytes("s"));
        store.put("a", bytes("file"));
        store.put("a/b", bytes("child"));
        Path root = Path.of(URI.create(store.describe()));
        assertThat(root.resolve("data.d/ab.d/pack1")).hasContent("p");
        assertThat(root.resolve("snapshots.d/s1")).hasContent("s");
        assertThat(root.resolve("a")).hasContent("file");
        assertThat(root.resolve("a.d/b")).hasContent("child");
        try (Stream<Path> files = Files.walk(root)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".tmp-"));
        }
    }

    @Test
    @DisplayName("temporary files a killed writer left are listed with their age, never as objects, and only old ones are deleted")
    void temporaryFilesOfKilledWritersAreListedAndTheOldOnesDeleted() throws IOException {
        store.put("data/ab/pack1", bytes("p"));
        store.put("index/i1", bytes("i"));
        store.put("config", bytes("c"));
        TemporaryFiles temporary = (TemporaryFiles) store;
        assertThat(temporary.temporaryFiles()).isEmpty();
        Path root = Path.of(URI.create(store.describe()));
        Instant now = Instant.now();
        Path oldPack = root.resolve("data.d/ab.d/" + TemporaryFiles.PREFIX + UUID.randomUUID());
        Path oldIndex = root.resolve("index.d/" + TemporaryFiles.PREFIX + UUID.randomUUID());
        Path oldConfig = root.resolve(TemporaryFiles.PREFIX + UUID.randomUUID());
        Path fresh = root.resolve("index.d/" + TemporaryFiles.PREFIX + UUID.randomUUID());
        for (Path p : List.of(oldPack, oldIndex, oldConfig)) {
            Files.write(p, bytes("part"));
            Files.setLastModifiedTime(p, FileTime.from(now.minus(Duration.ofHours(2))));
        }
        Files.write(fresh, bytes("being written"));
        // The store's own lock files and foreign dot-directories are not its temporary files.
        Files.write(root.resolve(".locks").resolve(TemporaryFiles.PREFIX + "x"), bytes("?"));

        assertThat(temporary.temporaryFiles()).extracting(TemporaryFiles.TemporaryFile::path)
                .containsExactlyInAnyOrder(oldPack, oldIndex, oldConfig, fresh);
        assertThat(temporary.temporaryFiles()).filteredOn(f -> f.path().equals(oldPack)).singleElement()
                .satisfies(f -> assertThat(f.size()).isEqualTo(4));
        assertThat(store.list("").map(o -> o.key()).toList()).containsExactlyInAnyOrder("data/ab/pack1", "index/i1",
                "config");

        assertThat(temporary.deleteTemporaryFiles(now.minus(Duration.ofHours(1)))).isEqualTo(3);
        assertThat(temporary.temporaryFiles()).extracting(TemporaryFiles.TemporaryFile::path).containsExactly(fresh);
        assertThat(root.resolve("data.d/ab.d/pack1")).hasContent("p");
        assertThat(root.resolve(".locks").resolve(TemporaryFiles.PREFIX + "x")).exists();
    }

    @Test
    @DisplayName("keys with dots, percent signs and a '.d' suffix map to distinct files")
    void awkwardNamesDoNotCollide() {
        List<String> keys = List.of(".hidden", "x.d", "x", "x.d/y", "x/y", "100%", "%25", "a.b.c", "..x");
        for (String k : keys) {
            store.put(k, bytes(k));
        }
        for (String k : keys) {
            assertThat(store.get(k)).as(k).isEqualTo(bytes(k));
        }
        assertThat(store.list("").map(o -> o.key()).toList()).containsExactlyInAnyOrderElementsOf(keys);
    }

    @Test
    @DisplayName("listing a store whose directory does not exist yet is empty")
    void listingAMissingRootIsEmpty() {
        try (SnapshotStore s = SnapshotStores.file(base.resolve("never-created"))) {
            assertThat(s.list("").toList()).isEmpty();
            assertThat(s.stat("x")).isEmpty();
        }
        assertThat(base.resolve("never-created")).doesNotExist();
    }
}
