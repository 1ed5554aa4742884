package dev.drkit.core.repository.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.core.repository.KdfParams;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.core.repository.RestoreOptions;
import dev.drkit.testkit.store.InMemoryStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshots crafted by an attacker who holds the key: restore must not write outside its target. */
class HostileSnapshotTest {
    static final char[] PASSWORD = "pw".toCharArray();

    @TempDir
    Path tmp;

    final InMemoryStore store = new InMemoryStore();
    RepositoryOptions options;
    Engine engine;
    Repository repo;

    @BeforeEach
    void open() {
        options = RepositoryOptions.builder().kdf(new KdfParams(256, 1, 1)).threads(2).build();
        Repository.init(store, PASSWORD, options).close();
        engine = Engine.open(store, PASSWORD, options);
        repo = Repository.open(store, PASSWORD, options);
    }

    @AfterEach
    void close() {
        engine.close();
        repo.close();
    }

    private BlobId put(BlobType type, byte[] data) {
        BlobId id = engine.crypto().blobId(data, 0, data.length);
        byte[] sealed = engine.crypto().packBlob(data);
        PackEntry entry = new PackEntry(id, type, 0, sealed.length, data.length);
        byte[] trailer = Packs.trailer(engine.crypto(), List.of(entry));
        byte[] pack = new byte[sealed.length + trailer.length];
        System.arraycopy(sealed, 0, pack, 0, sealed.length);
        System.arraycopy(trailer, 0, pack, sealed.length, trailer.length);
        String packId = Packs.sha256(pack, pack.length);
        store.put(Packs.key(packId), pack);
        engine.writeIndex(List.of(new Index.PackRecord(packId, List.of(entry))));
        return id;
    }

    private static Tree.Node file(String name, BlobId content, int size) {
        return new Tree.Node(name, Tree.Node.FILE, size, 0, 0, 0644, 0, List.of(content.hex()), null, null);
    }

    private static Tree.Node dir(String name, BlobId subtree) {
        return new Tree.Node(name, Tree.Node.DIR, 0, 0, 0, 0755, 0, null, subtree.hex(), null);
    }

    private String commit(Tree root) {
        BlobId rootId = put(BlobType.TREE, root.encode());
        String id = Crypto.randomId();
        engine.writeManifest(id, new Engine.Manifest(1, "2024-01-01T00:00:00Z", "h", List.of(), rootId.hex(), null,
                List.of("src"), 1, 4));
        repo.close();
        repo = Repository.open(store, PASSWORD, options);
        return id;
    }

    private BlobId evilContent() {
        return put(BlobType.DATA, "evil".getBytes(StandardCharsets.UTF_8));
    }

    private void assertNothingOutside(Path outside) throws IOException {
        try (Stream<Path> files = Files.list(outside)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void restoreRefusesADotDotEntryAndNamesIt() throws IOException {
        BlobId content = evilContent();
        BlobId inner = put(BlobType.TREE, new Tree(List.of(file("x", content, 4))).encode());
        String id = commit(new Tree(List.of(dir("..", inner))));
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Path target = outside.resolve("target");
        assertThatThrownBy(() -> repo.restore(id, target, RestoreOptions.all()))
                .isInstanceOf(DrException.class)
                .satisfies(e -> {
                    assertThat(((DrException) e).code()).isEqualTo(ErrorCode.UNSAFE_PATH);
                    assertThat(((DrException) e).input()).isEqualTo("..");
                });
        assertThat(outside.resolve("x")).doesNotExist();
    }

    @Test
    void restoreRefusesANameWithASlash() throws IOException {
        BlobId content = evilContent();
        String id = commit(new Tree(List.of(file("../../escaped", content, 4))));
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        assertThatThrownBy(() -> repo.restore(id, outside.resolve("a/b"), RestoreOptions.all()))
                .isInstanceOf(DrException.class)
                .satisfies(e -> {
                    assertThat(((DrException) e).code()).isEqualTo(ErrorCode.UNSAFE_PATH);
                    assertThat(e.getMessage()).contains("../../escaped");
                });
        assertThat(outside.resolve("escaped")).doesNotExist();
        assertThat(tmp.resolve("escaped")).doesNotExist();
    }

    @Test
    void restoreRefusesASymlinkAndADirectoryOfTheSameName() throws IOException {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        BlobId content = evilContent();
        BlobId inner = put(BlobType.TREE, new Tree(List.of(file("payload", content, 4))).encode());
        Tree.Node link = new Tree.Node("a", Tree.Node.SYMLINK, 0, 0, 0, -1, 0, null, null, outside.toString());
        String id = commit(new Tree(List.of(link, dir("a", inner))));
        assertThatThrownBy(() -> repo.restore(id, tmp.resolve("target"), RestoreOptions.all()))
                .isInstanceOf(DrException.class)
                .extracting(e -> ((DrException) e).code()).isEqualTo(ErrorCode.UNSAFE_PATH);
        assertNothingOutside(outside);
    }

    @Test
    void restoreDoesNotFollowASymlinkAlreadyInTheTarget() throws IOException {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        BlobId content = evilContent();
        BlobId inner = put(BlobType.TREE, new Tree(List.of(file("payload", content, 4))).encode());
        String id = commit(new Tree(List.of(dir("d", inner))));
        Path target = Files.createDirectories(tmp.resolve("target"));
        Files.createSymbolicLink(target.resolve("d"), outside);
        assertThatThrownBy(() -> repo.restore(id, target, RestoreOptions.all().withOverwrite(false)))
                .isInstanceOf(DrException.class)
                .satisfies(e -> {
                    assertThat(((DrException) e).code()).isEqualTo(ErrorCode.UNSAFE_PATH);
                    assertThat(((DrException) e).input()).isEqualTo("d");
                });
        assertNothingOutside(outside);
        // Overwriting, the link itself is replaced by the directory.
        repo.restore(id, target, RestoreOptions.all());
        assertThat(Files.isSymbolicLink(target.resolve("d"))).isFalse();
        assertThat(target.resolve("d/payload")).isRegularFile();
        assertNothingOutside(outside);
    }

    @Test
    void openEntryRefusesAHostilePath() {
        assertThatThrownBy(() -> repo.openEntry("latest", "src/../../etc/passwd"))
                .isInstanceOf(DrException.class);
    }
}
