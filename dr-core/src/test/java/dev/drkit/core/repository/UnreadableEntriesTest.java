package dev.drkit.core.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.backup.ContentOpener;
import dev.drkit.api.backup.EntryMetadata;
import dev.drkit.api.backup.EntryType;
import dev.drkit.api.backup.EntryWriter;
import dev.drkit.api.backup.SnapshotSource;
import dev.drkit.api.backup.SourceView;
import dev.drkit.core.repository.BackupResult.UnreadableEntry;
import dev.drkit.testkit.store.InMemoryStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file or directory the source may not read is left out of the snapshot, named in the
 * result, the audit record and the meters, while everything else is backed up; a file that
 * vanishes before it is read is counted as vanished, not as new.
 *
 * <p>The tests run as root, which reads files of any mode, so the refusals come from a source
 * that raises {@link AccessDeniedException} as {@code DirectorySource} gets it from the file
 * system (dr-cli's {@code UnreadableSourceCommandTest} runs the real case without the
 * permission to override file modes).
 */
class UnreadableEntriesTest {
    private static final Instant T = Instant.parse("2026-12-07T08:00:00Z");
    private static final EntryMetadata DIR = new EntryMetadata(EntryType.DIRECTORY, 0, T, 0755, 0);

    @TempDir
    Path tmp;

    private final InMemoryStore store = new InMemoryStore();
    private final List<AuditEvent> audit = Collections.synchronizedList(new ArrayList<>());
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private Repository init() {
        return Repository.init(store, RepositoryTest.PASSWORD,
                RepositoryTest.fastOptions().audit(audit::add).meters(meters).build());
    }

    /** A source of readable files, and of entries it reports as refused or finds gone when opening them. */
    private static final class RefusingSource implements SnapshotSource {
        final Map<String, byte[]> files = new TreeMap<>();
        final List<String> lockedDirectories = new ArrayList<>();
        final List<String> lockedFiles = new ArrayList<>();
        final List<String> vanishedFiles = new ArrayList<>();

        @Override
        public String name() {
            return "app";
        }

        @Override
        public SourceView begin() {
            return new SourceView() {
                @Override
                public void writeTo(EntryWriter out) throws IOException {
                    out.directory("", DIR);
                    for (Map.Entry<String, byte[]> f : files.entrySet()) {
                        byte[] content = f.getValue();
                        out.file(f.getKey(), EntryMetadata.file(content.length, T),
                                () -> new ByteArrayInputStream(content));
                    }
                    for (String path : lockedDirectories) {
                        out.unreadable(path, new AccessDeniedException("/srv/app/" + path));
                    }
                    for (String path : lockedFiles) {
                        out.file(path, EntryMetadata.file(10, T), refused(path));
                    }
                    for (String path : vanishedFiles) {
                        out.file(path, EntryMetadata.file(10, T), () -> {
                            throw new NoSuchFileException("/srv/app/" + path);
                        });
                    }
                }

                @Override
                public void close() {
                }
            };
        }

        private static ContentOpener refused(String path) {
            return () -> {
                throw new AccessDeniedException("/srv/app/" + path);
            };
        }
    }

    private static RefusingSource sampleSource() {
        RefusingSource source = new RefusingSource();
        Random random = new Random(11);
        for (String path : List.of("a.txt", "conf/app.yaml", "data/big.bin", "data/deep/small.txt")) {
            byte[] content = new byte[path.endsWith(".bin") ? 200_000 : 1 + random.nextInt(3000)];
            random.nextBytes(content);
            source.files.put(path, content);
        }
        source.lockedDirectories.add("data/private");
        source.lockedFiles.add("conf/secret.key");
        source.vanishedFiles.add("data/tmp.lock");
        return source;
    }

    @Test
    void anUnreadableFileAndDirectoryAreLeftOutAndEverythingElseIsRestoredByteForByte() throws IOException {
        RefusingSource source = sampleSource();
        try (Repository repo = init()) {
            BackupResult result = repo.backup(BackupRequest.of(source));

            assertThat(result.complete()).isFalse();
            assertThat(result.unreadableCount()).isEqualTo(2);
            assertThat(result.unreadable()).containsExactly(
                    new UnreadableEntry("app/conf/secret.key", "permission denied"),
                    new UnreadableEntry("app/data/private", "permission denied"));
            assertThat(result.snapshot().files()).isEqualTo(4);
            assertThat(repo.snapshots()).singleElement().extracting(Snapshot::id).isEqualTo(result.snapshotId());

            repo.restore("latest", tmp.resolve("out"), RestoreOptions.all());
        }
        Path restored = tmp.resolve("out/app");
        try (Stream<Path> walk = Files.walk(restored)) {
            assertThat(walk.filter(Files::isRegularFile).map(p -> restored.relativize(p).toString()).sorted())
                    .containsExactlyElementsOf(source.files.keySet());
        }
        for (Map.Entry<String, byte[]> f : source.files.entrySet()) {
            assertThat(Files.readAllBytes(restored.resolve(f.getKey()))).as(f.getKey()).isEqualTo(f.getValue());
        }
        assertThat(restored.resolve("data/private")).doesNotExist();
        assertThat(restored.resolve("conf/secret.key")).doesNotExist();
    }

    @Test
    void theSnapshotRecordsHowManyEntriesItLacksSoThatItsListingStillSaysSoAfterReopening() {
        try (Repository repo = init()) {
            BackupResult result = repo.backup(BackupRequest.of(sampleSource()));
            assertThat(result.snapshot().complete()).isFalse();
            assertThat(result.snapshot().unreadable()).isEqualTo(2);
            assertThat(result.snapshot().unreadablePaths()).containsExactly("app/conf/secret.key", "app/data/private");
        }
        try (Repository reopened = Repository.open(store, RepositoryTest.PASSWORD, RepositoryTest.fastOptions().build())) {
            Snapshot listed = reopened.snapshots().get(0);
            assertThat(listed.complete()).isFalse();
            assertThat(listed.unreadable()).isEqualTo(2);
            assertThat(listed.unreadablePaths()).containsExactly("app/conf/secret.key", "app/data/private");
            assertThat(reopened.snapshot("latest")).isEqualTo(listed);
        }
    }

    @Test
    void aCopyOfAnIncompleteSnapshotStillSaysWhatItLacks() {
        try (Repository repo = init();
                Repository other = Repository.init(new InMemoryStore(), RepositoryTest.PASSWORD,
                        RepositoryTest.fastOptions().build())) {
            String id = repo.backup(BackupRequest.of(sampleSource())).snapshotId();
            repo.copyTo(other, List.of());
            Snapshot copied = other.snapshot(id);
            assertThat(copied.unreadable()).isEqualTo(2);
            assertThat(copied.unreadablePaths()).containsExactly("app/conf/secret.key", "app/data/private");
        }
    }

    @Test
    void aSnapshotNamesAtMostAHundredOfTheEntriesItLacksButCountsThemAll() {
        RefusingSource source = sampleSource();
        source.lockedDirectories.clear();
        for (int i = 0; i < Snapshot.UNREADABLE_RECORDED + 5; i++) {
            source.lockedDirectories.add(String.format("locked/%05d", i));
        }
        try (Repository repo = init()) {
            repo.backup(BackupRequest.of(source));
        }
        try (Repository reopened = Repository.open(store, RepositoryTest.PASSWORD, RepositoryTest.fastOptions().build())) {
            Snapshot listed = reopened.snapshots().get(0);
            assertThat(listed.unreadable()).isEqualTo(Snapshot.UNREADABLE_RECORDED + 6);
            assertThat(listed.unreadablePaths()).hasSize(Snapshot.UNREADABLE_RECORDED).isSorted()
                    .startsWith("app/conf/secret.key", "app/locked/00000");
        }
    }

    @Test
    void filesThatVanishBeforeTheyAreReadAreCountedAsVanishedNotAsNew() {
        RefusingSource source = sampleSource();
        source.vanishedFiles.addAll(List.of("data/gone-1", "data/gone-2", "data/gone-3"));
        try (Repository repo = init()) {
            BackupResult result = repo.backup(BackupRequest.of(source));

            assertThat(result.filesVanished()).isEqualTo(4);
            assertThat(result.filesNew()).isEqualTo(4).isEqualTo(result.snapshot().files());
            assertThat(result.filesChanged()).isZero();

            BackupResult again = repo.backup(BackupRequest.of(source));
            assertThat(again.filesVanished()).isEqualTo(4);
            assertThat(again.filesNew() + again.filesChanged() + again.filesUnchanged())
                    .isEqualTo(again.snapshot().files()).isEqualTo(4);
        }
    }

    @Test
    void theAuditRecordAndTheMetersCountTheEntriesLeftOut() {
        try (Repository repo = init()) {
            repo.backup(BackupRequest.of(sampleSource()));
        }
        assertThat(audit).singleElement().satisfies(e -> {
            assertThat(e.action()).isEqualTo("backup");
            assertThat(e.details()).containsEntry("unreadable", "2").containsEntry("files", "4");
        });
        assertThat(meters.get("dr.backup.unreadable").counter().count()).isEqualTo(2);
        assertThat(meters.get("dr.backup.files").tag("state", "vanished").counter().count()).isEqualTo(1);
        assertThat(meters.get("dr.backup.files").tag("state", "new").counter().count()).isEqualTo(4);
    }

    @Test
    void aCompleteBackupSaysSoAndItsAuditRecordHasNoUnreadableCount() {
        RefusingSource source = sampleSource();
        source.lockedDirectories.clear();
        source.lockedFiles.clear();
        try (Repository repo = init()) {
            BackupResult result = repo.backup(BackupRequest.of(source));
            assertThat(result.complete()).isTrue();
            assertThat(result.unreadable()).isEmpty();
            assertThat(result.snapshot().complete()).isTrue();
            assertThat(repo.snapshots()).singleElement().satisfies(s -> {
                assertThat(s.unreadable()).isZero();
                assertThat(s.unreadablePaths()).isEmpty();
            });
        }
        assertThat(audit).singleElement().satisfies(e -> assertThat(e.details()).doesNotContainKey("unreadable"));
    }

    @Test
    void theResultNamesAtMostAThousandEntriesButCountsThemAll() {
        RefusingSource source = sampleSource();
        source.lockedDirectories.clear();
        for (int i = 0; i < BackupResult.UNREADABLE_LISTED + 5; i++) {
            source.lockedDirectories.add(String.format("locked/%05d", i));
        }
        try (Repository repo = init()) {
            BackupResult result = repo.backup(BackupRequest.of(source));
            assertThat(result.unreadableCount()).isEqualTo(BackupResult.UNREADABLE_LISTED + 6);
            assertThat(result.unreadable()).hasSize(BackupResult.UNREADABLE_LISTED)
                    .isSortedAccordingTo((a, b) -> a.path().compareTo(b.path()));
        }
    }

    @Test
    void anyOtherReadFailureStillFailsTheBackupNamingTheFileAndCommitsNothing() {
        RefusingSource source = sampleSource();
        SnapshotSource failing = new SnapshotSource() {
            @Override
            public String name() {
                return "app";
            }

            @Override
            public SourceView begin() throws IOException {
                SourceView inner = source.begin();
                return new SourceView() {
                    @Override
                    public void writeTo(EntryWriter out) throws IOException {
                        inner.writeTo(out);
                        out.file("broken.db", EntryMetadata.file(10, T), () -> {
                            throw new IOException("Input/output error");
                        });
                    }

                    @Override
                    public void close() throws IOException {
                        inner.close();
                    }
                };
            }
        };
        try (Repository repo = init()) {
            DrException e = catchThrowableOfType(() -> repo.backup(BackupRequest.of(failing)), DrException.class);
            assertThat(e.code()).isEqualTo(ErrorCode.IO_FAILURE);
            assertThat(e.getMessage()).contains("broken.db").contains("Input/output error");
            assertThat(repo.snapshots()).isEmpty();
        }
    }

    @Test
    void aSourceThatCannotBeReadAtAllFailsTheBackupNamingThePathAndTheReason() {
        SnapshotSource locked = new SnapshotSource() {
            @Override
            public String name() {
                return "app";
            }

            @Override
            public SourceView begin() {
                return new SourceView() {
                    @Override
                    public void writeTo(EntryWriter out) throws IOException {
                        throw new AccessDeniedException("/srv/app");
                    }

                    @Override
                    public void close() {
                    }
                };
            }
        };
        try (Repository repo = init()) {
            DrException e = catchThrowableOfType(() -> repo.backup(BackupRequest.of(locked)), DrException.class);
            assertThat(e.code()).isEqualTo(ErrorCode.IO_FAILURE);
            assertThat(e.getMessage()).isEqualTo("Reading a source failed: /srv/app: permission denied");
            assertThat(repo.snapshots()).isEmpty();
        }
    }
}
