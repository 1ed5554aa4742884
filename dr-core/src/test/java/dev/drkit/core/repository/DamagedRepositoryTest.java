package dev.drkit.core.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.backup.RetentionPolicy;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.testkit.store.InMemoryStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A repository with one damaged object keeps working for everything that object does not hold:
 * a snapshot manifest or an index file that cannot be read is left out and named, prune refuses
 * rather than delete what they reference, and {@link Repository#repairIndex} puts the index
 * back, dropping blobs whose data is damaged so that the next backup stores them again.
 */
class DamagedRepositoryTest {
    @TempDir
    Path tmp;

    private final InMemoryStore store = new InMemoryStore();

    private Repository open() {
        return Repository.open(store, "pw".toCharArray(), RepositoryTest.fastOptions().build());
    }

    private Path source() throws IOException {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Random random = new Random(7);
        for (int i = 0; i < 5; i++) {
            byte[] data = new byte[40_000];
            random.nextBytes(data);
            Files.write(src.resolve("f" + i + ".bin"), data);
        }
        return src;
    }

    private String backup(Repository repo, Path src, String change) throws IOException {
        Files.writeString(src.resolve("changing.txt"), change);
        return repo.backup(BackupRequest.of(DirectorySource.of("src", src))).snapshotId();
    }

    /** Creates the repository with one snapshot of {@code src} and returns its id. */
    private String firstSnapshot(Path src) throws IOException {
        try (Repository repo = Repository.init(store, "pw".toCharArray(), RepositoryTest.fastOptions().build())) {
            return backup(repo, src, "one");
        }
    }

    private void flipByte(String key, int at) {
        byte[] bytes = store.get(key);
        bytes[at] ^= 0x40;
        store.put(key, bytes);
    }

    private List<String> keys(String prefix) {
        return store.list(prefix).map(ObjectInfo::key).toList();
    }

    private static void assertSameTree(Path expected, Path actual) throws IOException {
        try (var files = Files.list(expected)) {
            for (Path f : files.toList()) {
                assertThat(Files.readAllBytes(actual.resolve(f.getFileName().toString())))
                        .as(f.getFileName().toString()).isEqualTo(Files.readAllBytes(f));
            }
        }
    }

    @Test
    void aDamagedSnapshotManifestIsLeftOutAndNamedWhileTheOthersListRestoreAndBackUp() throws IOException {
        Path src = source();
        String first;
        String damaged;
        try (Repository repo = Repository.init(store, "pw".toCharArray(), RepositoryTest.fastOptions().build())) {
            first = backup(repo, src, "one");
            damaged = backup(repo, src, "two");
            backup(repo, src, "three");
        }
        flipByte("snapshots/" + damaged, 40);

        try (Repository repo = open()) {
            assertThat(repo.snapshots()).extracting(Snapshot::id).hasSize(2).doesNotContain(damaged);
            assertThatThrownBy(() -> repo.restore(damaged.substring(0, 8), tmp.resolve("bad"), RestoreOptions.all()))
                    .isInstanceOfSatisfying(DrException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY);
                        assertThat(e.input()).isEqualTo("snapshots/" + damaged);
                    });
            repo.restore(first, tmp.resolve("first"), RestoreOptions.all().withAllowUnverifiedHistory(true));
            assertThat(tmp.resolve("first/src/changing.txt")).hasContent("one");
            String fourth = backup(repo, src, "four");
            assertThat(repo.snapshots()).extracting(Snapshot::id).contains(fourth);
            assertThat(repo.verify(VerifyOptions.structure()).problems()).extracting(VerifyReport.Problem::key)
                    .contains("snapshots/" + damaged);

            assertThatThrownBy(() -> repo.prune(new PruneOptions(Duration.ZERO, 0.0, false)))
                    .isInstanceOfSatisfying(DrException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY);
                        assertThat(e.input()).isEqualTo("snapshots/" + damaged);
                        assertThat(e.getMessage()).startsWith("Prune refused: 1 snapshot manifest cannot be read");
                    });
            assertThatThrownBy(() -> repo.forgetSnapshots(List.of(damaged.substring(0, 8), "ffffffff")))
                    .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
            assertThat(store.stat("snapshots/" + damaged)).as("nothing removed when one id is unknown").isPresent();
            assertThat(repo.forgetSnapshots(List.of(damaged.substring(0, 8)))).containsExactly(damaged);
            assertThat(repo.verify(VerifyOptions.structure()).problems()).as("given up on purpose").isEmpty();
            repo.forget(RetentionPolicy.builder().keepLast(1).build(), false);
            repo.prune(new PruneOptions(Duration.ZERO, 0.0, false));
            repo.restore("latest", tmp.resolve("latest"), RestoreOptions.all());
            assertSameTree(src, tmp.resolve("latest/src"));
            assertThat(repo.verify(VerifyOptions.readAllData()).problems()).isEmpty();
        }
    }

    @Test
    void aManifestDeletedWithoutForgetIsGivenUpOnTheRecordAndLatestRestoresAgain() throws IOException {
        Path src = source();
        String deleted;
        try (Repository repo = Repository.init(store, "pw".toCharArray(), RepositoryTest.fastOptions().build())) {
            backup(repo, src, "one");
            deleted = backup(repo, src, "two");
        }
        store.delete("snapshots/" + deleted);
        try (Repository repo = open()) {
            assertThatThrownBy(() -> repo.restore("latest", tmp.resolve("refused"), RestoreOptions.all()))
                    .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.getMessage())
                            .contains("'dr forget " + deleted + "' (Repository.forgetSnapshots)",
                                    "run 'dr verify' (Repository.verify)",
                                    "--allow-unverified-history (RestoreOptions.withAllowUnverifiedHistory)"));
            assertThat(repo.forgetSnapshots(List.of(deleted))).containsExactly(deleted);
            assertThat(repo.verify(VerifyOptions.structure()).problems()).isEmpty();
            repo.restore("latest", tmp.resolve("latest"), RestoreOptions.all());
            assertThat(tmp.resolve("latest/src/changing.txt")).hasContent("one");
        }
    }

    @Test
    void aDamagedIndexFileIsLeftOutPruneRefusesAndRepairListsItsPacksAgain() throws IOException {
        Path src = source();
        String first = firstSnapshot(src);
        List<String> indexes = keys("index/");
        assertThat(indexes).hasSize(1);
        byte[] cut = Arrays.copyOf(store.get(indexes.get(0)), 50);
        store.put(indexes.get(0), cut);

        try (Repository repo = open()) {
            assertThat(repo.snapshots()).extracting(Snapshot::id).containsExactly(first);
            assertThatThrownBy(() -> repo.prune(new PruneOptions(Duration.ZERO, 0.0, false)))
                    .isInstanceOfSatisfying(DrException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY);
                        assertThat(e.input()).isEqualTo(indexes.get(0));
                        assertThat(e.getMessage()).contains("dr repair index");
                    });
            int packs = keys("data/").size();

            IndexRepairResult repaired = repo.repairIndex(false);

            assertThat(repaired.changed()).isTrue();
            assertThat(repaired.indexFilesDamaged()).isEqualTo(1);
            assertThat(repaired.packsAdded()).isEqualTo(packs);
            assertThat(repaired.unreadablePacks()).isEmpty();
            assertThat(keys("index/")).hasSize(1).doesNotContain(indexes.get(0));
            assertThat(repo.verify(VerifyOptions.readAllData()).problems()).isEmpty();
            repo.restore(first, tmp.resolve("out"), RestoreOptions.all());
            assertSameTree(src, tmp.resolve("out/src"));
            assertThat(repo.repairIndex(false).changed()).as("a second repair finds nothing").isFalse();
            assertThat(keys("data/")).hasSize(packs);
        }
    }

    @Test
    void anIndexFileDeletedFromTheStoreIsNamedByVerifyUntilRepairRecordsItsRemovalInTheHistory() throws IOException {
        Path src = source();
        String first = firstSnapshot(src);
        String lost = keys("index/").get(0);
        try (Repository repo = open()) {
            backup(repo, src, "two");
        }
        assertThat(keys("index/")).hasSize(2);
        store.delete(lost);

        try (Repository repo = open()) {
            assertThatThrownBy(() -> repo.restore(first, tmp.resolve("refused"), RestoreOptions.all()))
                    .isInstanceOfSatisfying(DrException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY);
                        assertThat(e.getMessage()).contains("is not in the index").contains("dr repair index");
                    });
            assertThatThrownBy(() -> repo.prune(new PruneOptions(Duration.ZERO, 0.0, true)))
                    .as("even a dry run names the remedy")
                    .isInstanceOfSatisfying(DrException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY);
                        assertThat(e.getMessage()).contains("dr repair index");
                    });
            VerifyReport damaged = repo.verify(VerifyOptions.structure());
            assertThat(damaged.indexFileDamaged()).isTrue();
            assertThat(damaged.unindexedPacks()).as("the deleted file's packs").isPositive();
            assertThat(repo.verify(VerifyOptions.structure()).problems())
                    .as("the deletion is evidence of damage until a repair is made")
                    .contains(new VerifyReport.Problem(lost, "missing: the history records this index file and no "
                            + "removal; it was deleted"));

            IndexRepairResult repaired = repo.repairIndex(false);

            assertThat(repaired.changed()).isTrue();
            assertThat(repaired.indexFilesMissing()).isEqualTo(1);
            assertThat(repaired.indexFilesDamaged()).isZero();
            assertThat(repaired.indexFilesReplaced()).isEqualTo(2);
            assertThat(repaired.packsAdded()).isPositive();
            assertThat(keys("index/")).hasSize(1).doesNotContain(lost);
            VerifyReport verified = repo.verify(VerifyOptions.readAllData());
            assertThat(verified.problems()).isEmpty();
            assertThat(verified.ok()).isTrue();
            repo.restore(first, tmp.resolve("out"), RestoreOptions.all());
            assertThat(tmp.resolve("out/src/changing.txt")).hasContent("one");
            for (int i = 0; i < 5; i++) {
                assertThat(tmp.resolve("out/src/f" + i + ".bin")).hasSameBinaryContentAs(src.resolve("f" + i + ".bin"));
            }
            assertThat(repo.repairIndex(false).changed()).as("a second repair finds nothing").isFalse();
            backup(repo, src, "three");
            assertThat(repo.verify(VerifyOptions.structure()).problems()).as("after a further backup").isEmpty();
        }
    }

    @Test
    void repairWithReadDataDropsADamagedBlobSoTheNextBackupStoresItAgainAndTheOldSnapshotHeals() throws IOException {
        Path src = source();
        String first = firstSnapshot(src);
        String pack = keys("data/").stream().max((a, b) -> Long.compare(store.stat(a).orElseThrow().size(),
                store.stat(b).orElseThrow().size())).orElseThrow();
        flipByte(pack, 100);

        try (Repository repo = open()) {
            BackupResult unhealed = repo.backup(BackupRequest.builder().source(DirectorySource.of("src", src))
                    .kind(dev.drkit.api.backup.BackupKind.FULL).build());
            assertThat(unhealed.bytesAdded()).as("before the repair the damaged blob is reused").isZero();

            IndexRepairResult repaired = repo.repairIndex(true);
            assertThat(repaired.blobsDropped()).isEqualTo(1);
            assertThat(repaired.packsRewritten()).isEqualTo(1);
            assertThat(repaired.packsMissing()).isZero();
            assertThat(store.stat(pack)).as("the damaged pack, its good blobs copied").isEmpty();
            assertThat(repo.verify(VerifyOptions.readAllData()).problems()).as("until the content is stored again")
                    .isNotEmpty().allMatch(p -> p.message().contains("is not indexed"));

            BackupResult healed = repo.backup(BackupRequest.builder().source(DirectorySource.of("src", src))
                    .kind(dev.drkit.api.backup.BackupKind.FULL).build());
            assertThat(healed.bytesAdded()).isPositive();
            repo.restore(healed.snapshotId(), tmp.resolve("healed"), RestoreOptions.all());
            assertSameTree(src, tmp.resolve("healed/src"));
            // The content is stored by its id again, so the snapshot taken before the damage heals too.
            repo.restore(first, tmp.resolve("old"), RestoreOptions.all());
            assertSameTree(src, tmp.resolve("old/src"));
            assertThat(repo.verify(VerifyOptions.structure()).problems()).isEmpty();
        }
    }

    @Test
    void aBackupAfterAPackWasDeletedStoresItsBlobsAgainInsteadOfReferringToThem() throws IOException {
        Path src = source();
        String first = firstSnapshot(src);
        String pack = keys("data/").stream().max((a, b) -> Long.compare(store.stat(a).orElseThrow().size(),
                store.stat(b).orElseThrow().size())).orElseThrow();
        store.delete(pack);
        // One file of the first snapshot is gone from the source too: only the pack had it.
        byte[] gone = Files.readAllBytes(src.resolve("f4.bin"));
        Files.delete(src.resolve("f4.bin"));

        BackupResult healing;
        try (Repository repo = open()) {
            healing = repo.backup(BackupRequest.of(DirectorySource.of("src", src)));
            assertThat(healing.packsMissing()).containsExactly(pack);
            assertThat(healing.filesUnchanged()).as("the parent's content is gone: every file is read").isZero();
            assertThat(healing.bytesAdded()).as("the content the pack held, stored again").isPositive();
            BackupResult next = repo.backup(BackupRequest.of(DirectorySource.of("src", src)));
            assertThat(next.packsMissing()).isEmpty();
            assertThat(next.bytesAdded()).isZero();
        }
        // A repository opened afresh finds every blob of the new snapshot where it lies now.
        try (Repository repo = open()) {
            repo.restore(healing.snapshotId(), tmp.resolve("healed"), RestoreOptions.all());
            assertSameTree(src, tmp.resolve("healed/src"));
            assertThat(tmp.resolve("healed/src/f4.bin")).doesNotExist();
            // The first snapshot's other files are stored again by their content; f4.bin is lost.
            VerifyReport report = repo.verify(VerifyOptions.structure());
            assertThat(report.ok()).isFalse();
            assertThat(report.problems()).extracting(VerifyReport.Problem::key).allMatch(k -> k.contains(first));
            assertThatThrownBy(() -> repo.restore(first, tmp.resolve("old"), RestoreOptions.all()))
                    .isInstanceOf(DrException.class);
            Files.write(src.resolve("f4.bin"), gone);
            BackupResult back = repo.backup(BackupRequest.of(DirectorySource.of("src", src)));
            assertThat(back.packsMissing()).isEmpty();
            repo.restore(first, tmp.resolve("old"), RestoreOptions.all());
            assertThat(tmp.resolve("old/src/f4.bin")).hasBinaryContent(gone);
            assertThat(repo.verify(VerifyOptions.structure()).problems()).isEmpty();
        }
        assertThat(keys("index/")).as("the index written without the missing pack replaced the old").hasSize(3);
    }

    @Test
    void aBackupAfterEveryPackWasDeletedReadsTheSourcesAgainWithoutTheParentsTrees() throws IOException {
        Path src = source();
        firstSnapshot(src);
        List<String> packs = keys("data/");
        packs.forEach(store::delete);

        List<dev.drkit.api.audit.AuditEvent> audit = new java.util.ArrayList<>();
        var meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        try (Repository repo = Repository.open(store, "pw".toCharArray(),
                RepositoryTest.fastOptions().audit(audit::add).meters(meters).build())) {
            BackupResult result = repo.backup(BackupRequest.of(DirectorySource.of("src", src)));
            assertThat(result.packsMissing()).containsExactlyInAnyOrderElementsOf(packs);
            assertThat(audit).filteredOn(e -> e.action().equals("backup")).singleElement()
                    .satisfies(e -> assertThat(e.details()).containsEntry("packsMissing", String.join(",",
                            result.packsMissing())));
            assertThat(meters.get("dr.backup.packs.missing").counter().count()).isEqualTo(packs.size());
            assertThat(result.filesNew()).as("no parent tree left to compare with").isEqualTo(6);
            repo.restore(result.snapshotId(), tmp.resolve("again"), RestoreOptions.all());
            assertSameTree(src, tmp.resolve("again/src"));
        }
    }
}
