package dev.drkit.core.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.testkit.store.ForwardingStore;
import dev.drkit.testkit.store.InMemoryStore;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A restore into a target that already holds entries of the snapshot's names, of the same type or another. */
class RestoreOverExistingEntriesTest {
    @TempDir
    Path tmp;

    final InMemoryStore store = new InMemoryStore();

    Repository init() {
        return Repository.init(store, RepositoryTest.PASSWORD, RepositoryTest.fastOptions().build());
    }

    /** {@code src/big.bin}, {@code src/dir/a.txt}, {@code src/link -> dir/a.txt}, backed up. */
    Path backedUpTree(Repository repo) throws IOException {
        Path src = tmp.resolve("src");
        Files.createDirectories(src.resolve("dir"));
        Files.write(src.resolve("big.bin"), new byte[100_000]);
        Files.writeString(src.resolve("dir/a.txt"), "a");
        Files.createSymbolicLink(src.resolve("link"), Path.of("dir/a.txt"));
        repo.backup(BackupRequest.of(DirectorySource.of("src", src)));
        return src;
    }

    @Test
    void withoutOverwriteAKeptFileThatIsNotTheSnapshotsIsCountedAndNamed() throws IOException {
        try (Repository repo = init()) {
            backedUpTree(repo);
            Path out = tmp.resolve("out");
            repo.restore("latest", out, RestoreOptions.all());
            // what a restore killed while it wrote big.bin leaves: part of it, with the time of the kill
            try (FileChannel ch = FileChannel.open(out.resolve("src/big.bin"), StandardOpenOption.WRITE)) {
                ch.truncate(65_536);
            }
            Files.setLastModifiedTime(out.resolve("src/big.bin"), FileTime.from(Instant.now()));

            RestoreResult again = repo.restore("latest", out, RestoreOptions.all().withOverwrite(false));

            assertThat(again.skipped()).isEqualTo(3); // big.bin, dir/a.txt and the link, as they were
            assertThat(again.differing()).isEqualTo(1);
            assertThat(again.differingPaths()).containsExactly("src/big.bin");
            assertThat(out.resolve("src/big.bin")).hasSize(65_536);

            RestoreResult overwritten = repo.restore("latest", out, RestoreOptions.all());
            assertThat(overwritten.differing()).isZero();
            assertThat(out.resolve("src/big.bin")).hasSize(100_000);
        }
    }

    @Test
    void withOverwriteAnEmptyDirectoryInTheWayOfAFileIsReplacedByTheFile() throws IOException {
        try (Repository repo = init()) {
            Path src = backedUpTree(repo);
            Path out = tmp.resolve("out");
            Files.createDirectories(out.resolve("src/big.bin"));

            RestoreResult result = repo.restore("latest", out, RestoreOptions.all());

            assertThat(out.resolve("src/big.bin")).isRegularFile();
            assertThat(Trees.describe(out.resolve("src"), true)).isEqualTo(Trees.describe(src, true));
            assertThat(result.files()).isEqualTo(2);
            assertThat(result.skipped()).isZero();
            assertThat(leftovers(out)).isEmpty();
        }
    }

    @Test
    void withOverwriteADirectoryInTheWayThatHoldsEntriesFailsOnlyThatFileNamingIt() throws IOException {
        try (Repository repo = init()) {
            backedUpTree(repo);
            Path out = tmp.resolve("out");
            Files.createDirectories(out.resolve("src/big.bin"));
            Files.writeString(out.resolve("src/big.bin/local.txt"), "not the restore's to delete");

            DrException failure = catchThrowableOfType(DrException.class,
                    () -> repo.restore("latest", out, RestoreOptions.all()));

            assertThat(failure.code()).isEqualTo(ErrorCode.IO_FAILURE);
            assertThat(failure.getMessage()).contains("src/big.bin").contains("directory");
            assertThat(out.resolve("src/big.bin/local.txt")).hasContent("not the restore's to delete");
            assertThat(out.resolve("src/dir/a.txt")).hasContent("a");
            assertThat(leftovers(out)).isEmpty();
        }
    }

    @Test
    void withoutOverwriteEntriesInTheWayAreKeptAndCountedAsSkipped() throws IOException {
        try (Repository repo = init()) {
            backedUpTree(repo);
            Path out = tmp.resolve("out");
            Files.createDirectories(out.resolve("src/big.bin"));
            Files.createDirectories(out.resolve("src/link"));

            RestoreResult result = repo.restore("latest", out, RestoreOptions.all().withOverwrite(false));

            assertThat(out.resolve("src/big.bin")).isDirectory();
            assertThat(out.resolve("src/link")).isDirectory();
            assertThat(result.skipped()).isEqualTo(2);
            assertThat(result.files()).isEqualTo(1);
        }
    }

    @Test
    void withOverwriteASymlinkInTheWayOfAFileIsReplacedWithoutWritingWhereItPoints() throws IOException {
        try (Repository repo = init()) {
            Path src = backedUpTree(repo);
            Path outside = tmp.resolve("outside.txt");
            Files.writeString(outside, "outside the target");
            Path out = tmp.resolve("out");
            Files.createDirectories(out.resolve("src"));
            Files.createSymbolicLink(out.resolve("src/big.bin"), outside);

            repo.restore("latest", out, RestoreOptions.all());

            assertThat(Files.isSymbolicLink(out.resolve("src/big.bin"))).isFalse();
            assertThat(Trees.describe(out.resolve("src"), true)).isEqualTo(Trees.describe(src, true));
            assertThat(outside).hasContent("outside the target");
        }
    }

    @Test
    void withOverwriteAFileInTheWayOfADirectoryIsReplacedByTheDirectory() throws IOException {
        try (Repository repo = init()) {
            Path src = backedUpTree(repo);
            Path out = tmp.resolve("out");
            Files.createDirectories(out.resolve("src"));
            Files.writeString(out.resolve("src/dir"), "a file where the snapshot has a directory");

            repo.restore("latest", out, RestoreOptions.all());

            assertThat(Trees.describe(out.resolve("src"), true)).isEqualTo(Trees.describe(src, true));
        }
    }

    @Test
    void withOverwriteASymlinkInTheWayOfADirectoryIsReplacedAndNotRestoredThrough() throws IOException {
        try (Repository repo = init()) {
            Path src = backedUpTree(repo);
            Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
            Path out = tmp.resolve("out");
            Files.createDirectories(out.resolve("src"));
            Files.createSymbolicLink(out.resolve("src/dir"), elsewhere);

            repo.restore("latest", out, RestoreOptions.all());

            assertThat(Files.isDirectory(out.resolve("src/dir"), LinkOption.NOFOLLOW_LINKS)).isTrue();
            assertThat(Trees.describe(out.resolve("src"), true)).isEqualTo(Trees.describe(src, true));
            try (Stream<Path> written = Files.list(elsewhere)) {
                assertThat(written).isEmpty();
            }
        }
    }

    @Test
    void withoutOverwriteASymlinkInTheWayOfADirectoryFailsThatDirectoryNamingItAndTheRestIsRestored()
            throws IOException {
        try (Repository repo = init()) {
            backedUpTree(repo);
            Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
            Path out = tmp.resolve("out");
            Files.createDirectories(out.resolve("src"));
            Files.createSymbolicLink(out.resolve("src/dir"), elsewhere);

            DrException failure = catchThrowableOfType(DrException.class,
                    () -> repo.restore("latest", out, RestoreOptions.all().withOverwrite(false)));

            assertThat(failure.code()).isEqualTo(ErrorCode.UNSAFE_PATH);
            assertThat(failure.input()).isEqualTo("src/dir");
            assertThat(failure.getMessage()).startsWith("1 file(s) could not be restored: src/dir (");
            try (Stream<Path> written = Files.list(elsewhere)) {
                assertThat(written).isEmpty();
            }
            assertThat(Files.isSymbolicLink(out.resolve("src/dir"))).as("the link is kept").isTrue();
            assertThat(out.resolve("src/big.bin")).hasSize(100_000);
            assertThat(Files.readSymbolicLink(out.resolve("src/link"))).isEqualTo(Path.of("dir/a.txt"));
        }
    }

    @Test
    void withOverwriteAnEmptyDirectoryInTheWayOfASymlinkIsReplacedByTheLink() throws IOException {
        try (Repository repo = init()) {
            Path src = backedUpTree(repo);
            Path out = tmp.resolve("out");
            Files.createDirectories(out.resolve("src/link"));

            RestoreResult result = repo.restore("latest", out, RestoreOptions.all());

            assertThat(Files.readSymbolicLink(out.resolve("src/link"))).isEqualTo(Path.of("dir/a.txt"));
            assertThat(Trees.describe(out.resolve("src"), true)).isEqualTo(Trees.describe(src, true));
            assertThat(result.symlinks()).isEqualTo(1);
            assertThat(result.skipped()).isZero();
        }
    }

    @Test
    void withOverwriteADirectoryInTheWayOfASymlinkThatHoldsEntriesFailsOnlyTheLinkNamingIt() throws IOException {
        try (Repository repo = init()) {
            backedUpTree(repo);
            Path out = tmp.resolve("out");
            Files.createDirectories(out.resolve("src/link"));
            Files.writeString(out.resolve("src/link/local.txt"), "kept");

            DrException failure = catchThrowableOfType(DrException.class,
                    () -> repo.restore("latest", out, RestoreOptions.all()));

            assertThat(failure.code()).isEqualTo(ErrorCode.IO_FAILURE);
            assertThat(failure.getMessage()).contains("src/link (a directory that is not empty is in the way");
            assertThat(out.resolve("src/link/local.txt")).hasContent("kept");
            assertThat(out.resolve("src/big.bin")).isRegularFile();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ascii", "utf-8"})
    @DisplayName("a file whose name takes 250 bytes, close to the file system's 255, is restored over an existing one")
    void aFileWithALongNameIsRestoredOverAnExistingOne(String alphabet) throws IOException {
        String name = alphabet.equals("ascii") ? "a".repeat(250) : "名".repeat(83) + "x";
        assertThat(name.getBytes(StandardCharsets.UTF_8)).hasSize(250);
        Path src = tmp.resolve("src");
        Files.createDirectories(src);
        Files.writeString(src.resolve(name), "as backed up");
        try (Repository repo = init()) {
            repo.backup(BackupRequest.of(DirectorySource.of("src", src)));
            Path out = tmp.resolve("out");
            repo.restore("latest", out, RestoreOptions.all());
            Files.writeString(out.resolve("src").resolve(name), "a local edit");

            RestoreResult result = repo.restore("latest", out, RestoreOptions.all());

            assertThat(out.resolve("src").resolve(name)).hasContent("as backed up");
            assertThat(result.files()).isEqualTo(1);
            assertThat(leftovers(out)).isEmpty();
        }
    }

    @Test
    void aFileOfSeveralChunksTakesItsNameOnlyOnceItIsWhole() throws Exception {
        Path src = tmp.resolve("src");
        Files.createDirectories(src);
        byte[] big = new byte[1_000_000];
        new Random(3).nextBytes(big);
        Files.write(src.resolve("big.bin"), big);
        try (Repository repo = init()) {
            repo.backup(BackupRequest.of(DirectorySource.of("src", src)));
        }
        // The restore's writers and readers wait for the file's data until the test has looked.
        CountDownLatch looked = new CountDownLatch(1);
        ForwardingStore held = new ForwardingStore(store) {
            @Override
            public byte[] get(String key) {
                hold(key);
                return super.get(key);
            }

            @Override
            public byte[] get(String key, long offset, int length) {
                hold(key);
                return super.get(key, offset, length);
            }

            private void hold(String key) {
                if (key.startsWith("data/") && Thread.currentThread().getName().startsWith("dr-")) {
                    try {
                        looked.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        Path out = tmp.resolve("out");
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try (Repository repo = Repository.open(held, RepositoryTest.PASSWORD, RepositoryTest.fastOptions().build())) {
            Future<RestoreResult> restore = caller.submit(
                    () -> repo.restore("latest", out, RestoreOptions.all().withOverwrite(false)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline && !Files.exists(out.resolve("src/big.bin"))
                    && (!Files.isDirectory(out.resolve("src")) || leftovers(out.resolve("src")).isEmpty())) {
                Thread.sleep(10);
            }
            // what a kill now would leave: no part of the file under its name, a temporary beside it
            assertThat(out.resolve("src/big.bin")).doesNotExist();
            assertThat(leftovers(out.resolve("src"))).hasSize(1);
            looked.countDown();

            assertThat(restore.get(30, TimeUnit.SECONDS).files()).isEqualTo(1);
            assertThat(out.resolve("src/big.bin")).hasBinaryContent(big);
            assertThat(leftovers(out)).isEmpty();
        } finally {
            looked.countDown();
            caller.shutdownNow();
        }
    }

    @Test
    void aRerunRemovesTheTemporaryFilesAKilledRestoreLeftAndNothingElse() throws IOException {
        try (Repository repo = init()) {
            Path src = backedUpTree(repo);
            Path out = tmp.resolve("out");
            Files.createDirectories(out.resolve("src/dir"));
            // a killed restore's temporaries, and files of the user's that only look alike
            Path leftover = Files.write(out.resolve("src/.dr-0123456789abcdef.tmp"), new byte[70_000]);
            Path nested = Files.write(out.resolve("src/dir/.dr-fedcba9876543210.tmp"), new byte[10]);
            Path mine = Files.writeString(out.resolve("src/.dr-notes.tmp"), "mine");

            RestoreResult result = repo.restore("latest", out, RestoreOptions.all().withOverwrite(false));

            assertThat(leftover).doesNotExist();
            assertThat(nested).doesNotExist();
            assertThat(mine).hasContent("mine");
            assertThat(result.differing()).isZero();
            Files.delete(mine);
            assertThat(Trees.describe(out.resolve("src"), true)).isEqualTo(Trees.describe(src, true));
        }
    }

    /** Temporary files a restore left behind: their names hold {@code .dr-}. */
    static List<Path> leftovers(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(p -> p.getFileName().toString().contains(".dr-")).toList();
        }
    }
}
