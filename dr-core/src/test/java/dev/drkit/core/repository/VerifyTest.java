package dev.drkit.core.repository;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.backup.RetentionPolicy;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.core.store.SnapshotStores;
import dev.drkit.testkit.store.ForwardingStore;
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
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code verify} of packs: each pack's size in the structural check, and which packs a data check reads. */
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
            // Small files share a pack, so forgetting one leaves that pack partly used: repacked.
            Path src = tmp.resolve("src");
            Random random = new Random(4);
            for (int i = 0; i < 10; i++) {
                byte[] small = new byte[2_000];
                random.nextBytes(small);
                Files.write(src.resolve("small-" + i), small);
            }
            repo.backup(BackupRequest.of(DirectorySource.of("src", src)));
            Files.delete(src.resolve("small-3"));
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

    @Test
    void aOnePercentSubsetOfASmallRepositoryReadsOnePackAndFindsItsDamage() throws IOException {
        try (Repository repo = backUp(store, 1, 10_000)) {
            List<String> packs = store.keys("data/");
            assertThat(packs).hasSizeBetween(1, 3);
            for (String pack : packs) {
                store.flipByte(pack, (int) store.stat(pack).orElseThrow().size() - 10); // in the pack's header
            }
            assertThat(repo.verify(VerifyOptions.structure()).problems()).isEmpty();

            for (long seed = 20; seed < 30; seed++) {
                VerifyReport report = repo.verify(VerifyOptions.readDataSample(0.01, seed));

                assertThat(report.packsRead()).as("seed %d", seed).isEqualTo(1);
                assertThat(report.ok()).as("seed %d", seed).isFalse();
                assertThat(report.problems()).extracting(VerifyReport.Problem::key).containsAnyElementsOf(packs)
                        .allMatch(packs::contains);
            }
        }
    }

    @Test
    void aSubsetReadsTheCeilingOfItsShareOfThePacksAndTheSeedChoosesTheSameOnesEveryTime() throws IOException {
        Set<String> read = new TreeSet<>();
        SnapshotStore recording = new ForwardingStore(store) {
            @Override
            public byte[] get(String key) {
                if (key.startsWith("data/")) {
                    synchronized (read) {
                        read.add(key);
                    }
                }
                return super.get(key);
            }
        };
        try (Repository repo = backUp(recording, 6, 150_000)) {
            int packs = store.keys("data/").size();
            assertThat(packs).isGreaterThan(10);
            Set<String> smaller = Set.of();
            for (double fraction : new double[] {0.01, 0.1, 0.25, 0.3, 0.5, 0.99, 1}) {
                read.clear();
                VerifyReport report = repo.verify(VerifyOptions.readDataSample(fraction, 26));
                int expected = (int) Math.ceil(fraction * packs - 1e-9);

                assertThat(report.ok()).isTrue();
                assertThat(report.packsRead()).as("%s of %d packs", fraction, packs).isEqualTo(expected)
                        .isEqualTo(read.size());
                assertThat(read).as("a larger share reads the packs of a smaller one").containsAll(smaller);
                Set<String> first = Set.copyOf(read);
                read.clear();
                repo.verify(VerifyOptions.readDataSample(fraction, 26));
                assertThat(read).as("the same seed reads the same packs").isEqualTo(first);
                smaller = first;
            }
            read.clear();
            repo.verify(VerifyOptions.readDataSample(0.3, 27));
            assertThat(read).hasSize(VerifyOptions.readDataSample(0.3, 27).packsToRead(packs));
        }
    }

    @Test
    void theNumberOfPacksReadIsTheCeilingOfTheShareAsWrittenAndAtLeastOne() {
        // 0.07 * 100.0 is 7.000000000000001 in doubles
        assertThat(VerifyOptions.readDataSample(0.07, 1).packsToRead(100)).isEqualTo(7);
        assertThat(VerifyOptions.readDataSample(0.3, 1).packsToRead(10)).isEqualTo(3);
        assertThat(VerifyOptions.readDataSample(0.01, 1).packsToRead(2)).isEqualTo(1);
        assertThat(VerifyOptions.readDataSample(Double.MIN_VALUE, 1).packsToRead(1_000_000)).isEqualTo(1);
        assertThat(VerifyOptions.readDataSample(0.5, 1).packsToRead(7)).isEqualTo(4);
        assertThat(VerifyOptions.readDataSample(0.5, 1).packsToRead(0)).isZero();
        assertThat(VerifyOptions.readAllData().packsToRead(7)).isEqualTo(7);
        assertThat(VerifyOptions.structure().packsToRead(7)).isZero();
    }

    @Test
    void aShareOfPacksWithoutReadingDataIsRefused() {
        assertThatThrownBy(() -> new VerifyOptions(false, 0.5, 26)).isInstanceOf(DrException.class)
                .hasMessageContaining("sample").hasMessageContaining("readData").hasMessageContaining("0.5")
                .extracting(e -> ((DrException) e).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    }
}
