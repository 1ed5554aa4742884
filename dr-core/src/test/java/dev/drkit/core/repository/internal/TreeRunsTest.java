package dev.drkit.core.repository.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.core.repository.KdfParams;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.testkit.store.InMemoryStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Trees read together from one pack, and what a damaged pack costs them. */
class TreeRunsTest {
    static final char[] PASSWORD = "pw".toCharArray();
    final InMemoryStore store = new InMemoryStore();
    final RepositoryOptions options = RepositoryOptions.builder().kdf(new KdfParams(256, 1, 1)).threads(2).build();

    /** Three trees back to back in one pack: their ids, the pack's key and the last tree's entry. */
    private record Pack(List<BlobId> ids, String key, PackEntry last) {
    }

    /** Writes three trees back to back in one pack, as a backup writes them. */
    private Pack packOfThreeTrees() {
        Repository.init(store, PASSWORD, options).close();
        try (Engine engine = Engine.open(store, PASSWORD, options)) {
            List<BlobId> ids = new ArrayList<>();
            List<PackEntry> entries = new ArrayList<>();
            List<byte[]> blobs = new ArrayList<>();
            int size = 0;
            for (int i = 0; i < 3; i++) {
                Tree tree = new Tree(List.of(new Tree.Node("file-" + i, Tree.Node.FILE, 0, 0, 0, 0644, 0, List.of(),
                        null, null)));
                byte[] json = tree.encode();
                BlobId id = engine.crypto().blobId(json, 0, json.length);
                byte[] sealed = engine.crypto().packBlob(json);
                entries.add(new PackEntry(id, BlobType.TREE, size, sealed.length, json.length));
                ids.add(id);
                blobs.add(sealed);
                size += sealed.length;
            }
            byte[] whole = Packs.assemble(engine.crypto(), blobs, size, entries);
            String packId = Packs.sha256(whole, whole.length);
            store.put(Packs.key(packId), whole);
            engine.writeIndex(List.of(new Index.PackRecord(packId, entries)));
            return new Pack(ids, Packs.key(packId), entries.get(2));
        }
    }

    @Test
    void aShortPackFailsOnlyTheTreesItLost() {
        Pack pack = packOfThreeTrees();
        List<BlobId> ids = pack.ids();
        String key = pack.key();
        store.put(key, Arrays.copyOf(store.get(key), pack.last().offset() + pack.last().length() / 2));

        try (Engine engine = Engine.open(store, PASSWORD, options)) {
            assertThat(engine.loadTree(ids.get(0)).nodes().get(0).name()).isEqualTo("file-0");
            assertThat(engine.loadTree(ids.get(1)).nodes().get(0).name()).isEqualTo("file-1");
            assertThatThrownBy(() -> engine.loadTree(ids.get(2))).isInstanceOfSatisfying(DrException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY);
                assertThat(e.getMessage()).contains(key);
            });
        }
    }

    @Test
    void aDamagedTreeFailsAloneAndNamesItsPack() {
        Pack pack = packOfThreeTrees();
        List<BlobId> ids = pack.ids();
        String key = pack.key();
        byte[] whole = store.get(key);
        whole[pack.last().offset() + 20] ^= 1;
        store.put(key, whole);

        try (Engine engine = Engine.open(store, PASSWORD, options)) {
            assertThat(engine.loadTree(ids.get(0)).nodes()).hasSize(1);
            assertThatThrownBy(() -> engine.loadTree(ids.get(2))).isInstanceOfSatisfying(DrException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY);
                assertThat(e.getMessage()).contains(key);
            });
            assertThat(engine.loadTree(ids.get(1)).nodes()).hasSize(1);
        }
    }
}
