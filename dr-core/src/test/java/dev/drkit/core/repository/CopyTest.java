package dev.drkit.core.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.core.store.SnapshotStores;
import dev.drkit.testkit.PropertyTests;
import dev.drkit.testkit.store.FaultInjectingStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CopyTest {
    static final char[] SOURCE_PASSWORD = "source secret".toCharArray();
    static final char[] DESTINATION_PASSWORD = "another secret".toCharArray();

    @TempDir
    Path tmp;

    static RepositoryOptions options() {
        return RepositoryTest.fastOptions().build();
    }

    Path sampleTree(String name, long seed) throws IOException {
        Path src = tmp.resolve(name);
        Files.createDirectories(src.resolve("dir/sub"));
        Random random = new Random(seed);
        byte[] big = new byte[600_000];
        random.nextBytes(big);
        Files.write(src.resolve("big.bin"), big);
        Files.write(src.resolve("dir/copy-of-big.bin"), big);
        Files.writeString(src.resolve("dir/sub/text.txt"), "hello ".repeat(20_000));
        Files.write(src.resolve("empty"), new byte[0]);
        Files.createSymbolicLink(src.resolve("link"), Path.of("dir/sub/text.txt"));
        Files.createDirectories(src.resolve("emptydir"));
        return src;
    }

    @Test
    void copyReEncryptsIntoAnotherStoreAndRestoresByteForByte() throws IOException {
        Path src = sampleTree("src", 1);
        try (SnapshotStore fileStore = SnapshotStores.open("file:" + tmp.resolve("repo-a"));
                SnapshotStore memStore = SnapshotStores.memory();
                Repository from = Repository.init(fileStore, SOURCE_PASSWORD, options());
                Repository to = Repository.init(memStore, DESTINATION_PASSWORD, options())) {
            BackupResult backup = from.backup(BackupRequest.builder().source(DirectorySource.of("src", src))
                    .tags("daily", "app").host("db-1").build());

            CopyResult copy = from.copyTo(to, List.of());

            assertThat(copy.copied()).containsExactly(backup.snapshotId());
            assertThat(copy.blobsSent()).isPositive();
            Snapshot copied = to.snapshot(backup.snapshotId());
            assertThat(copied.time()).isEqualTo(backup.snapshot().time());
            assertThat(copied.host()).isEqualTo("db-1");
            assertThat(copied.tags()).containsExactlyInAnyOrder("daily", "app");
            assertThat(copied.sources()).containsExactly("src");
            assertThat(copied.files()).isEqualTo(backup.snapshot().files());
            to.restore(copied.id(), tmp.resolve("out"), RestoreOptions.all());
            assertThat(Trees.describe(tmp.resolve("out/src"), true)).isEqualTo(Trees.describe(src, true));
            assertThat(to.entries(copied.id())).extracting(SnapshotEntry::path)
                    .isEqualTo(from.entries(backup.snapshotId()).stream().map(SnapshotEntry::path).toList());
            assertThat(to.verify(VerifyOptions.readAllData()).problems()).isEmpty();
        }
        // The destination opens with its own password only.
        try (SnapshotStore fileStore = SnapshotStores.open("file:" + tmp.resolve("repo-a"))) {
            assertThatThrownBy(() -> Repository.open(fileStore, DESTINATION_PASSWORD, options()))
                    .isInstanceOf(DrException.class).extracting(e -> ((DrException) e).code())
                    .isEqualTo(ErrorCode.WRONG_PASSWORD);
        }
    }

    @Test
    void aSecondCopySendsNothingAndALaterSnapshotSendsOnlyItsNewBlobs() throws IOException {
        Path src = sampleTree("src", 2);
        try (SnapshotStore a = SnapshotStores.memory();
                SnapshotStore b = SnapshotStores.memory();
                Repository from = Repository.init(a, SOURCE_PASSWORD, options());
                Repository to = Repository.init(b, DESTINATION_PASSWORD, options())) {
            String first = from.backup(BackupRequest.of(DirectorySource.of("src", src))).snapshotId();
            CopyResult full = from.copyTo(to, List.of(first));

            CopyResult again = from.copyTo(to, List.of(first));
            assertThat(again.copied()).isEmpty();
            assertThat(again.skipped()).containsExactly(first);
            assertThat(again.blobsSent()).isZero();
            assertThat(again.bytesSent()).isZero();

            Files.writeString(src.resolve("dir/sub/new.txt"), "a new file");
            String second = from.backup(BackupRequest.of(DirectorySource.of("src", src))).snapshotId();
            CopyResult later = from.copyTo(to, List.of());
            assertThat(later.copied()).containsExactly(second);
            assertThat(later.skipped()).containsExactly(first);
            // one data blob, and the trees dir/sub, dir, src and the snapshot's root
            assertThat(later.blobsRead()).isEqualTo(1);
            assertThat(later.blobsSent()).isEqualTo(5);
            assertThat(later.bytesSent()).isLessThan(full.bytesSent() / 10);
            to.restore(second, tmp.resolve("out"), RestoreOptions.all());
            assertThat(Trees.describe(tmp.resolve("out/src"), true)).isEqualTo(Trees.describe(src, true));
        }
    }

    @Test
    void aCopyInterruptedAtAnyWriteLeavesNoSnapshotAndARerunCompletes() throws IOException {
        Path src = sampleTree("src", 3);
        try (SnapshotStore a = SnapshotStores.memory();
                Repository from = Repository.init(a, SOURCE_PASSWORD, options())) {
            String id = from.backup(BackupRequest.of(DirectorySource.of("src", src))).snapshotId();
            long writesOfACopy;
            FaultInjectingStore counting = FaultInjectingStore.wrap(SnapshotStores.memory()).build();
            try (Repository to = Repository.init(counting, DESTINATION_PASSWORD, options())) {
                long before = counting.writes();
                from.copyTo(to, List.of());
                writesOfACopy = counting.writes() - before;
            }
            assertThat(writesOfACopy).isGreaterThan(4);
            // The manifest is the commit point; then the history's head is replaced and its entry
            // archived: the last two writes of a copy.
            int historyWrites = 2;
            for (long n = 1; n <= writesOfACopy; n++) {
                FaultInjectingStore faulty = FaultInjectingStore.wrap(SnapshotStores.memory()).build();
                try (Repository to = Repository.init(faulty, DESTINATION_PASSWORD, options())) {
                    faulty.failWriteAfter(n);
                    assertThatThrownBy(() -> from.copyTo(to, List.of()))
                            .as("failing write %d of %d", n, writesOfACopy)
                            .isInstanceOf(DrException.class).extracting(e -> ((DrException) e).code())
                            .isIn(ErrorCode.UNAVAILABLE, ErrorCode.LOCKED);
                    boolean committed = n > writesOfACopy - historyWrites;
                    assertThat(to.snapshots()).as("failing write %d", n).hasSize(committed ? 1 : 0);

                    CopyResult rerun = from.copyTo(to, List.of());
                    assertThat(committed ? rerun.skipped() : rerun.copied()).as("failing write %d", n)
                            .containsExactly(id);
                    VerifyReport report = to.verify(VerifyOptions.readAllData());
                    assertThat(report.problems()).as("failing write %d", n).isEmpty();
                    assertThat(report.snapshots()).isEqualTo(1);
                    Path out = tmp.resolve("out-" + n);
                    to.restore(id, out, RestoreOptions.all());
                    assertThat(Trees.describe(out.resolve("src"), true)).isEqualTo(Trees.describe(src, true));
                }
            }
        }
    }

    @Test
    void copyingIntoItselfIsRefused() {
        try (SnapshotStore a = SnapshotStores.memory();
                Repository repo = Repository.init(a, SOURCE_PASSWORD, options())) {
            assertThatThrownBy(() -> repo.copyTo(repo, List.of()))
                    .isInstanceOf(DrException.class).hasMessageContaining("into itself");
        }
    }

    @Test
    void anUnknownSnapshotIsNotFound() {
        try (SnapshotStore a = SnapshotStores.memory();
                SnapshotStore b = SnapshotStores.memory();
                Repository from = Repository.init(a, SOURCE_PASSWORD, options());
                Repository to = Repository.init(b, SOURCE_PASSWORD, options())) {
            assertThatThrownBy(() -> from.copyTo(to, List.of("abcdef12")))
                    .isInstanceOf(DrException.class).extracting(e -> ((DrException) e).code())
                    .isEqualTo(ErrorCode.NOT_FOUND);
        }
    }

    @Test
    void incrementalCopiesOfAChainOfMutationsRestoreEverySnapshotFromTheDestination() {
        int[] run = {0};
        PropertyTests.qt(5).forAll(longs().all(), integers().between(2, 5))
                .checkAssert((seed, steps) -> {
                    Path root = tmp.resolve("chain" + run[0]++);
                    Path src = root.resolve("src");
                    Random random = new Random(seed);
                    RepositoryPropertiesTest.generate(src, random, 10);
                    List<Map<String, String>> states = new ArrayList<>();
                    List<String> ids = new ArrayList<>();
                    try (Repository from = Repository.init(SnapshotStores.memory(), SOURCE_PASSWORD, options());
                            Repository to = Repository.init(SnapshotStores.memory(), DESTINATION_PASSWORD,
                                    options())) {
                        for (int k = 0; k < steps; k++) {
                            if (k > 0) {
                                RepositoryPropertiesTest.mutate(src, random);
                            }
                            states.add(Trees.describe(src, false));
                            ids.add(from.backup(BackupRequest.of(DirectorySource.of("src", src))).snapshotId());
                            if (random.nextBoolean()) {
                                from.copyTo(to, List.of());
                            }
                        }
                        from.copyTo(to, List.of());
                        String what = "chain seed " + seed + " (QuickTheories seed " + PropertyTests.seed() + ")";
                        assertThat(from.copyTo(to, List.of()).bytesSent()).as(what).isZero();
                        for (int k = 0; k < steps; k++) {
                            Path out = root.resolve("out" + k);
                            to.restore(ids.get(k), out, RestoreOptions.all());
                            assertThat(Trees.describe(out.resolve("src"), false)).as("snapshot %d of %s", k, what)
                                    .isEqualTo(states.get(k));
                        }
                        assertThat(to.verify(VerifyOptions.readAllData()).problems()).as(what).isEmpty();
                        assertThat(to.stats().blobs()).as(what).isEqualTo(from.stats().blobs());
                    }
                });
    }
}
