package dev.drkit.core.repository;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.backup.RetentionPolicy;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.core.store.SnapshotStores;
import dev.drkit.testkit.store.InMemoryStore;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code verify} of packs: each pack's size in the structural check. */
class VerifyTest {
    static final char[] PASSWORD = "correct horse".toCharArray();

    @TempDir
    Path tmp;

    final InMemoryStore store = new InMemoryStore();

    /** Opens a repository with 64 KiB packs in a store and backs up files of random bytes into it. */
    Repository backUp(SnapshotStore into, int files, int size) throws IOException {
        Path src = tmp.resolve("src");
        Files.createDirectories(src);
        Random random = new Random(3);
        for (int i = 0; i < files; i++) {
            byte[] data = new byte[size + i];
            random.nextBytes(data);
            Files.write(src.resolve("f" + i), data);
        }
        Repository repo = Repository.init(into, PASSWORD, RepositoryTest.fastOptions().packSize(64 * 1024).build());
        repo.backup(BackupRequest.of(DirectorySource.of("src", src)));
        return repo;
    }

    /** The key of the largest pack, which holds file data rather than trees. */
    String largestPack() {
        return store.objects().values().stream().filter(o -> o.key().startsWith("data/"))
                .max(Comparator.comparingLong(ObjectInfo::size).thenComparing(ObjectInfo::key))
                .orElseThrow().key();
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, -30_000, 1, 4096})
    void theStructuralCheckNamesAPackShorterOrLongerThanItsIndexSaysWithBothSizes(int change) throws IOException {
        try (Repository repo = backUp(store, 4, 150_000)) {
            String pack = largestPack();
            byte[] intact = store.get(pack);
            store.put(pack, Arrays.copyOf(intact, intact.length + change));

            VerifyReport report = repo.verify(VerifyOptions.structure());

            assertThat(report.ok()).isFalse();
            assertThat(report.packsRead()).isZero();
            assertThat(report.problems()).singleElement().satisfies(p -> {
                assertThat(p.key()).isEqualTo(pack);
                assertThat(p.message()).contains(String.valueOf(intact.length + change))
                        .contains(String.valueOf(intact.length))
                        .contains(change < 0 ? "cut short" : "extended");
            });
        }
    }

    @Test
    void theStructuralCheckNamesAPackCutShortInADirectoryRepository() throws IOException {
        Path dir = tmp.resolve("repo");
        try (Repository repo = backUp(SnapshotStores.file(dir), 4, 150_000)) {
            Path victim;
            try (var files = Files.walk(dir.resolve("data.d"))) {
                victim = files.filter(Files::isRegularFile)
                        .max(Comparator.comparingLong((Path f) -> f.toFile().length())
                                .thenComparing(Comparator.naturalOrder()))
                        .orElseThrow();
            }
            String id = victim.getFileName().toString();
            String pack = "data/" + id.substring(0, 2) + "/" + id;
            long length = Files.size(victim);
            try (RandomAccessFile file = new RandomAccessFile(victim.toFile(), "rw")) {
                file.setLength(length / 2);
            }

            VerifyReport report = repo.verify(VerifyOptions.structure());

            assertThat(report.problems()).singleElement().satisfies(p -> {
                assertThat(p.key()).isEqualTo(pack);
                assertThat(p.message()).contains(length / 2 + " bytes").contains(length + " bytes");
            });
        }
    }

    @Test
    void anIntactRepositoryVerifiesWithoutProblemsAfterItsPacksAreRepacked() throws IOException {
        try (Repository repo = backUp(store, 4, 150_000)) {
            Path src = tmp.resolve("src");
            Files.delete(src.resolve("f1"));
            Files.writeString(src.resolve("new.txt"), "new");
            repo.backup(BackupRequest.of(DirectorySource.of("src", src)));
            repo.forget(RetentionPolicy.builder().keepLast(1).build(), false);
            PruneResult pruned = repo.prune(new PruneOptions(Duration.ZERO, 0.0, false));
            assertThat(pruned.packsRepacked()).isPositive();

            VerifyReport structure = repo.verify(VerifyOptions.structure());
            VerifyReport data = repo.verify(VerifyOptions.readAllData());

            assertThat(structure.problems()).isEmpty();
            assertThat(data.problems()).isEmpty();
            assertThat(data.packsRead()).isEqualTo(data.packs()).isGreaterThan(3);
            assertThat(List.of(structure.notes(), data.notes())).allMatch(List::isEmpty);
        }
    }
}
