package dev.drkit.core.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.testkit.ManualClock;
import dev.drkit.testkit.store.ForwardingStore;
import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.backup.RetentionPolicy;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.internal.History;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.core.store.SnapshotStores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tamper-evident snapshot history: what verify names and what restore refuses. */
class SnapshotHistoryTest {
    static final char[] PASSWORD = "correct horse".toCharArray();

    @TempDir
    Path tmp;

    final SnapshotStore store = SnapshotStores.memory();
    final ManualClock clock = ManualClock.at(Instant.parse("2026-11-01T10:00:00Z"));

    RepositoryOptions options() {
        return RepositoryTest.fastOptions().clock(clock).build();
    }

    Path source() throws IOException {
        Path src = tmp.resolve("src");
        Files.createDirectories(src);
        Files.writeString(src.resolve("a.txt"), "first version");
        return src;
    }

    /** Takes a snapshot of the source after writing {@code content}, an hour after the last. */
    String backup(Repository repo, Path src, String content) throws IOException {
        Files.writeString(src.resolve("a.txt"), content);
        clock.advance(Duration.ofHours(1));
        return repo.backup(BackupRequest.of(DirectorySource.of("src", src))).snapshotId();
    }

    static List<String> keysAtFault(VerifyReport report) {
        return report.problems().stream().map(VerifyReport.Problem::key).toList();
    }

    @Test
    void aHealthyHistoryVerifiesCleanAndGivesAHeadDigest() throws IOException {
        try (Repository repo = Repository.init(store, PASSWORD, options())) {
            Path src = source();
            backup(repo, src, "one");
            backup(repo, src, "two");
            VerifyReport report = repo.verify(VerifyOptions.readAllData());
            assertThat(report.problems()).isEmpty();
            assertThat(report.notes()).isEmpty();
            assertThat(report.historyHead()).matches("3:[0-9a-f]{64}");
        }
    }

    @Test
    void deletingTheNewestManifestIsNamedByVerifyAndRefusedByRestoreLatest() throws IOException {
        String newest;
        try (Repository repo = Repository.init(store, PASSWORD, options())) {
            Path src = source();
            backup(repo, src, "older");
            newest = backup(repo, src, "newest");
        }
        try (Repository repo = Repository.open(store, PASSWORD, options())) {
            assertThat(repo.unlistedSnapshots(repo.snapshots())).isEmpty();
        }
        store.delete("snapshots/" + newest);
        try (Repository repo = Repository.open(store, PASSWORD, options())) {
            assertThat(repo.unlistedSnapshots(repo.snapshots())).as("recorded, not listed").containsExactly(newest);
            VerifyReport report = repo.verify(VerifyOptions.readAllData());
            assertThat(keysAtFault(report)).containsExactly("snapshots/" + newest);
            assertThat(report.problems().get(0).message()).contains("missing").contains("deleted");
            assertThatThrownBy(() -> repo.restore("latest", tmp.resolve("out"), RestoreOptions.all()))
                    .isInstanceOf(DrException.class).hasMessageContaining("snapshots/" + newest)
                    .extracting(e -> ((DrException) e).code()).isEqualTo(ErrorCode.INTEGRITY);
            assertThat(tmp.resolve("out")).doesNotExist();
            // Told otherwise, the operator gets the older snapshot.
            repo.restore("latest", tmp.resolve("out"), RestoreOptions.all().withAllowUnverifiedHistory(true));
            assertThat(tmp.resolve("out/src/a.txt")).hasContent("older");
        }
    }

    @Test
    void pruneIsRefusedWhileARecordedSnapshotsManifestIsMissingSoThatPuttingItBackStillRestores()
            throws IOException {
        String first;
        try (Repository repo = Repository.init(store, PASSWORD, options())) {
            Path src = source();
            first = backup(repo, src, "only the first snapshot holds this content");
            backup(repo, src, "the second's");
        }
        byte[] manifest = store.get("snapshots/" + first);
        store.delete("snapshots/" + first);
        try (Repository repo = Repository.open(store, PASSWORD, options())) {
            assertThatThrownBy(() -> repo.prune(new PruneOptions(Duration.ZERO,
                    PruneOptions.DEFAULT_REPACK_THRESHOLD, false)))
                    .isInstanceOfSatisfying(DrException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY);
                        assertThat(e.input()).isEqualTo("snapshots/" + first);
                        assertThat(e.getMessage()).contains("Prune refused").contains("dr forget " + first);
                    });
        }
        // The good copy put back restores: nothing it needs was deleted.
        store.put("snapshots/" + first, manifest);
        try (Repository repo = Repository.open(store, PASSWORD, options())) {
            repo.restore(first, tmp.resolve("out"), RestoreOptions.all());
            assertThat(tmp.resolve("out/src/a.txt")).hasContent("only the first snapshot holds this content");
            assertThat(repo.verify(VerifyOptions.readAllData()).problems()).isEmpty();
        }
        // Given up instead, the prune goes ahead.
        store.delete("snapshots/" + first);
        try (Repository repo = Repository.open(store, PASSWORD, options())) {
            repo.forgetSnapshots(List.of(first));
            repo.prune(new PruneOptions(Duration.ZERO, PruneOptions.DEFAULT_REPACK_THRESHOLD, false));
            assertThat(repo.verify(VerifyOptions.readAllData()).problems()).isEmpty();
        }
    }

    @Test
    void aSwappedManifestIsNamedAndRestoringItIsRefused() throws IOException {
        String first;
        String second;
        try (Repository repo = Repository.init(store, PASSWORD, options())) {
            Path src = source();
            first = backup(repo, src, "one");
            second = backup(repo, src, "two");
        }
        byte[] a = store.get("snapshots/" + first);
        store.put("snapshots/" + first, store.get("snapshots/" + second));
        store.put("snapshots/" + second, a);
        try (Repository repo = Repository.open(store, PASSWORD, options())) {
            assertThat(keysAtFault(repo.verify(VerifyOptions.structure())))
                    .containsExactlyInAnyOrder("snapshots/" + first, "snapshots/" + second);
            assertThatThrownBy(() -> repo.restore(first, tmp.resolve("out"), RestoreOptions.all()))
                    .isInstanceOf(DrException.class).hasMessageContaining("snapshots/" + first)
                    .hasMessageContaining("replaced");
        }
    }

    @Test
    void aForgottenSnapshotPutBackIsNamedAsReplayed() throws IOException {
        String old;
        byte[] oldManifest;
        try (Repository repo = Repository.init(store, PASSWORD, options())) {
            Path src = source();
            old = backup(repo, src, "one");
            oldManifest = store.get("snapshots/" + old);
            backup(repo, src, "two");
            repo.forget(RetentionPolicy.builder().keepLast(1).build(), false);
            backup(repo, src, "three");
            assertThat(repo.verify(VerifyOptions.structure()).problems()).isEmpty();
        }
        store.put("snapshots/" + old, oldManifest);
        try (Repository repo = Repository.open(store, PASSWORD, options())) {
            VerifyReport report = repo.verify(VerifyOptions.structure());
            assertThat(keysAtFault(report)).containsExactly("snapshots/" + old);
            assertThat(report.problems().get(0).message()).contains("forgotten").contains("put back");
            assertThatThrownBy(() -> repo.restore(old, tmp.resolve("out"), RestoreOptions.all()))
                    .isInstanceOf(DrException.class).hasMessageContaining("forgotten");
        }
    }

    @Test
    void forgetAndPruneExtendTheHistoryWithRemovalsAndLeaveNoGap() throws IOException {
        try (Repository repo = Repository.init(store, PASSWORD, options())) {
            Path src = source();
            for (int i = 0; i < 4; i++) {
                backup(repo, src, "version " + i);
            }
            String before = repo.verify(VerifyOptions.structure()).historyHead();
            repo.forget(RetentionPolicy.builder().keepLast(2).build(), false);
            repo.prune(new PruneOptions(Duration.ZERO, 0.2, false));
            VerifyReport report = repo.verify(VerifyOptions.readAllData());
            assertThat(report.problems()).isEmpty();
            assertThat(report.notes()).isEmpty();
            assertThat(report.snapshots()).isEqualTo(2);
            // init, four backups, a forget and a prune
            assertThat(report.historyHead()).startsWith("7:");
            // the earlier head is still part of the history
            assertThat(repo.verify(VerifyOptions.structure().withExpectedHead(before)).problems()).isEmpty();
        }
    }

    @Test
    void aDeletedOrReorderedHistoryEntryAndAnOlderHeadPutBackAreNamed() throws IOException {
        byte[] olderHead;
        try (Repository repo = Repository.init(store, PASSWORD, options())) {
            Path src = source();
            backup(repo, src, "one");
            olderHead = store.get("history/head");
            backup(repo, src, "two");
            backup(repo, src, "three");
        }
        String second = "history/entries/0000000000000002";
        String third = "history/entries/0000000000000003";
        byte[] secondEntry = store.get(second);
        byte[] thirdEntry = store.get(third);

        store.delete(second);
        assertThat(verifyProblems()).containsExactly(second);
        store.put(second, thirdEntry);
        store.put(third, secondEntry);
        assertThat(verifyProblems()).contains(second, third);
        store.put(second, secondEntry);
        store.put(third, thirdEntry);
        assertThat(verifyProblems()).isEmpty();

        byte[] head = store.get("history/head");
        store.put("history/head", olderHead);
        assertThat(verifyProblems()).contains("history/head");
        try (Repository repo = Repository.open(store, PASSWORD, options())) {
            assertThatThrownBy(() -> repo.restore("latest", tmp.resolve("out"), RestoreOptions.all()))
                    .isInstanceOf(DrException.class).hasMessageContaining("history/head");
        }
        store.delete("history/head");
        assertThat(verifyProblems()).contains("history/head");
        store.put("history/head", head);
        assertThat(verifyProblems()).isEmpty();
    }

    @Test
    void aHistoryRolledBackByCoordinatedChangesFailsAgainstTheKeptHeadDigest() throws IOException {
        String kept;
        String newest;
        byte[] olderHead;
        try (Repository repo = Repository.init(store, PASSWORD, options())) {
            Path src = source();
            backup(repo, src, "one");
            olderHead = store.get("history/head");
            newest = backup(repo, src, "two");
            kept = repo.verify(VerifyOptions.structure()).historyHead();
        }
        // Undo the last commit everywhere: its manifest, its entry and the head.
        store.delete("snapshots/" + newest);
        store.delete("history/entries/0000000000000003");
        store.put("history/head", olderHead);
        try (Repository repo = Repository.open(store, PASSWORD, options())) {
            assertThat(repo.verify(VerifyOptions.structure()).problems()).isEmpty();
            VerifyReport report = repo.verify(VerifyOptions.structure().withExpectedHead(kept));
            assertThat(keysAtFault(report)).containsExactly("history/head");
            assertThat(report.problems().get(0).message()).contains("rolled back");
        }
        assertThatThrownBy(() -> VerifyOptions.structure().withExpectedHead("not a digest"))
                .isInstanceOf(DrException.class).hasMessageContaining("expectedHead");
    }

    @Test
    void twoRacingBackupsBothEnterTheHistoryAfterOneRetries() throws IOException {
        Path src = source();
        try (Repository first = Repository.init(store, PASSWORD, options())) {
            backup(first, src, "zero");
        }
        // The first writer's head replacement waits until a second writer has committed.
        AtomicBoolean raced = new AtomicBoolean();
        String[] other = new String[1];
        SnapshotStore racing = new Delegating(store) {
            @Override
            public Optional<ObjectInfo> replace(String key, byte[] data, String expectedEtag) {
                if (key.equals("history/head") && raced.compareAndSet(false, true)) {
                    try (Repository second = Repository.open(store, PASSWORD, options())) {
                        other[0] = second.backup(BackupRequest.of(DirectorySource.of("src", src))).snapshotId();
                    }
                }
                return super.replace(key, data, expectedEtag);
            }
        };
        String mine;
        try (Repository repo = Repository.open(racing, PASSWORD, options())) {
            mine = backup(repo, src, "one");
        }
        assertThat(raced).isTrue();
        try (Repository repo = Repository.open(store, PASSWORD, options())) {
            VerifyReport report = repo.verify(VerifyOptions.readAllData());
            assertThat(report.problems()).isEmpty();
            assertThat(report.notes()).isEmpty();
            assertThat(report.historyHead()).startsWith("4:");
            assertThat(repo.snapshots()).extracting(Snapshot::id).contains(mine, other[0]);
            // each is protected: deleting either is named
            store.delete("snapshots/" + other[0]);
            assertThat(keysAtFault(repo.verify(VerifyOptions.structure()))).containsExactly("snapshots/" + other[0]);
        }
    }

    @Test
    void aSnapshotCommittedButNotYetRecordedIsANoteAndTheNextCommitRecordsIt() throws IOException {
        Path src = source();
        AtomicBoolean failHead = new AtomicBoolean();
        SnapshotStore failing = new Delegating(store) {
            @Override
            public Optional<ObjectInfo> replace(String key, byte[] data, String expectedEtag) {
                if (key.equals("history/head") && failHead.get()) {
                    throw new DrException(ErrorCode.UNAVAILABLE, "injected", key);
                }
                return super.replace(key, data, expectedEtag);
            }
        };
        String pending;
        try (Repository repo = Repository.init(failing, PASSWORD, options())) {
            backup(repo, src, "one");
            failHead.set(true);
            Files.writeString(src.resolve("a.txt"), "two");
            clock.advance(Duration.ofHours(1));
            // the manifest is written, the history's head is not: the backup reports the failure
            assertThatThrownBy(() -> repo.backup(BackupRequest.of(DirectorySource.of("src", src))))
                    .isInstanceOf(DrException.class);
            assertThat(repo.snapshots()).hasSize(2);
            pending = repo.snapshots().get(1).id();
            VerifyReport report = repo.verify(VerifyOptions.readAllData());
            assertThat(report.problems()).isEmpty();
            assertThat(report.notes()).extracting(VerifyReport.Problem::key).contains("snapshots/" + pending)
                    .allMatch(key -> key.startsWith("snapshots/") || key.startsWith("index/"));
            repo.restore("latest", tmp.resolve("out"), RestoreOptions.all());
            assertThat(tmp.resolve("out/src/a.txt")).hasContent("two");
            failHead.set(false);
            backup(repo, src, "three");
            report = repo.verify(VerifyOptions.readAllData());
            assertThat(report.problems()).isEmpty();
            assertThat(report.notes()).isEmpty();
        }
        store.delete("snapshots/" + pending);
        try (Repository repo = Repository.open(store, PASSWORD, options())) {
            assertThat(keysAtFault(repo.verify(VerifyOptions.structure()))).containsExactly("snapshots/" + pending);
        }
    }

    @Test
    void aDeletedHeadStopsBackupsWithoutLeavingTheirSnapshotAndRepairHistoryRebuildsItFromTheEntries()
            throws IOException {
        String first;
        String second;
        String digest;
        try (Repository repo = Repository.init(store, PASSWORD, options())) {
            Path src = source();
            first = backup(repo, src, "one");
            second = backup(repo, src, "two");
            digest = repo.verify(VerifyOptions.structure()).historyHead();
        }
        store.delete("history/head");
        try (Repository repo = Repository.open(store, PASSWORD, options())) {
            assertThatThrownBy(() -> backup(repo, tmp.resolve("src"), "three")).isInstanceOf(DrException.class)
                    .hasMessageContaining("history/head is missing")
                    .hasMessageContaining("dr repair history")
                    .hasMessageContaining("was not saved");
            assertThat(repo.snapshots()).extracting(Snapshot::id).containsExactlyInAnyOrder(first, second);
            assertThatThrownBy(() -> repo.unlistedSnapshots(repo.snapshots())).isInstanceOf(DrException.class)
                    .hasMessageContaining("history/head is missing");
            assertThatThrownBy(() -> repo.restore(first, tmp.resolve("r0"), RestoreOptions.all()))
                    .hasMessageContaining("dr repair history").hasMessageContaining("--allow-unverified-history");

            HistoryRepairResult repaired = repo.repairHistory();

            assertThat(repaired.changed()).isTrue();
            assertThat(repaired.before()).isEqualTo("missing");
            assertThat(repaired.rebuiltFromEntry()).isEqualTo(3);
            assertThat(repaired.snapshots()).isEqualTo(2);
            assertThat(repaired.headDigest()).isEqualTo(digest);
            VerifyReport report = repo.verify(VerifyOptions.readAllData().withExpectedHead(digest));
            assertThat(report.problems()).isEmpty();
            backup(repo, tmp.resolve("src"), "three");
            repo.restore(first, tmp.resolve("r1"), RestoreOptions.all());
            assertThat(repo.repairHistory().changed()).isFalse();
        }
    }

    @Test
    void aDamagedHeadIsRebuiltButAHistoryWithAMissingEntryIsNotAndTheRepairSaysWhichOne() throws IOException {
        try (Repository repo = Repository.init(store, PASSWORD, options())) {
            Path src = source();
            backup(repo, src, "one");
            backup(repo, src, "two");
        }
        store.put("history/head", "garbage".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        try (Repository repo = Repository.open(store, PASSWORD, options())) {
            assertThatThrownBy(() -> repo.restore("latest", tmp.resolve("r0"), RestoreOptions.all()))
                    .hasMessageContaining("dr repair history").hasMessageContaining("--allow-unverified-history");
            HistoryRepairResult repaired = repo.repairHistory();
            assertThat(repaired.before()).startsWith("damaged: ");
            assertThat(repaired.rebuiltFromEntry()).isEqualTo(3);
            assertThat(repo.verify(VerifyOptions.structure()).problems()).isEmpty();
        }
        store.delete("history/head");
        store.delete(History.entryKey(2));
        try (Repository repo = Repository.open(store, PASSWORD, options())) {
            assertThatThrownBy(repo::repairHistory).isInstanceOf(DrException.class)
                    .hasMessageContaining(History.entryKey(2) + " is missing");
            assertThat(store.stat("history/head")).isEmpty();
        }
    }

    @Test
    void anInitInterruptedBeforeItsFirstEntryIsStartedByTheNextBackupWhileADeletedHeadIsDamage()
            throws IOException {
        Repository.init(store, PASSWORD, options()).close();
        store.list("history/").toList().forEach(o -> store.delete(o.key()));
        try (Repository repo = Repository.open(store, PASSWORD, options())) {
            VerifyReport report = repo.verify(VerifyOptions.readAllData());
            assertThat(report.problems()).isEmpty();
            assertThat(report.notes()).extracting(VerifyReport.Problem::key).containsExactly("history/head");
            backup(repo, source(), "one");
            report = repo.verify(VerifyOptions.readAllData());
            assertThat(report.problems()).isEmpty();
            assertThat(report.historyHead()).startsWith("1:");
        }
        // Once the repository holds a snapshot, a history deleted whole is damage.
        store.list("history/").toList().forEach(o -> store.delete(o.key()));
        assertThat(verifyProblems()).containsExactly("history/head");
        try (Repository repo = Repository.open(store, PASSWORD, options())) {
            assertThatThrownBy(() -> backup(repo, tmp.resolve("src"), "two")).isInstanceOf(DrException.class)
                    .hasMessageContaining("history/head");
        }
    }

    @Test
    void keyFilesAreRecordedSoThatADeletedOneOrARemovedOnePutBackIsNamed() throws IOException {
        String second;
        String third;
        byte[] removed;
        try (Repository repo = Repository.init(store, PASSWORD, options())) {
            second = "keys/" + repo.addKey("second password".toCharArray());
            third = "keys/" + repo.addKey("third password".toCharArray());
            removed = store.get(third);
            repo.removeKey(third.substring("keys/".length()));
            backup(repo, source(), "one");
            assertThat(repo.verify(VerifyOptions.structure()).problems()).isEmpty();
        }
        byte[] kept = store.get(second);
        store.delete(second);
        assertThat(verifyProblems()).containsExactly(second);
        store.put(second, kept);
        store.put(third, removed);
        List<String> problems = verifyProblems();
        assertThat(problems).containsExactly(third);
    }

    private List<String> verifyProblems() {
        try (Repository repo = Repository.open(store, PASSWORD, options())) {
            return keysAtFault(repo.verify(VerifyOptions.readAllData()));
        }
    }

    /** A store that passes every call to another; tests override what they intercept. */
    static class Delegating extends ForwardingStore {
        Delegating(SnapshotStore inner) {
            super(inner);
        }
    }
}
