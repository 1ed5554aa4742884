package dev.drkit.core.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.backup.BackupKind;
import dev.drkit.api.backup.BackupStrategy;
import dev.drkit.api.backup.RetentionPolicy;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.BackupResult;
import dev.drkit.core.repository.KdfParams;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.core.repository.Snapshot;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.core.store.SnapshotStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ScheduledBackups} on a manual clock and scheduler: nothing here waits for real time. */
class ScheduledBackupsTest {
    @TempDir
    Path dir;

    private final ManualTime time = new ManualTime();
    private Repository repository;
    private Path data;

    @BeforeEach
    void setUp() throws Exception {
        repository = Repository.init(SnapshotStores.memory(), "pw".toCharArray(),
                RepositoryOptions.builder().kdf(new KdfParams(1024, 1, 1)).clock(time).build());
        data = Files.createDirectories(dir.resolve("orders"));
        Files.writeString(data.resolve("a.json"), "{}");
    }

    private ScheduledBackups.Builder backups() {
        return ScheduledBackups.builder(repository).source(DirectorySource.of("orders", data)).clock(time)
                .scheduler(time.scheduler()).keepEverything();
    }

    @Test
    void backupsRunOnTheScheduleAfterTheInitialDelay() {
        try (ScheduledBackups backups = backups().schedule(BackupSchedule.every(Duration.ofMinutes(15)))
                .initialDelay(Duration.ofMinutes(1)).build()) {
            backups.start();
            time.advance(Duration.ofSeconds(59));
            assertThat(repository.snapshots()).isEmpty();
            time.advance(Duration.ofSeconds(1));
            assertThat(repository.snapshots()).hasSize(1);
            assertThat(repository.snapshots().get(0).tags()).containsExactly(ScheduledBackups.SCHEDULED_TAG);
            time.advance(Duration.ofMinutes(30));
            assertThat(repository.snapshots()).hasSize(3);
            assertThat(backups.nextRun()).contains(time.instant().plus(Duration.ofMinutes(15)));
        }
    }

    @Test
    void theStrategyChoosesFullOrIncrementalForEachScheduledBackup() {
        try (ScheduledBackups backups = backups().schedule(BackupSchedule.every(Duration.ofMinutes(1)))
                .initialDelay(Duration.ZERO).strategy(BackupStrategy.fullEvery(2)).build()) {
            backups.start();
            time.advance(Duration.ofMinutes(4));
            // a snapshot without a parent was a full backup; with one, an incremental against it
            List<Snapshot> all = repository.snapshots();
            assertThat(all).hasSize(5);
            assertThat(all.stream().map(s -> s.parent() == null ? BackupKind.FULL : BackupKind.INCREMENTAL))
                    .containsExactly(BackupKind.FULL, BackupKind.INCREMENTAL, BackupKind.INCREMENTAL, BackupKind.FULL,
                            BackupKind.INCREMENTAL);
            assertThat(all.get(1).parent()).isEqualTo(all.get(0).id());
            assertThat(all.get(2).parent()).isEqualTo(all.get(1).id());
        }
    }

    @Test
    void afterARestartTheFirstBackupIsIncrementalAgainstTheNewestSnapshot() {
        try (ScheduledBackups first = backups().strategy(BackupStrategy.fullEvery(5)).build()) {
            first.backupNow();
            time.advance(Duration.ofMinutes(1));
            first.backupNow();
            time.advance(Duration.ofMinutes(1));
        }
        Snapshot newest = repository.snapshots().get(1);
        try (ScheduledBackups restarted = backups().strategy(BackupStrategy.fullEvery(5)).build()) {
            assertThat(restarted.nextKind()).isEqualTo(BackupKind.INCREMENTAL);
            assertThat(restarted.latest()).contains(newest);
            assertThat(restarted.backupNow().snapshot().parent()).isEqualTo(newest.id());
            time.advance(Duration.ofMinutes(1));
        }
        try (ScheduledBackups restarted = backups().strategy(BackupStrategy.fullEvery(2)).build()) {
            assertThat(restarted.nextKind()).as("two incrementals since the full one").isEqualTo(BackupKind.FULL);
        }
    }

    @Test
    void beforeTheFirstBackupThereIsNoAgeAndTheObjectiveCountsFromStart() {
        try (ScheduledBackups backups = backups().rpo(Duration.ofHours(1)).build()) {
            assertThat(backups.age()).isEmpty();
            assertThat(backups.lastSuccess()).isEmpty();
            time.advance(Duration.ofMinutes(59));
            assertThat(backups.rpoMet()).isTrue();
            time.advance(Duration.ofMinutes(2));
            assertThat(backups.rpoMet()).isFalse();
            backups.backupNow();
            assertThat(backups.rpoMet()).isTrue();
            assertThat(backups.lastSuccess()).contains(time.instant());
            time.advance(Duration.ofMinutes(90));
            assertThat(backups.age()).contains(Duration.ofMinutes(90));
            assertThat(backups.rpoMet()).isFalse();
        }
    }

    @Test
    void aRestartedServiceKnowsTheLastSuccessFromTheRepository() {
        try (ScheduledBackups first = backups().build()) {
            first.backupNow();
        }
        time.advance(Duration.ofMinutes(10));
        try (ScheduledBackups restarted = backups().build()) {
            assertThat(restarted.age()).contains(Duration.ofMinutes(10));
        }
    }

    @Test
    void retentionRunsAfterEachBackupAndTheDefaultKeepsSomething() {
        try (ScheduledBackups backups = backups().retention(RetentionPolicy.builder().keepLast(2).build()).build()) {
            for (int i = 0; i < 4; i++) {
                backups.backupNow();
                time.advance(Duration.ofMinutes(1));
            }
            assertThat(repository.snapshots()).hasSize(2);
        }
        try (ScheduledBackups backups = ScheduledBackups.builder(repository).source(DirectorySource.of("orders", data))
                .clock(time).scheduler(time.scheduler()).build()) {
            for (int i = 0; i < 3; i++) {
                backups.backupNow();
                time.advance(Duration.ofMinutes(1));
            }
            // the default keeps the newest of each hour: the minutes of one hour collapse into one
            assertThat(repository.snapshots()).hasSize(1);
        }
    }

    @Test
    void anOnDemandBackupOutlivesTheRetentionOfTheScheduledBackupsAfterIt() {
        try (ScheduledBackups backups = ScheduledBackups.builder(repository).source(DirectorySource.of("orders", data))
                .clock(time).scheduler(time.scheduler()).schedule(BackupSchedule.every(Duration.ofMinutes(1)))
                .initialDelay(Duration.ofMinutes(1)).build()) {
            backups.start();
            time.advance(Duration.ofMinutes(1));
            Snapshot beforeMigration = backups.backupNow(ScheduledBackups.ON_DEMAND_TAG).snapshot();
            time.advance(Duration.ofMinutes(3));
            // the default keeps the newest of each hour: the scheduled ones of this hour collapse into one
            assertThat(repository.snapshots()).extracting(Snapshot::id).contains(beforeMigration.id()).hasSize(2);
            assertThat(repository.snapshots()).filteredOn(sn -> sn.tags().contains(ScheduledBackups.SCHEDULED_TAG))
                    .hasSize(1);
        }
    }

    @Test
    void aFailedBackupIsRememberedAndTheScheduleGoesOn() throws Exception {
        try (ScheduledBackups backups = backups().schedule(BackupSchedule.every(Duration.ofMinutes(1)))
                .initialDelay(Duration.ZERO).build()) {
            backups.start();
            Files.delete(data.resolve("a.json"));
            Files.delete(data);
            time.advance(Duration.ZERO);
            assertThat(backups.lastError()).hasValueSatisfying(e -> assertThat(e).isNotBlank());
            assertThat(backups.isScheduled()).isTrue();
            Files.createDirectories(data);
            time.advance(Duration.ofMinutes(1));
            assertThat(backups.lastError()).isEmpty();
            assertThat(repository.snapshots()).hasSize(1);
        }
    }

    @Test
    void closeCancelsTheNextBackup() {
        ScheduledBackups backups = backups().schedule(BackupSchedule.every(Duration.ofMinutes(1))).build();
        backups.start();
        assertThat(time.pendingTasks()).isEqualTo(1);
        backups.close();
        time.advance(Duration.ofMinutes(5));
        assertThat(repository.snapshots()).isEmpty();
        assertThat(backups.isScheduled()).isFalse();
        assertThatThrownBy(backups::start).isInstanceOf(DrException.class);
    }

    @Test
    void withoutSourcesABackupIsRefused() {
        try (ScheduledBackups backups = ScheduledBackups.builder(repository).clock(time).scheduler(time.scheduler())
                .build()) {
            assertThatThrownBy(() -> backups.backupNow()).isInstanceOf(DrException.class)
                    .hasMessageContaining("no backup sources");
        }
        assertThatThrownBy(() -> BackupSchedule.every(Duration.ZERO)).hasMessage("interval must be > 0, but was PT0S");
    }

    @Test
    void anEmptiedSourceFailsTheBackupSoThatRetentionKeepsTheGoodSnapshotUnlessAllowed() throws Exception {
        RetentionPolicy keepOne = RetentionPolicy.builder().keepLast(1).build();
        try (ScheduledBackups backups = backups().retention(keepOne).build()) {
            Snapshot good = backups.backupNow(BackupKind.INCREMENTAL).snapshot();
            Files.delete(data.resolve("a.json"));

            assertThatThrownBy(() -> backups.backupNow(BackupKind.INCREMENTAL)).isInstanceOf(DrException.class)
                    .hasMessageStartingWith("Source 'orders' is empty");
            assertThat(backups.lastError()).hasValueSatisfying(e -> assertThat(e).startsWith("Source 'orders' is empty"));
            assertThat(repository.snapshots()).extracting(Snapshot::id).containsExactly(good.id());
        }
        time.advance(Duration.ofMinutes(1));
        try (ScheduledBackups backups = backups().retention(keepOne).allowEmptySources(true).build()) {
            Snapshot empty = backups.backupNow(BackupKind.INCREMENTAL).snapshot();
            assertThat(empty.files()).isZero();
            assertThat(repository.snapshots()).extracting(Snapshot::id).containsExactly(empty.id());
        }
    }

    @Test
    void aBackupThatFoundPacksMissingIsTheLastErrorUntilABackupFindsNone() throws Exception {
        SnapshotStore store = SnapshotStores.memory();
        Repository repo = Repository.init(store, "pw".toCharArray(),
                RepositoryOptions.builder().kdf(new KdfParams(1024, 1, 1)).clock(time).build());
        try (ScheduledBackups backups = ScheduledBackups.builder(repo).source(DirectorySource.of("orders", data))
                .clock(time).scheduler(time.scheduler()).keepEverything().build()) {
            backups.backupNow(BackupKind.INCREMENTAL);
            store.list("data/").map(ObjectInfo::key).toList().forEach(store::delete);

            BackupResult healed = backups.backupNow(BackupKind.INCREMENTAL);
            assertThat(healed.packsMissing()).isNotEmpty();
            assertThat(backups.lastError()).hasValueSatisfying(e -> assertThat(e).startsWith("backup "
                    + healed.snapshot().shortId() + " found " + healed.packsMissing().size()
                    + " pack(s) missing from the repository (data/").endsWith("run 'dr verify' for the snapshots "
                    + "taken before"));
            backups.backupNow(BackupKind.INCREMENTAL);
            assertThat(backups.lastError()).isEmpty();
        } finally {
            repo.close();
        }
    }
}
