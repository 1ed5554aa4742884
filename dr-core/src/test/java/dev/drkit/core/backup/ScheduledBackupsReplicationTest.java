package dev.drkit.core.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.backup.RetentionPolicy;
import dev.drkit.core.repository.KdfParams;
import dev.drkit.core.repository.Replication;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.core.repository.RestoreOptions;
import dev.drkit.core.repository.Snapshot;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.core.store.SnapshotStores;
import dev.drkit.testkit.store.FaultInjectingStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ScheduledBackups.Builder#replication}: every backup is in the secondaries when it
 * returns, and a secondary that fails leaves the backup standing. On a manual clock and
 * scheduler; the secondary's faults are injected, so nothing here waits for real time.
 */
class ScheduledBackupsReplicationTest {
    @TempDir
    Path dir;

    private final ManualTime time = new ManualTime();
    private Repository repository;
    private FaultInjectingStore offsiteStore;
    private Repository offsite;
    private Path data;

    private static RepositoryOptions options(ManualTime time) {
        return RepositoryOptions.builder().kdf(new KdfParams(1024, 1, 1)).clock(time).build();
    }

    @BeforeEach
    void setUp() throws Exception {
        repository = Repository.init(SnapshotStores.memory(), "pw".toCharArray(), options(time));
        offsiteStore = FaultInjectingStore.wrap(SnapshotStores.file(dir.resolve("offsite"))).build();
        offsite = Repository.init(offsiteStore, "offsite-pw".toCharArray(), options(time));
        data = Files.createDirectories(dir.resolve("orders"));
        Files.writeString(data.resolve("a.json"), "{\"id\":1}");
    }

    @AfterEach
    void tearDown() {
        offsiteStore.bringUp();
        offsite.close();
        repository.close();
    }

    private ScheduledBackups.Builder backups() {
        return ScheduledBackups.builder(repository).source(DirectorySource.of("orders", data)).clock(time)
                .scheduler(time.scheduler()).keepEverything();
    }

    @Test
    void aBackupOnDemandIsInTheSecondaryWhenItReturnsAndRestoresFromThere() throws Exception {
        try (ScheduledBackups backups = backups().replication(Replication.of(repository, offsite)).build()) {
            String id = backupNowId(backups);
            assertThat(offsite.snapshots()).extracting(Snapshot::id).containsExactly(id);
            assertThat(backups.lastReplicas()).singleElement().satisfies(o -> assertThat(o.ok()).isTrue());
            assertThat(backups.lastReplicationError()).isEmpty();
            assertThat(backups.replicationFailures()).isZero();
            Path target = dir.resolve("restored");
            offsite.restore(id, target, RestoreOptions.all());
            try (var files = Files.walk(target)) {
                assertThat(files.filter(p -> p.getFileName().toString().equals("a.json")).findFirst())
                        .hasValueSatisfying(p -> assertThat(p).hasContent("{\"id\":1}"));
            }
        }
    }

    private static String backupNowId(ScheduledBackups backups) {
        return backups.backupNow().snapshot().id();
    }

    @Test
    void scheduledBackupsAreCopiedToTheSecondaryToo() {
        try (ScheduledBackups backups = backups().replication(Replication.of(repository, offsite))
                .schedule(BackupSchedule.every(Duration.ofMinutes(15))).initialDelay(Duration.ZERO).build()) {
            backups.start();
            time.advance(Duration.ofMinutes(30));
            assertThat(repository.snapshots()).hasSize(3);
            assertThat(offsite.snapshots()).extracting(Snapshot::id)
                    .containsExactlyElementsOf(repository.snapshots().stream().map(Snapshot::id).toList());
        }
    }

    @Test
    void theCopyIsMadeBeforeRetentionForgetsInThePrimary() {
        try (ScheduledBackups backups = backups().replication(Replication.of(repository, offsite))
                .retention(RetentionPolicy.builder().keepLast(1).build()).build()) {
            String first = backupNowId(backups);
            time.advance(Duration.ofMinutes(1));
            String second = backupNowId(backups);
            assertThat(repository.snapshots()).extracting(Snapshot::id).containsExactly(second);
            assertThat(offsite.snapshots()).extracting(Snapshot::id).containsExactly(first, second);
        }
    }

    @Test
    void aSecondaryThatFailsLeavesTheBackupStandingIsCountedAndIsCaughtUpByTheNextBackup() {
        try (ScheduledBackups backups = backups().replication(Replication.of(repository, offsite)).build()) {
            offsiteStore.takeDown();
            String first = backupNowId(backups);
            assertThat(repository.snapshots()).extracting(Snapshot::id).containsExactly(first);
            assertThat(backups.latest()).map(Snapshot::id).contains(first);
            assertThat(backups.lastError()).isEmpty();
            assertThat(backups.replicationFailures()).isEqualTo(1);
            assertThat(backups.lastReplicas()).singleElement().satisfies(o -> {
                assertThat(o.ok()).isFalse();
                assertThat(o.error().code()).isEqualTo(ErrorCode.UNAVAILABLE);
            });
            assertThat(backups.lastReplicationError()).hasValueSatisfying(m -> assertThat(m)
                    .startsWith("secondary 0 (repository " + offsite.id() + "): ").contains("injected fault"));

            offsiteStore.bringUp();
            time.advance(Duration.ofMinutes(1));
            String second = backupNowId(backups);
            assertThat(offsite.snapshots()).extracting(Snapshot::id).containsExactly(first, second);
            assertThat(backups.lastReplicationError()).isEmpty();
            assertThat(backups.replicationFailures()).isEqualTo(1);
        }
    }

    @Test
    void aReplicationMadeLaterCopiesFromTheNextBackupOnWithWhatTheSecondaryLacks() {
        try (ScheduledBackups backups = backups().build()) {
            String before = backupNowId(backups);
            assertThat(offsite.snapshots()).isEmpty();
            assertThat(backups.replication()).isEmpty();
            Replication r = Replication.of(repository, offsite);
            backups.replicateTo(r);
            assertThat(backups.replication()).containsSame(r);
            time.advance(Duration.ofMinutes(1));
            String after = backupNowId(backups);
            assertThat(offsite.snapshots()).extracting(Snapshot::id).containsExactly(before, after);
            assertThatThrownBy(() -> backups.replicateTo(r)).isInstanceOfSatisfying(DrException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.ILLEGAL_STATE));
        }
    }

    @Test
    void aReplicationOfAnotherRepositoryIsRefusedNamingReplication() {
        try (Repository other = Repository.init(SnapshotStores.memory(), "pw".toCharArray(), options(time))) {
            Replication ofOther = Replication.of(other, offsite);
            assertThatThrownBy(() -> backups().replication(ofOther)).isInstanceOfSatisfying(DrException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                assertThat(e.input()).isEqualTo("replication");
                assertThat(e.getMessage()).contains(repository.id()).contains(other.id());
            });
            try (ScheduledBackups backups = backups().build()) {
                assertThatThrownBy(() -> backups.replicateTo(ofOther)).isInstanceOfSatisfying(DrException.class,
                        e -> assertThat(e.input()).isEqualTo("replication"));
            }
        }
    }

    @Test
    void aReplicationSetTwiceIsRefused() {
        Replication r = Replication.of(repository, offsite);
        assertThatThrownBy(() -> backups().replication(r).replication(r)).isInstanceOfSatisfying(DrException.class,
                e -> assertThat(e.getMessage()).contains("replication is set twice"));
    }
}
