package dev.drkit.core.repository.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.core.repository.BackupRequest;
import dev.drkit.core.repository.BackupResult;
import dev.drkit.core.repository.KdfParams;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.core.repository.RestoreOptions;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.testkit.store.InMemoryStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trees written as their directories end go into packs of their own, not among the data. */
class TreePacksTest {
    static final char[] PASSWORD = "pw".toCharArray();

    @TempDir
    Path tmp;

    @Test
    void treesOfDirectoriesThatEndDuringTheBackupShareNoPackWithData() throws IOException {
        Path src = tmp.resolve("src");
        Random random = new Random(3);
        for (int d = 0; d < 40; d++) {
            Path dir = Files.createDirectories(src.resolve("d" + d + "/sub"));
            for (int f = 0; f < 6; f++) {
                byte[] content = new byte[20_000 + random.nextInt(20_000)];
                random.nextBytes(content);
                Files.write((f % 2 == 0 ? dir : dir.getParent()).resolve("f" + f), content);
            }
        }
        InMemoryStore store = new InMemoryStore();
        RepositoryOptions options = RepositoryOptions.builder().kdf(new KdfParams(256, 1, 1))
                .chunkSizes(4096, 16384, 65536).packSize(128 * 1024).threads(2).build();
        BackupResult result;
        try (Repository repo = Repository.init(store, PASSWORD, options)) {
            result = repo.backup(BackupRequest.of(DirectorySource.of("src", src)));
            repo.restore("latest", tmp.resolve("out"), RestoreOptions.all());
        }
        assertThat(result.directories()).isEqualTo(81);
        assertThat(Files.mismatch(src.resolve("d7/sub/f0"), tmp.resolve("out/src/d7/sub/f0"))).isEqualTo(-1);

        try (Engine engine = Engine.open(store, PASSWORD, options)) {
            Map<String, List<PackEntry>> packs = engine.index().packs();
            Map<String, Set<BlobType>> typesByPack = packs.entrySet().stream().collect(Collectors.toMap(
                    Map.Entry::getKey, e -> e.getValue().stream().map(PackEntry::type).collect(Collectors.toSet())));
            assertThat(typesByPack.values()).as("blob types of each pack").allSatisfy(types -> assertThat(types)
                    .hasSize(1));
            long dataPacks = typesByPack.values().stream().filter(t -> t.contains(BlobType.DATA)).count();
            long treePacks = typesByPack.values().stream().filter(t -> t.contains(BlobType.TREE)).count();
            assertThat(dataPacks).as("data packs of 128 KiB for about 1.2 MiB").isGreaterThan(5);
            assertThat(treePacks).as("the 82 trees, a few KiB").isEqualTo(1);
        }
    }
}
