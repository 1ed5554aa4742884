package dev.drkit.core.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.journal.RecordFeed;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.core.source.StreamSource;
import dev.drkit.core.store.SnapshotStores;
import dev.drkit.testkit.ManualClock;
import dev.drkit.testkit.store.ForwardingStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A repository object opened before another one on the same store wrote packs and index files
 * (another process, another host, the previous writer of a fleet) reads what that one wrote: it
 * loads the index files it has not seen when an operation meets them.
 */
class OpenedBeforeAnotherWriterTest {
    static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
    final ManualClock clock = ManualClock.at(T0);
    final SnapshotStore store = SnapshotStores.memory();
    final List<Repository> opened = new ArrayList<>();
    Repository early;
    Repository other;

    @TempDir
    Path tmp;

    @BeforeEach
    void open() {
        early = Repository.openOrInit(store, "pw".toCharArray(), options("host-a"));
        opened.add(early);
        other = Repository.open(store, "pw".toCharArray(), options("host-b"));
        opened.add(other);
    }

    @AfterEach
    void close() throws Exception {
        for (Repository repo : opened) {
            repo.close();
        }
        store.close();
    }

    RepositoryOptions options(String host) {
        return RepositoryOptions.builder().kdf(new KdfParams(256, 1, 1)).chunkSizes(4096, 16384, 65536)
                .packSize(256 * 1024).threads(2).host(host).clock(clock).build();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] noise(int size, long seed) {
        byte[] out = new byte[size];
        new Random(seed).nextBytes(out);
        return out;
    }

    @Test
    void aJournalStartedElsewhereIsResumedByARepositoryOpenedBefore() {
        RecordFeed first = RecordFeed.named("outbox", clock);
        long position;
        try (Journal journal = other.manualJournal(first, JournalOptions.DEFAULT)) {
            position = first.append("orders/1", bytes("one"));
            journal.flush();
        }
        clock.advance(Duration.ofSeconds(1));
        RecordFeed next = RecordFeed.named("outbox", clock);
        try (Journal resumed = early.manualJournal(next, JournalOptions.DEFAULT)) {
            assertThat(resumed.committedPosition()).isEqualTo(position);
            next.append("orders/2", bytes("two"));
            assertThat(resumed.flush()).isEqualTo(1);
        }
        JournalView view = early.journalAt("outbox").orElseThrow();
        assertThat(view.read("orders/1")).isEqualTo(bytes("one"));
        assertThat(view.read("orders/2")).isEqualTo(bytes("two"));
    }

    @Test
    void aJournalCompactedElsewhereIsResumedAndReadByARepositoryOpenedBefore() {
        RecordFeed first = RecordFeed.named("outbox", clock);
        byte[] big = noise(200_000, 1);
        try (Journal journal = other.manualJournal(first, JournalOptions.DEFAULT)) {
            first.append("blobs/big", big);
            journal.flush();
            journal.compact(); // a base snapshot whose data lies in packs the early one never saw
        }
        assertThat(early.journalAt("outbox").orElseThrow().read("blobs/big")).isEqualTo(big);
        assertThat(early.journalAt("outbox", clock.instant()).read("blobs/big")).isEqualTo(big);
        clock.advance(Duration.ofSeconds(1));
        RecordFeed next = RecordFeed.named("outbox", clock);
        try (Journal resumed = early.manualJournal(next, JournalOptions.DEFAULT)) {
            next.append("orders/2", bytes("two"));
            resumed.flush();
            resumed.compact();
        }
        RestoreResult restored = early.restoreLatest("outbox", tmp.resolve("at"), RestoreOptions.all());
        assertThat(restored.files()).isEqualTo(2);
    }

    @Test
    void aSnapshotWrittenElsewhereIsRestoredListedAndReadByARepositoryOpenedBefore() throws IOException {
        byte[] content = noise(300_000, 2);
        Snapshot written = other.backup(BackupRequest.of(StreamSource.of("dump", "db.bin",
                () -> new ByteArrayInputStream(content)))).snapshot();

        assertThat(early.entries(written.id())).extracting(SnapshotEntry::path).containsExactly("dump", "dump/db.bin");
        try (InputStream in = early.openEntry(written.id(), "dump/db.bin")) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }
        early.restore(written.id(), tmp.resolve("out"), RestoreOptions.all());
        assertThat(Files.readAllBytes(tmp.resolve("out/dump/db.bin"))).isEqualTo(content);
    }

    @Test
    void aBackupAfterOneWrittenElsewhereBuildsOnIt() {
        byte[] content = noise(300_000, 3);
        other.backup(BackupRequest.builder().source(StreamSource.of("dump", "db.bin",
                () -> new ByteArrayInputStream(content))).host("shared").build());
        BackupResult again = early.backup(BackupRequest.builder().source(StreamSource.of("dump", "db.bin",
                () -> new ByteArrayInputStream(content))).host("shared").build());
        assertThat(again.bytesAdded()).isLessThan(content.length / 10);
    }

    @Test
    void onlyIndexFilesNotSeenBeforeAreRead() {
        List<String> indexReads = new CopyOnWriteArrayList<>();
        SnapshotStore counted = new ForwardingStore(store) {
            @Override
            public byte[] get(String key) {
                if (key.startsWith("index/")) {
                    indexReads.add(key);
                }
                return super.get(key);
            }
        };
        Repository watching = Repository.open(counted, "pw".toCharArray(), options("host-c"));
        opened.add(watching);
        for (int i = 0; i < 3; i++) {
            byte[] content = noise(50_000, 10 + i);
            other.backup(BackupRequest.of(StreamSource.of("dump", "db.bin", () -> new ByteArrayInputStream(content))));
            assertThat(watching.stats().snapshots()).isEqualTo(i + 1);
        }
        List<String> indexFiles = store.list("index/").map(o -> o.key()).toList();
        assertThat(indexFiles).hasSize(3);
        assertThat(indexReads).containsExactlyInAnyOrderElementsOf(indexFiles);
    }

    @Test
    void packsRepackedByAnotherProcessesPruneAreFoundWhereTheyLieNow() throws IOException {
        Path src = Files.createDirectories(tmp.resolve("src"));
        // Small files share a pack, so dropping one leaves that pack partly used: repacked
        // (larger files' chunks may each fill packs of their own, which prune deletes whole).
        byte[] kept = noise(2_000, 5);
        Files.write(src.resolve("kept.bin"), kept);
        for (int i = 0; i < 9; i++) {
            Files.write(src.resolve("other-" + i + ".bin"), noise(2_000, 10 + i));
        }
        Files.write(src.resolve("dropped.bin"), noise(2_000, 6));
        Snapshot first = other.backup(BackupRequest.of(DirectorySource.of("src", src))).snapshot();
        Files.delete(src.resolve("dropped.bin"));
        Snapshot second = other.backup(BackupRequest.of(DirectorySource.of("src", src))).snapshot();
        assertThat(early.stats().packs()).isPositive(); // reads the index files written so far
        other.forgetSnapshots(List.of(first.id()));
        clock.advance(Duration.ofHours(2));
        // What prune rewrites here (a repacked or a deleted pack) depends on which worker sealed
        // which blob; whatever it rewrote, the early repository restores from where blobs lie now.
        other.prune(new PruneOptions(Duration.ZERO, 0.0, false));

        early.restore(second.id(), tmp.resolve("out"), RestoreOptions.all());
        assertThat(Files.readAllBytes(tmp.resolve("out/src/kept.bin"))).isEqualTo(kept);
        for (int i = 0; i < 9; i++) {
            assertThat(Files.readAllBytes(tmp.resolve("out/src/other-" + i + ".bin"))).isEqualTo(noise(2_000, 10 + i));
        }
    }

    @Test
    void aBlobNoIndexFileListsStillFailsNamingIt() {
        byte[] content = noise(300_000, 4);
        Snapshot written = other.backup(BackupRequest.of(StreamSource.of("dump", "db.bin",
                () -> new ByteArrayInputStream(content)))).snapshot();
        store.list("index/").map(o -> o.key()).toList().forEach(store::delete);

        assertThatThrownBy(() -> early.entries(written.id()))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY))
                .hasMessageMatching("Blob [0-9a-f]{64} is not in the index: .*'dr repair index'.*");
    }
}
