package dev.drkit.core.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.backup.BackupKind;
import dev.drkit.api.backup.EntryMetadata;
import dev.drkit.api.backup.EntryType;
import dev.drkit.api.backup.EntryWriter;
import dev.drkit.api.backup.RetentionPolicy;
import dev.drkit.api.backup.SnapshotSource;
import dev.drkit.api.backup.SourceView;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.core.source.StreamSource;
import dev.drkit.core.store.SnapshotStores;
import dev.drkit.testkit.store.InMemoryStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RepositoryTest {
    static final char[] PASSWORD = "correct horse".toCharArray();

    @TempDir
    Path tmp;

    final InMemoryStore store = new InMemoryStore();
    final List<AuditEvent> audit = Collections.synchronizedList(new ArrayList<>());
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    static RepositoryOptions.Builder fastOptions() {
        return RepositoryOptions.builder().kdf(new KdfParams(256, 1, 1)).chunkSizes(4096, 16384, 65536)
                .packSize(256 * 1024).threads(2).host("test-host");
    }

    Repository init() {
        return Repository.init(store, PASSWORD, fastOptions().audit(audit::add).meters(meters).build());
    }

    Path sampleTree() throws IOException {
        Path src = tmp.resolve("src");
        Files.createDirectories(src.resolve("dir/sub"));
        Random random = new Random(7);
        byte[] big = new byte[700_000];
        random.nextBytes(big);
        Files.write(src.resolve("big.bin"), big);
        Files.write(src.resolve("dir/copy-of-big.bin"), big);
        Files.writeString(src.resolve("dir/sub/text.txt"), "hello ".repeat(20_000));
        Files.write(src.resolve("empty"), new byte[0]);
        Files.writeString(src.resolve("dir/Ünïcødé ✓ 名前.txt"), "unicode");
        Files.createSymbolicLink(src.resolve("link"), Path.of("dir/sub/text.txt"));
        Files.createSymbolicLink(src.resolve("dangling"), Path.of("/nowhere/at/all"));
        Files.createDirectories(src.resolve("emptydir"));
        Path script = src.resolve("run.sh");
        Files.writeString(script, "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-x---"));
        Files.setLastModifiedTime(src.resolve("empty"), FileTime.from(Instant.parse("2001-02-03T04:05:06.789Z")));
        return src;
    }

    @Test
    void initThenOpenWithTheSamePasswordSeesTheSameRepository() {
        String id;
        try (Repository repo = init()) {
            id = repo.id();
        }
        try (Repository repo = Repository.open(store, PASSWORD, fastOptions().build())) {
            assertThat(repo.id()).isEqualTo(id);
            assertThat(repo.snapshots()).isEmpty();
        }
    }

    @Test
    void initRefusesAStoreThatHoldsARepository() {
        init().close();
        assertThatThrownBy(this::init).isInstanceOf(DrException.class)
                .extracting(e -> ((DrException) e).code()).isEqualTo(ErrorCode.ALREADY_EXISTS);
    }

    @Test
    void initRefusesAStoreThatHoldsAnythingElseNamingTheFirstKeyAndWritesNothing() {
        store.put("notes.txt", "mine".getBytes(StandardCharsets.UTF_8));
        store.put("data/00/photo.jpg", new byte[] {1, 2, 3});
        Map<String, ObjectInfo> before = Map.copyOf(store.objects());
        for (Runnable create : List.<Runnable>of(() -> init(),
                () -> Repository.openOrInit(store, PASSWORD, fastOptions().build()))) {
            assertThatThrownBy(create::run).isInstanceOfSatisfying(DrException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                assertThat(e.input()).isEqualTo("data/00/photo.jpg");
                assertThat(e.getMessage()).contains("is not empty: it holds 'data/00/photo.jpg'", "empty store");
            });
        }
        assertThat(store.objects()).isEqualTo(before);
    }

    @Test
    void initAcceptsTheKeyFilesOfAnInitCutOffAndTheFleetsCoordinationRecords() {
        store.put("keys/0123456789abcdef", "{}".getBytes(StandardCharsets.UTF_8));
        store.put("coordination/members/orders/a", "{}".getBytes(StandardCharsets.UTF_8));
        try (Repository repo = init()) {
            assertThat(repo.snapshots()).isEmpty();
        }
    }

    @Test
    void wrongPasswordIsRefusedAndNothingIsWritten() {
        init().close();
        long writes = store.writes();
        Map<String, ObjectInfo> before = store.objects();
        assertThatThrownBy(() -> Repository.open(store, "wrong".toCharArray(), fastOptions().build()))
                .isInstanceOf(DrException.class)
                .extracting(e -> ((DrException) e).code()).isEqualTo(ErrorCode.WRONG_PASSWORD);
        assertThat(store.writes()).isEqualTo(writes);
        assertThat(store.objects()).isEqualTo(before);
    }

    @Test
    void everyKeyOpensTheRepositoryAndTheLastKeyCannotBeRemoved() {
        try (Repository repo = init()) {
            String second = repo.addKey("second password".toCharArray());
            assertThat(repo.keys()).hasSize(2).anyMatch(k -> k.id().equals(second) && !k.current());
            String first = repo.keys().stream().filter(KeyInfo::current).findFirst().orElseThrow().id();
            repo.removeKey(first);
            assertThatThrownBy(() -> repo.removeKey(second)).isInstanceOf(DrException.class)
                    .extracting(e -> ((DrException) e).code()).isEqualTo(ErrorCode.ILLEGAL_STATE);
        }
        assertThatThrownBy(() -> Repository.open(store, PASSWORD, fastOptions().build()))
                .extracting(e -> ((DrException) e).code()).isEqualTo(ErrorCode.WRONG_PASSWORD);
        try (Repository repo = Repository.open(store, "second password".toCharArray(), fastOptions().build())) {
            assertThat(repo.keys()).singleElement().matches(KeyInfo::current);
        }
    }

    @Test
    void restoreOfABackupEqualsTheSourceTree() throws IOException {
        Path src = sampleTree();
        try (Repository repo = init()) {
            BackupResult result = repo.backup(BackupRequest.builder().source(DirectorySource.of("src", src))
                    .tags("daily").build());
            assertThat(result.filesNew()).isEqualTo(6);
            assertThat(result.bytesAdded()).isLessThan(result.bytesRead());
            RestoreResult restored = repo.restore("latest", tmp.resolve("out"), RestoreOptions.all());
            assertThat(restored.files()).isEqualTo(6);
            assertThat(Trees.describe(tmp.resolve("out/src"), true)).isEqualTo(Trees.describe(src, true));
            Snapshot snapshot = repo.snapshots().get(0);
            assertThat(snapshot.tags()).containsExactly("daily");
            assertThat(snapshot.host()).isEqualTo("test-host");
            assertThat(snapshot.files()).isEqualTo(6);
        }
        assertThat(audit).extracting(AuditEvent::action).containsExactly("backup", "restore");
        assertThat(meters.get("dr.backup.bytes.read").counter().count()).isPositive();
    }

    @Test
    void unchangedRebackupReadsNoContentAndAChangedFileUploadsOnlyNewChunks() throws IOException {
        Path src = sampleTree();
        try (Repository repo = init()) {
            repo.backup(BackupRequest.of(DirectorySource.of("src", src)));
            BackupResult again = repo.backup(BackupRequest.of(DirectorySource.of("src", src)));
            assertThat(again.bytesRead()).isZero();
            assertThat(again.filesUnchanged()).isEqualTo(6);
            assertThat(again.bytesAdded()).isZero();

            byte[] big = Files.readAllBytes(src.resolve("big.bin"));
            big[350_000] ^= 1;
            Files.write(src.resolve("big.bin"), big);
            BackupResult changed = repo.backup(BackupRequest.of(DirectorySource.of("src", src)));
            assertThat(changed.filesChanged()).isEqualTo(1);
            assertThat(changed.bytesRead()).isEqualTo(700_000);
            assertThat(changed.bytesAdded()).isLessThan(200_000);

            BackupResult full = repo.backup(BackupRequest.builder().source(DirectorySource.of("src", src))
                    .kind(BackupKind.FULL).build());
            assertThat(full.bytesRead()).isGreaterThan(1_400_000);
            assertThat(full.bytesAdded()).isZero();
            assertThat(repo.verify(VerifyOptions.readAllData()).problems()).isEmpty();
        }
    }

    @Test
    void aFileRewrittenWithItsSizeAndModificationTimePutBackIsReadAgain() throws IOException {
        Path src = Files.createDirectories(tmp.resolve("ctime"));
        Path file = src.resolve("ledger.csv");
        Files.writeString(file, "balance,100\n");
        FileTime mtime = Files.getLastModifiedTime(file);
        try (Repository repo = init()) {
            repo.backup(BackupRequest.of(DirectorySource.of("src", src)));
            Files.writeString(file, "balance,999\n"); // same size
            Files.setLastModifiedTime(file, mtime); // as touch -r or cp -p would
            BackupResult again = repo.backup(BackupRequest.of(DirectorySource.of("src", src)));
            assertThat(again.filesChanged()).isEqualTo(1);
            assertThat(again.filesUnchanged()).isZero();
            repo.restore("latest", tmp.resolve("out"), RestoreOptions.all());
            assertThat(tmp.resolve("out/src/ledger.csv")).hasContent("balance,999\n");
            assertThat(repo.backup(BackupRequest.of(DirectorySource.of("src", src))).filesUnchanged())
                    .as("unchanged since").isEqualTo(1);
        }
    }

    @Test
    void setUserIdSetGroupIdAndStickyBitsAreBackedUpAndRestored() throws IOException {
        Path src = Files.createDirectories(tmp.resolve("modes"));
        Path shared = Files.createDirectories(src.resolve("shared"));
        Path tool = Files.writeString(src.resolve("tool"), "#!/bin/sh\n");
        Files.setAttribute(shared, "unix:mode", 01777);
        Files.setAttribute(tool, "unix:mode", 06755);
        try (Repository repo = init()) {
            repo.backup(BackupRequest.of(DirectorySource.of("src", src)));
            repo.restore("latest", tmp.resolve("out"), RestoreOptions.all());
        }
        assertThat((Integer) Files.getAttribute(tmp.resolve("out/src/shared"), "unix:mode") & 07777).isEqualTo(01777);
        assertThat((Integer) Files.getAttribute(tmp.resolve("out/src/tool"), "unix:mode") & 07777).isEqualTo(06755);
    }

    @Test
    void openEntryStreamsOneFileWithoutTouchingTheDisk() throws IOException {
        Path src = sampleTree();
        try (Repository repo = init()) {
            repo.backup(BackupRequest.of(DirectorySource.of("src", src),
                    StreamSource.of("dump", "db.sql", () -> new ByteArrayInputStream("SELECT 1;".getBytes(StandardCharsets.UTF_8)))));
            try (InputStream in = repo.openEntry("latest", "src/big.bin")) {
                assertThat(in.readAllBytes()).isEqualTo(Files.readAllBytes(src.resolve("big.bin")));
            }
            try (InputStream in = repo.openEntry("latest", "dump/db.sql")) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("SELECT 1;");
            }
            assertThatThrownBy(() -> repo.openEntry("latest", "src/nope")).isInstanceOf(DrException.class)
                    .extracting(e -> ((DrException) e).code()).isEqualTo(ErrorCode.NOT_FOUND);
        }
    }

    @Test
    void theOnlySourceCanBeRestoredStraightIntoTheTarget() throws IOException {
        Path src = sampleTree();
        try (Repository repo = init()) {
            repo.backup(BackupRequest.of(DirectorySource.of("src", src)));
            repo.restore("latest", tmp.resolve("out"), RestoreOptions.sourceIntoTarget(null));
            assertThat(Trees.describe(tmp.resolve("out"), true)).isEqualTo(Trees.describe(src, true));
            repo.backup(BackupRequest.of(DirectorySource.of("src", src), DirectorySource.of("other", src)));
            assertThatThrownBy(() -> repo.restore("latest", tmp.resolve("out2"), RestoreOptions.sourceIntoTarget(null)))
                    .isInstanceOf(DrException.class)
                    .extracting(e -> ((DrException) e).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            repo.restore("latest", tmp.resolve("out3"), RestoreOptions.sourceIntoTarget("other"));
            assertThat(Trees.describe(tmp.resolve("out3"), true)).isEqualTo(Trees.describe(src, true));
        }
    }

    @Test
    void restoringAgainReplacesChangedFilesOrKeepsThemWhenAsked() throws IOException {
        Path src = sampleTree();
        try (Repository repo = init()) {
            repo.backup(BackupRequest.of(DirectorySource.of("src", src)));
            Path out = tmp.resolve("out");
            repo.restore("latest", out, RestoreOptions.all());
            Files.writeString(out.resolve("src/dir/sub/text.txt"), "local edit");
            RestoreResult kept = repo.restore("latest", out, RestoreOptions.all().withOverwrite(false));
            assertThat(kept.skipped()).isPositive();
            assertThat(out.resolve("src/dir/sub/text.txt")).hasContent("local edit");
            repo.restore("latest", out, RestoreOptions.all());
            assertThat(Trees.describe(out.resolve("src"), true)).isEqualTo(Trees.describe(src, true));
            try (java.util.stream.Stream<Path> all = Files.walk(out)) {
                assertThat(all.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".dr-"));
            }
        }
    }

    @Test
    void aWalkOfManyDirectoriesReadsTheirTreesTogether() throws IOException {
        Path src = tmp.resolve("many");
        for (int i = 0; i < 60; i++) {
            Path dir = Files.createDirectories(src.resolve("d" + i));
            Files.writeString(dir.resolve("f.txt"), "file " + i);
        }
        try (Repository repo = init()) {
            repo.backup(BackupRequest.of(DirectorySource.of("src", src)));
        }
        // A fresh repository object has no decoded trees yet.
        try (Repository repo = Repository.open(store, PASSWORD, fastOptions().build())) {
            long before = store.rangedReads();
            List<SnapshotEntry> entries = repo.entries("latest");
            assertThat(entries).hasSize(1 + 60 * 2); // the source, then 60 directories with a file each
            assertThat(store.rangedReads() - before).isLessThanOrEqualTo(2);
        }
    }

    @Test
    void aRestoreOfSelectedPathsReadsSmallWindowsFromAStoreThatPrefersLargeOnes() throws IOException {
        Path src = tmp.resolve("big");
        Files.createDirectories(src);
        byte[] noise = new byte[24 << 20];
        new Random(11).nextBytes(noise);
        Files.write(src.resolve("noise.bin"), noise);
        Files.writeString(src.resolve("small.txt"), "needed after the disaster");
        RepositoryOptions bigPacks = RepositoryOptions.builder().kdf(new KdfParams(256, 1, 1)).packSize(64 << 20)
                .threads(2).host("test-host").build();
        try (Repository repo = Repository.init(store, PASSWORD, bigPacks)) {
            repo.backup(BackupRequest.of(DirectorySource.of("src", src)));
        }
        store.setPreferredReadSize(16 << 20);
        try (Repository repo = Repository.open(store, PASSWORD, bigPacks)) {
            long before = store.rangedBytesAsked();
            repo.restore("latest", tmp.resolve("one"), RestoreOptions.paths("src/small.txt"));
            assertThat(tmp.resolve("one/src/small.txt")).hasContent("needed after the disaster");
            // the run of trees (a few KiB here), then one window of at most 4 MiB for the file
            assertThat(store.rangedBytesAsked() - before).isLessThanOrEqualTo(2 * (4 << 20));

            long reads = store.rangedReads();
            repo.restore("latest", tmp.resolve("all"), RestoreOptions.all());
            assertThat(Files.mismatch(tmp.resolve("all/src/noise.bin"), src.resolve("noise.bin"))).isEqualTo(-1);
            // 24 MiB of data in 16 MiB windows: two reads (4 MiB windows would take six)
            assertThat(store.rangedReads() - reads).as("a whole restore reads 16 MiB windows")
                    .isLessThanOrEqualTo(3);
        }
    }

    @Test
    void entriesListASnapshotAndStatsSumTheIndex() throws IOException {
        Path src = sampleTree();
        try (Repository repo = init()) {
            repo.backup(BackupRequest.of(DirectorySource.of(src)));
            List<SnapshotEntry> entries = repo.entries("latest");
            assertThat(entries).extracting(SnapshotEntry::path).contains("src", "src/big.bin", "src/dir/sub/text.txt",
                    "src/link", "src/emptydir");
            SnapshotEntry big = entries.stream().filter(e -> e.path().equals("src/big.bin")).findFirst().orElseThrow();
            SnapshotEntry copy = entries.stream().filter(e -> e.path().equals("src/dir/copy-of-big.bin")).findFirst()
                    .orElseThrow();
            assertThat(big.contentId()).isEqualTo(copy.contentId());
            assertThat(big.size()).isEqualTo(700_000);
            assertThat(entries.stream().filter(e -> e.path().equals("src/link")).findFirst().orElseThrow().target())
                    .isEqualTo("dir/sub/text.txt");
            RepositoryStats stats = repo.stats();
            assertThat(stats.snapshots()).isEqualTo(1);
            assertThat(stats.blobs()).isPositive();
            assertThat(stats.rawBytes()).isGreaterThan(stats.storedBytes());
        }
    }

    /** A tree of many small files in directories up to six deep, with mixed modes and times. */
    Path deepTreeOfSmallFiles() throws IOException {
        Path src = tmp.resolve("deep");
        Random random = new Random(11);
        String[] modes = {"rw-r--r--", "rwxr-xr-x", "rw-------", "r--r-----"};
        for (int i = 0; i < 600; i++) {
            Path dir = src;
            for (int d = 0, depth = i % 7; d < depth; d++) {
                dir = dir.resolve("d" + (i / (d + 3)) % 4);
            }
            Files.createDirectories(dir);
            byte[] data = new byte[i % 50 == 0 ? 0 : random.nextInt(6000)];
            random.nextBytes(data);
            Path file = dir.resolve("f" + i + ".bin");
            Files.write(file, data);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(modes[i % modes.length]));
            Files.setLastModifiedTime(file, FileTime.from(Instant.ofEpochSecond(1_600_000_000L + i, i * 1_001L)));
        }
        return src;
    }

    @Test
    void aParallelRestoreOfADeepTreeOfSmallFilesEqualsTheSourceAndARestoreWithOneWriter() throws IOException {
        Path src = deepTreeOfSmallFiles();
        try (Repository repo = init()) {
            repo.backup(BackupRequest.of(DirectorySource.of("deep", src)));
        }
        for (int threads : new int[] {1, 4}) {
            Path out = tmp.resolve("out-" + threads);
            try (Repository repo = Repository.open(store, PASSWORD, fastOptions().threads(threads).build())) {
                RestoreResult r = repo.restore("latest", out, RestoreOptions.all());
                assertThat(r.files()).isEqualTo(600);
            }
            assertThat(Trees.describe(out.resolve("deep"), true)).isEqualTo(Trees.describe(src, true));
            try (Stream<Path> files = Files.walk(out.resolve("deep"))) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    Path rel = out.resolve("deep").relativize(p);
                    assertThat(Files.getLastModifiedTime(p)).as(rel.toString())
                            .isEqualTo(Files.getLastModifiedTime(src.resolve(rel.toString())));
                }
            }
        }
    }

    @Test
    void withoutOverwriteAFileInTheWayOfADirectoryFailsThatDirectoryNamingItsPathAndTheRestIsRestored()
            throws IOException {
        Path src = deepTreeOfSmallFiles();
        try (Repository repo = init()) {
            repo.backup(BackupRequest.of(DirectorySource.of("deep", src)));
            Path out = tmp.resolve("out");
            Files.createDirectories(out.resolve("deep"));
            Files.writeString(out.resolve("deep/d1"), "a file where the snapshot has a directory");
            assertThatThrownBy(() -> repo.restore("latest", out, RestoreOptions.all().withOverwrite(false)))
                    .isInstanceOf(DrException.class)
                    .hasMessage("1 file(s) could not be restored: deep/d1 (Cannot restore directory 'deep/d1': a file "
                            + "of that name is in the way (overwrite replaces it))")
                    .extracting(e -> ((DrException) e).code()).isEqualTo(ErrorCode.IO_FAILURE);
            assertThat(out.resolve("deep/d1")).hasContent("a file where the snapshot has a directory");
            // Everything outside the directory in the way is restored as it was backed up.
            try (Stream<Path> files = Files.walk(src)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    Path rel = src.relativize(file);
                    if (!rel.startsWith("d1")) {
                        assertThat(out.resolve("deep").resolve(rel)).as(rel.toString()).hasSameBinaryContentAs(file);
                    }
                }
            }
            // Once the restore has ended, nothing writes into the target any more.
            List<Path> after = listTree(out);
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            assertThat(listTree(out)).isEqualTo(after);
        }
    }


    private static List<Path> listTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            return paths.sorted().toList();
        }
    }

    @Test
    void selectedPathsRestoreAlone() throws IOException {
        Path src = sampleTree();
        try (Repository repo = init()) {
            repo.backup(BackupRequest.of(DirectorySource.of("src", src)));
            repo.restore("latest", tmp.resolve("out"), RestoreOptions.paths("src/dir/sub"));
            assertThat(Files.readString(tmp.resolve("out/src/dir/sub/text.txt"))).startsWith("hello hello");
            assertThat(tmp.resolve("out/src/big.bin")).doesNotExist();
            assertThat(tmp.resolve("out/src/dir/copy-of-big.bin")).doesNotExist();
        }
    }

    @Test
    void excludedPathsAreNotCaptured() throws IOException {
        Path src = sampleTree();
        Files.writeString(src.resolve("dir/skip.tmp"), "x");
        try (Repository repo = init()) {
            repo.backup(BackupRequest.of(DirectorySource.of("src", src, "*.tmp", "dir/sub/**", "dir/sub")));
            repo.restore("latest", tmp.resolve("out"), RestoreOptions.all());
            assertThat(tmp.resolve("out/src/dir/skip.tmp")).doesNotExist();
            assertThat(tmp.resolve("out/src/dir/sub")).doesNotExist();
            assertThat(tmp.resolve("out/src/big.bin")).exists();
        }
    }

    @Test
    void severalSourcesAreBegunTogetherBeforeAnyIsWrittenAndAllAreClosed() {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        class AppSource implements SnapshotSource {
            final String name;

            AppSource(String name) {
                this.name = name;
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public SourceView begin() {
                events.add("begin " + name);
                return new SourceView() {
                    @Override
                    public void writeTo(EntryWriter out) throws IOException {
                        events.add("write " + name);
                        out.file("state/" + name + ".json", EntryMetadata.file(5, Instant.EPOCH),
                                () -> new ByteArrayInputStream(("{\"" + name + "\":1}").getBytes(StandardCharsets.UTF_8)));
                        out.directory("state", new EntryMetadata(EntryType.DIRECTORY, 0, Instant.EPOCH, 0750, 0));
                    }

                    @Override
                    public void close() {
                        events.add("close " + name);
                    }
                };
            }
        }
        try (Repository repo = init()) {
            repo.backup(BackupRequest.of(new AppSource("orders"), new AppSource("users")));
            assertThat(events).containsExactly("begin orders", "begin users", "write orders", "write users",
                    "close orders", "close users");
            repo.restore("latest", tmp.resolve("out"), RestoreOptions.all());
            assertThat(tmp.resolve("out/users/state/users.json")).hasContent("{\"users\":1}");
        }
    }

    @Test
    void anEntryThatVanishesBeforeItIsReadIsLeftOut() {
        SnapshotSource flaky = source("app", out -> {
            out.file("kept.txt", EntryMetadata.file(2, Instant.EPOCH),
                    () -> new ByteArrayInputStream("ok".getBytes(StandardCharsets.UTF_8)));
            out.file("gone.txt", EntryMetadata.file(2, Instant.EPOCH), () -> {
                throw new java.nio.file.NoSuchFileException("gone.txt");
            });
        });
        try (Repository repo = init()) {
            BackupResult result = repo.backup(BackupRequest.of(flaky));
            assertThat(result.snapshot().files()).isEqualTo(1);
            repo.restore("latest", tmp.resolve("out"), RestoreOptions.all());
            assertThat(tmp.resolve("out/app/kept.txt")).hasContent("ok");
            assertThat(tmp.resolve("out/app/gone.txt")).doesNotExist();
        }
    }

    @Test
    void anErrorWhileReadingAnEntryFailsTheBackupInsteadOfHangingIt() {
        class Broken extends Error {
            Broken() {
                super("broken stream");
            }
        }
        SnapshotSource failing = source("app", out -> {
            out.file("ok.txt", EntryMetadata.file(2, Instant.EPOCH),
                    () -> new ByteArrayInputStream("ok".getBytes(StandardCharsets.UTF_8)));
            out.file("broken.bin", EntryMetadata.file(10, Instant.EPOCH), () -> new InputStream() {
                @Override
                public int read() {
                    throw new Broken();
                }
            });
        });
        try (Repository repo = init()) {
            assertTimeoutPreemptively(Duration.ofSeconds(30),
                    () -> assertThatThrownBy(() -> repo.backup(BackupRequest.of(failing)))
                            .isInstanceOf(Broken.class).hasMessage("broken stream"));
            assertThat(repo.snapshots()).isEmpty();
        }
    }

    @Test
    void aSourceThatWritesAnEscapingPathIsRefused() {
        SnapshotSource evil = source("evil", out -> {
            out.file("../outside", EntryMetadata.file(1, Instant.EPOCH),
                    () -> new ByteArrayInputStream(new byte[1]));
        });
        try (Repository repo = init()) {
            assertThatThrownBy(() -> repo.backup(BackupRequest.of(evil))).isInstanceOf(DrException.class)
                    .extracting(e -> ((DrException) e).code()).isEqualTo(ErrorCode.UNSAFE_PATH);
            assertThat(repo.snapshots()).isEmpty();
        }
    }

    @Test
    void aFlippedByteFailsOnlyTheAffectedFileAndVerifyNamesThePack() throws IOException {
        Path src = tmp.resolve("src");
        Files.createDirectories(src);
        Random random = new Random(3);
        for (int i = 0; i < 6; i++) {
            byte[] data = new byte[150_000];
            random.nextBytes(data);
            Files.write(src.resolve("f" + i), data);
        }
        try (Repository repo = Repository.init(store, PASSWORD, fastOptions().packSize(64 * 1024).build())) {
            repo.backup(BackupRequest.of(DirectorySource.of("src", src)));
            // A full pack of file data: the trees are written last and may fill a small pack of
            // their own, whose damage would fail every file.
            String victim = store.keys("data/").stream()
                    .max(Comparator.comparingLong((String k) -> store.stat(k).orElseThrow().size())
                            .thenComparing(Comparator.reverseOrder()))
                    .orElseThrow();
            store.flipByte(victim, 100);
            List<String> affected = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                try (InputStream in = repo.openEntry("latest", "src/f" + i)) {
                    assertThat(in.readAllBytes()).isEqualTo(Files.readAllBytes(src.resolve("f" + i)));
                } catch (DrException e) {
                    assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY);
                    assertThat(e.getMessage()).contains(victim);
                    affected.add("f" + i);
                }
            }
            assertThat(affected).isNotEmpty().hasSizeLessThan(6);
            assertThatThrownBy(() -> repo.restore("latest", tmp.resolve("out"), RestoreOptions.all()))
                    .isInstanceOf(DrException.class)
                    .satisfies(e -> {
                        DrException dr = (DrException) e;
                        assertThat(dr.code()).isEqualTo(ErrorCode.INTEGRITY);
                        for (String name : affected) {
                            assertThat(dr.getMessage()).contains("src/" + name);
                        }
                    });
            for (int i = 0; i < 6; i++) {
                Path restored = tmp.resolve("out/src/f" + i);
                if (affected.contains("f" + i)) {
                    assertThat(restored).doesNotExist();
                } else {
                    assertThat(Files.readAllBytes(restored)).isEqualTo(Files.readAllBytes(src.resolve("f" + i)));
                }
            }
            try (java.util.stream.Stream<Path> left = Files.list(tmp.resolve("out/src"))) {
                assertThat(left.map(p -> p.getFileName().toString())).allMatch(n -> n.matches("f\\d"));
            }
            VerifyReport report = repo.verify(VerifyOptions.readAllData());
            assertThat(report.ok()).isFalse();
            assertThat(report.problems()).extracting(VerifyReport.Problem::key).containsOnly(victim);
            assertThat(repo.verify(VerifyOptions.structure()).ok()).isTrue();
        }
    }

    @ParameterizedTest(name = "truncated: {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("a directory's packs, read into direct windows: a flipped byte or a cut pack fails only its files")
    void aDamagedPackInADirectoryRepositoryFailsOnlyTheAffectedFiles(boolean truncate) throws IOException {
        Path src = tmp.resolve("src");
        Files.createDirectories(src);
        Random random = new Random(5);
        for (int i = 0; i < 6; i++) {
            byte[] data = new byte[150_000 + i];
            random.nextBytes(data);
            Files.write(src.resolve("f" + i), data);
        }
        Path dir = tmp.resolve("repo-" + truncate);
        try (Repository repo = Repository.init(SnapshotStores.file(dir), PASSWORD,
                fastOptions().packSize(64 * 1024).build())) {
            repo.backup(BackupRequest.of(DirectorySource.of("src", src)));
            Path victim;
            try (java.util.stream.Stream<Path> packs = Files.walk(dir.resolve("data.d"))) {
                victim = packs.filter(Files::isRegularFile)
                        .max(Comparator.comparingLong((Path f) -> f.toFile().length())
                                .thenComparing(Comparator.reverseOrder()))
                        .orElseThrow();
            }
            try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(victim.toFile(), "rw")) {
                if (truncate) {
                    file.setLength(file.length() / 2);
                } else {
                    file.seek(100);
                    int b = file.read();
                    file.seek(100);
                    file.write(b ^ 0x10);
                }
            }
            Path target = tmp.resolve("out-" + truncate);
            DrException failure = catchThrowableOfType(DrException.class,
                    () -> repo.restore("latest", target, RestoreOptions.all()));
            assertThat(failure.code()).isEqualTo(ErrorCode.INTEGRITY);
            int restored = 0;
            for (int i = 0; i < 6; i++) {
                Path out = target.resolve("src/f" + i);
                if (failure.getMessage().contains("src/f" + i + " ")) {
                    assertThat(out).doesNotExist();
                    assertThat(failure.getMessage()).contains(victim.getFileName().toString())
                            .contains(truncate ? "is shorter than its index says" : "the data was altered");
                } else {
                    assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(src.resolve("f" + i)));
                    restored++;
                }
            }
            assertThat(restored).isBetween(1, 5);
        }
    }

    @Test
    void verifyOfAHealthyRepositoryFindsNothing() throws IOException {
        Path src = sampleTree();
        try (Repository repo = init()) {
            repo.backup(BackupRequest.of(DirectorySource.of("src", src)));
            VerifyReport report = repo.verify(VerifyOptions.readAllData());
            assertThat(report.problems()).isEmpty();
            assertThat(report.packsRead()).isEqualTo(report.packs()).isPositive();
            assertThat(report.blobsRead()).isPositive();
        }
    }

    @Test
    void verifyNamesADamagedIndexFileAndADamagedSnapshot() throws IOException {
        Path src = sampleTree();
        try (Repository repo = init()) {
            repo.backup(BackupRequest.of(DirectorySource.of("src", src)));
            assertThat(repo.snapshots()).hasSize(1); // the manifest is now cached in memory
            String index = store.keys("index/").get(0);
            String snapshot = store.keys("snapshots/").get(0);
            store.flipByte(index, 20);
            store.flipByte(snapshot, 20);
            assertThat(repo.verify(VerifyOptions.structure()).problems()).extracting(VerifyReport.Problem::key)
                    .contains(index, snapshot);
        }
    }

    @Test
    void verifyCanReadASampleOfThePacks() throws IOException {
        Path src = sampleTree();
        try (Repository repo = Repository.init(store, PASSWORD, fastOptions().packSize(64 * 1024).build())) {
            repo.backup(BackupRequest.of(DirectorySource.of("src", src)));
            VerifyReport report = repo.verify(VerifyOptions.readDataSample(0.3, 42));
            assertThat(report.ok()).isTrue();
            assertThat(report.packs()).isGreaterThan(5);
            assertThat(report.packsRead()).isPositive().isLessThan(report.packs());
        }
    }

    @Test
    void filesLargerThanTwoGibibytesAreStreamedThroughBoundedMemory() throws IOException {
        long size = (2L << 30) + 12345;
        try (Repository repo = Repository.init(store, PASSWORD, RepositoryOptions.builder()
                .kdf(new KdfParams(256, 1, 1)).threads(2).build())) {
            BackupResult result = repo.backup(BackupRequest.of(StreamSource.of("big", "zeros.img",
                    () -> new ZeroStream(size))));
            assertThat(result.bytesRead()).isEqualTo(size);
            assertThat(result.snapshot().bytes()).isEqualTo(size);
            long total = 0;
            byte[] buf = new byte[1 << 20];
            try (InputStream in = repo.openEntry("latest", "big/zeros.img")) {
                for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                    for (int i = 0; i < n; i++) {
                        if (buf[i] != 0) {
                            throw new AssertionError("non-zero byte at " + (total + i));
                        }
                    }
                    total += n;
                }
            }
            assertThat(total).isEqualTo(size);
        }
    }

    /** A stream of zeros of a given length, without holding them in memory. */
    static final class ZeroStream extends InputStream {
        private long left;

        ZeroStream(long length) {
            this.left = length;
        }

        @Override
        public int read() {
            if (left == 0) {
                return -1;
            }
            left--;
            return 0;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left == 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            java.util.Arrays.fill(b, off, off + n, (byte) 0);
            left -= n;
            return n;
        }
    }

    @Test
    void verifyNamesAMissingPack() throws IOException {
        Path src = sampleTree();
        try (Repository repo = init()) {
            repo.backup(BackupRequest.of(DirectorySource.of("src", src)));
            String pack = store.keys("data/").get(0);
            store.delete(pack);
            assertThat(repo.verify(VerifyOptions.structure()).problems()).extracting(VerifyReport.Problem::key)
                    .contains(pack);
        }
    }

    @Test
    void forgetThenPruneFreesSpaceAndKeepsTheKeptSnapshotsRestorable() throws IOException {
        Path src = tmp.resolve("src");
        Files.createDirectories(src);
        Random random = new Random(1);
        try (Repository repo = init()) {
            for (int i = 0; i < 3; i++) {
                byte[] data = new byte[400_000];
                random.nextBytes(data);
                Files.write(src.resolve("gen.bin"), data);
                Files.writeString(src.resolve("keep.txt"), "stable");
                repo.backup(BackupRequest.of(DirectorySource.of("src", src)));
            }
            store.setClock(Clock.offset(Clock.systemUTC(), Duration.ofHours(2)));
            ForgetResult dry = repo.forget(RetentionPolicy.builder().keepLast(1).build(), true);
            assertThat(dry.removed()).hasSize(2);
            assertThat(repo.snapshots()).hasSize(3);
            ForgetResult forgot = repo.forget(RetentionPolicy.builder().keepLast(1).build(), false);
            assertThat(forgot.kept()).hasSize(1);
            assertThat(repo.snapshots()).hasSize(1);
            long before = store.totalBytes();
            PruneResult pruned = repo.prune(new PruneOptions(Duration.ZERO, 0.2, false));
            long after = store.totalBytes();
            assertThat(pruned.packsDeleted() + pruned.packsRepacked()).isPositive();
            assertThat(after).isLessThan(before - 600_000);
            assertThat(repo.verify(VerifyOptions.readAllData()).problems()).isEmpty();
            repo.restore("latest", tmp.resolve("out"), RestoreOptions.all());
            assertThat(Files.readAllBytes(tmp.resolve("out/src/gen.bin"))).isEqualTo(Files.readAllBytes(src.resolve("gen.bin")));
        }
        assertThat(audit).extracting(AuditEvent::action).contains("forget", "prune");
        assertThat(meters.get("dr.repository.forget.snapshots").counter().count()).isEqualTo(2);
    }

    @Test
    void pruneKeepsUnusedPacksYoungerThanTheGracePeriod() throws IOException {
        Path src = tmp.resolve("src");
        Files.createDirectories(src);
        Files.write(src.resolve("a"), new byte[100_000]);
        try (Repository repo = init()) {
            repo.backup(BackupRequest.of(DirectorySource.of("src", src)));
            byte[] changed = new byte[100_000];
            java.util.Arrays.fill(changed, (byte) 7);
            Files.write(src.resolve("a"), changed);
            repo.backup(BackupRequest.of(DirectorySource.of("src", src)));
            repo.forget(RetentionPolicy.builder().keepLast(1).build(), false);
            PruneResult result = repo.prune(PruneOptions.DEFAULT);
            assertThat(result.packsDeleted()).isZero();
            assertThat(result.packsKeptYoung()).isPositive();
        }
    }

    @Test
    void aSourceNameNoRestoreWouldAcceptIsRefusedBeforeAnythingIsWritten() {
        try (Repository repo = init()) {
            long objects = store.list("").count();
            for (String name : List.of("..", ".", "", "a/b")) {
                assertThatThrownBy(() -> repo.backup(BackupRequest.of(source(name, out -> { }))))
                        .as(name).isInstanceOfSatisfying(DrException.class, e -> {
                            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                            assertThat(e.getMessage()).startsWith("source name must be ").endsWith("but was " + name);
                        });
            }
            assertThat(store.list("").count()).isEqualTo(objects);
        }
    }

    /** A writer of a source's entries, for sources made up by a test. */
    interface Entries {
        void writeTo(EntryWriter out) throws IOException;
    }

    /** A source that writes the given entries and has nothing to pause or close. */
    private static SnapshotSource source(String name, Entries entries) {
        return new SnapshotSource() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public SourceView begin() {
                return new SourceView() {
                    @Override
                    public void writeTo(EntryWriter out) throws IOException {
                        entries.writeTo(out);
                    }

                    @Override
                    public void close() {
                    }
                };
            }
        };
    }
}
