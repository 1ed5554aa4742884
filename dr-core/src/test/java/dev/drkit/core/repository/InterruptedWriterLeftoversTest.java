package dev.drkit.core.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.backup.EntryWriter;
import dev.drkit.api.backup.SnapshotSource;
import dev.drkit.api.backup.SourceView;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.core.store.SnapshotStores;
import dev.drkit.core.store.internal.TemporaryFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a backup that is killed or fails leaves in a directory ({@code file:}) repository: packs
 * it uploaded before it could write its index, and temporary files of writes cut off before the
 * rename that puts them in place. Verify counts both without calling them problems, and prune
 * removes them once they are old enough.
 */
class InterruptedWriterLeftoversTest {
    static final char[] PASSWORD = "correct horse".toCharArray();

    @TempDir
    Path tmp;

    Path repoDir;
    Path src;

    /** Opens a directory repository with 64 KiB packs holding one good snapshot. */
    Repository repositoryWithOneSnapshot() throws IOException {
        repoDir = tmp.resolve("repo");
        src = tmp.resolve("src");
        Files.createDirectories(src);
        Files.write(src.resolve("kept"), randomBytes(1, 200_000));
        Repository repo = Repository.init(SnapshotStores.file(repoDir), PASSWORD,
                RepositoryTest.fastOptions().packSize(64 * 1024).build());
        repo.backup(BackupRequest.of(DirectorySource.of("src", src)));
        return repo;
    }

    static byte[] randomBytes(long seed, int size) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    /** The pack files of the repository directory, by file name. */
    Set<String> packFiles() throws IOException {
        try (Stream<Path> files = Files.walk(repoDir.resolve("data.d"))) {
            return files.filter(Files::isRegularFile).map(f -> f.getFileName().toString())
                    .filter(n -> !n.startsWith(".")).collect(Collectors.toSet());
        }
    }

    /** The temporary files of the repository directory. */
    List<Path> temporaryFiles() throws IOException {
        try (Stream<Path> files = Files.walk(repoDir)) {
            return files.filter(f -> f.getFileName().toString().startsWith(TemporaryFiles.PREFIX)).toList();
        }
    }

    /**
     * Backs up new data with a source that fails once the backup has uploaded a pack of it: the
     * backup stops before it writes its index, as one killed at that moment does.
     */
    void backUpUntilAPackIsUploadedThenFail(Repository repo) throws IOException {
        Files.write(src.resolve("lost"), randomBytes(2, 1_000_000));
        Set<String> before = packFiles();
        SnapshotSource failing = new SnapshotSource() {
            @Override
            public String name() {
                return "src";
            }

            @Override
            public SourceView begin() throws IOException {
                SourceView view = DirectorySource.of("src", src).begin();
                return new SourceView() {
                    @Override
                    public void writeTo(EntryWriter out) throws IOException {
                        view.writeTo(out);
                        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                        while (before.containsAll(packFiles()) && System.nanoTime() < deadline) {
                            Thread.onSpinWait();
                        }
                        throw new IOException("the source's disk went away");
                    }

                    @Override
                    public void close() throws IOException {
                        view.close();
                    }
                };
            }
        };
        assertThatThrownBy(() -> repo.backup(BackupRequest.of(failing))).isInstanceOf(DrException.class)
                .hasMessageContaining("the source's disk went away");
    }

    /** Writes a temporary file as the file store names them, in a directory of the repository. */
    Path temporaryFile(String dir, byte[] content, Duration age) throws IOException {
        Path file = repoDir.resolve(dir).resolve(TemporaryFiles.PREFIX + UUID.randomUUID());
        Files.write(file, content);
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(age)));
        return file;
    }

    @Test
    void packsOfAFailedBackupAreCountedByVerifyAsUnindexedNotAsAProblemAndPruneDeletesThemAfterTheGracePeriod()
            throws IOException {
        try (Repository repo = repositoryWithOneSnapshot()) {
            Set<String> indexed = packFiles();
            backUpUntilAPackIsUploadedThenFail(repo);
            Set<String> leftover = packFiles();
            leftover.removeAll(indexed);
            assertThat(leftover).isNotEmpty();

            VerifyReport report = repo.verify(VerifyOptions.readAllData());

            assertThat(report.problems()).isEmpty();
            assertThat(report.unindexedPacks()).isEqualTo(leftover.size());
            assertThat(report.packs()).isEqualTo(indexed.size());

            PruneResult young = repo.prune(PruneOptions.DEFAULT);
            assertThat(young.packsDeleted()).isZero();
            assertThat(young.packsKeptYoung()).isEqualTo(leftover.size());
            assertThat(packFiles()).containsAll(leftover);

            PruneResult pruned = repo.prune(new PruneOptions(Duration.ZERO, PruneOptions.DEFAULT_REPACK_THRESHOLD,
                    false));
            assertThat(pruned.packsDeleted()).isEqualTo(leftover.size());
            assertThat(packFiles()).isEqualTo(indexed);
            VerifyReport after = repo.verify(VerifyOptions.readAllData());
            assertThat(after.problems()).isEmpty();
            assertThat(after.unindexedPacks()).isZero();
            assertThat(repo.snapshots()).hasSize(1);
        }
    }

    @Test
    void temporaryFilesOfKilledWritesAreCountedByVerifyAndPruneDeletesOnlyThoseOlderThanAnHour()
            throws IOException {
        try (Repository repo = repositoryWithOneSnapshot()) {
            Path indexFile;
            try (Stream<Path> files = Files.list(repoDir.resolve("index.d"))) {
                indexFile = files.findFirst().orElseThrow();
            }
            Path pack;
            try (Stream<Path> files = Files.walk(repoDir.resolve("data.d"))) {
                pack = files.filter(Files::isRegularFile).findFirst().orElseThrow();
            }
            byte[] index = Files.readAllBytes(indexFile);
            byte[] packBytes = Files.readAllBytes(pack);
            // Killed two hours ago while writing an index file and a pack; one write runs now.
            Path oldIndex = temporaryFile("index.d", Arrays.copyOf(index, index.length / 2), Duration.ofHours(2));
            Path oldPack = temporaryFile(repoDir.relativize(pack.getParent()).toString(),
                    Arrays.copyOf(packBytes, packBytes.length / 3), Duration.ofHours(2));
            Path running = temporaryFile("snapshots.d", new byte[10], Duration.ZERO);

            VerifyReport report = repo.verify(VerifyOptions.structure());

            assertThat(report.ok()).isTrue();
            assertThat(report.temporaryFiles()).isEqualTo(3);
            assertThat(report.unindexedPacks()).isZero();

            PruneResult longGrace = repo.prune(new PruneOptions(Duration.ofHours(3),
                    PruneOptions.DEFAULT_REPACK_THRESHOLD, true));
            assertThat(longGrace.temporaryFilesDeleted()).as("a grace period longer than an hour counts").isZero();
            PruneResult dryRun = repo.prune(new PruneOptions(PruneOptions.DEFAULT_GRACE,
                    PruneOptions.DEFAULT_REPACK_THRESHOLD, true));
            assertThat(dryRun.temporaryFilesDeleted()).isEqualTo(2);
            assertThat(temporaryFiles()).containsExactlyInAnyOrder(oldIndex, oldPack, running);
            PruneResult zeroGrace = repo.prune(new PruneOptions(Duration.ZERO,
                    PruneOptions.DEFAULT_REPACK_THRESHOLD, false));
            assertThat(zeroGrace.temporaryFilesDeleted()).as("never younger than an hour").isEqualTo(2);
            assertThat(temporaryFiles()).containsExactly(running);

            VerifyReport after = repo.verify(VerifyOptions.readAllData());
            assertThat(after.problems()).isEmpty();
            assertThat(after.temporaryFiles()).isEqualTo(1);
        }
    }

    @Test
    void aRepositoryInMemoryHasNoTemporaryFiles() {
        try (Repository repo = Repository.init(SnapshotStores.memory(), PASSWORD,
                RepositoryTest.fastOptions().build())) {
            VerifyReport report = repo.verify(VerifyOptions.structure());
            assertThat(report.ok()).isTrue();
            assertThat(report.temporaryFiles()).isZero();
            assertThat(report.unindexedPacks()).isZero();
            assertThat(repo.prune(PruneOptions.DEFAULT).temporaryFilesDeleted()).isZero();
        }
    }
}
