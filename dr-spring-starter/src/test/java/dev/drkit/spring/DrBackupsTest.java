package dev.drkit.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.backup.BackupKind;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.backup.ScheduledBackups;
import dev.drkit.core.repository.BackupRequest;
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
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * {@link DrBackups} as the starter wires the core's {@link ScheduledBackups}: full or incremental
 * by {@code full-every}, across restarts, with retention, and what the health contributor reads.
 * The schedule itself is tested in the core on a manual clock; here backups run on demand.
 */
class DrBackupsTest {
    @TempDir
    Path dir;

    private final SnapshotStore store = SnapshotStores.memory();
    private ApplicationContextRunner runner;

    @BeforeEach
    void setUp() throws Exception {
        Path data = Files.createDirectories(dir.resolve("orders"));
        Files.writeString(data.resolve("a.json"), "{}");
        Repository.init(store, "pw".toCharArray(), RepositoryOptions.builder().kdf(new KdfParams(1024, 1, 1)).build())
                .close();
        runner = new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(DrAutoConfiguration.class))
                .withBean(SnapshotStore.class, () -> store)
                .withPropertyValues("dr.repository.uri=mem:backups-test", "dr.repository.password=pw",
                        "dr.backup.sources=" + data, "dr.backup.schedule.interval=1h",
                        "dr.backup.schedule.initial-delay=1h");
    }

    private static List<BackupKind> kinds(List<Snapshot> snapshots) {
        // a snapshot without a parent read everything: a full backup
        return snapshots.stream().map(s -> s.parent() == null ? BackupKind.FULL : BackupKind.INCREMENTAL).toList();
    }

    @Test
    void everyFullEveryThBackupIsFullAndTheOthersIncremental() {
        runner.withPropertyValues("dr.backup.schedule.full-every=3", "dr.backup.retention.keep-last=100").run(ctx -> {
            ScheduledBackups backups = ctx.getBean(DrBackups.class).backups();
            for (int i = 0; i < 7; i++) {
                backups.backupNow(ScheduledBackups.SCHEDULED_TAG);
            }
            assertThat(kinds(backups.repository().snapshots())).containsExactly(BackupKind.FULL,
                    BackupKind.INCREMENTAL, BackupKind.INCREMENTAL, BackupKind.FULL, BackupKind.INCREMENTAL,
                    BackupKind.INCREMENTAL, BackupKind.FULL);
        });
    }

    @Test
    void theFirstBackupAfterARestartIsIncrementalAgainstTheNewestSnapshot() {
        String[] props = {"dr.backup.schedule.full-every=24", "dr.backup.retention.keep-last=100"};
        runner.withPropertyValues(props).run(ctx -> ctx.getBean(DrBackups.class).backups().backupNow());
        runner.withPropertyValues(props).run(ctx -> {
            ScheduledBackups restarted = ctx.getBean(DrBackups.class).backups();
            Snapshot before = restarted.latest().orElseThrow();
            assertThat(restarted.nextKind()).isEqualTo(BackupKind.INCREMENTAL);
            assertThat(restarted.backupNow().snapshot().parent()).isEqualTo(before.id());
        });
    }

    @Test
    void beforeTheFirstBackupThereIsNoAgeButTheObjectiveHolds() {
        runner.withPropertyValues("dr.backup.rpo=1h").run(ctx -> {
            DrBackups backups = ctx.getBean(DrBackups.class);
            assertThat(backups.latest()).isEmpty();
            assertThat(backups.age()).isEmpty();
            assertThat(backups.rpoMet()).isTrue();
            backups.backupNow(BackupKind.INCREMENTAL);
            assertThat(backups.age()).hasValueSatisfying(age -> assertThat(age).isLessThan(Duration.ofMinutes(1)));
            assertThat(backups.lastSuccess()).isEqualTo(backups.latest().map(Snapshot::time));
        });
    }

    @Test
    void configuredRetentionForgetsTheOldestAfterEachBackup() {
        runner.withPropertyValues("dr.backup.retention.keep-last=2").run(ctx -> {
            DrBackups backups = ctx.getBean(DrBackups.class);
            for (int i = 0; i < 3; i++) {
                backups.backupNow(BackupKind.INCREMENTAL);
            }
            List<Snapshot> left = backups.repository().snapshots();
            assertThat(left).hasSize(2);
            assertThat(backups.latest().orElseThrow().id()).isEqualTo(left.get(1).id());
        });
    }

    @Test
    void retentionLeavesOtherSourcesAndHostsAloneUnlessGroupByIsNone() throws Exception {
        Path other = Files.createDirectories(dir.resolve("pgdata"));
        Files.writeString(other.resolve("PG_VERSION"), "15");
        try (Repository repository = Repository.open(store, "pw".toCharArray())) {
            repository.backup(BackupRequest.builder().source(DirectorySource.of(other)).build());
            repository.backup(BackupRequest.builder().host("orders-2").source(DirectorySource.of(
                    dir.resolve("orders"))).build());
        }
        runner.withPropertyValues("dr.backup.retention.keep-last=1").run(ctx -> {
            DrBackups backups = ctx.getBean(DrBackups.class);
            for (int i = 0; i < 3; i++) {
                backups.backupNow(BackupKind.INCREMENTAL);
            }
            assertThat(backups.repository().snapshots()).extracting(s -> s.host() + ":" + s.sources().get(0))
                    .hasSize(3).contains("orders-2:orders").anyMatch(s -> s.endsWith(":pgdata"));
        });
        runner.withPropertyValues("dr.backup.retention.keep-last=1", "dr.backup.retention.group-by=none").run(ctx -> {
            DrBackups backups = ctx.getBean(DrBackups.class);
            backups.backupNow(BackupKind.INCREMENTAL);
            assertThat(backups.repository().snapshots()).extracting(Snapshot::id)
                    .containsExactly(backups.latest().orElseThrow().id());
        });
        runner.withPropertyValues("dr.backup.retention.group-by=host,pod").run(ctx -> {
            Throwable t = ctx.getStartupFailure();
            while (t != null && !(t instanceof DrException)) {
                t = t.getCause();
            }
            assertThat(t).isInstanceOf(DrException.class).hasMessageStartingWith("dr.backup.retention.group-by ")
                    .hasMessageContaining("host,pod");
        });
    }

    @Test
    void aBackupTaggedOnDemandIsNotForgottenByTheRetentionOfTheScheduledBackupsAfterIt() {
        runner.withPropertyValues("dr.backup.retention.keep-last=1").run(ctx -> {
            DrBackups backups = ctx.getBean(DrBackups.class);
            Snapshot beforeMigration = backups.backupNow(BackupKind.INCREMENTAL, "operator",
                    ScheduledBackups.ON_DEMAND_TAG).snapshot();
            for (int i = 0; i < 3; i++) {
                backups.backups().backupNow(ScheduledBackups.SCHEDULED_TAG);
            }
            assertThat(backups.repository().snapshots()).extracting(Snapshot::id).hasSize(2)
                    .contains(beforeMigration.id(), backups.latest().orElseThrow().id());
        });
    }

    @Test
    void withoutRetentionPropertiesTheDocumentedDefaultApplies() {
        runner.run(ctx -> assertThat(ctx.getBean(DrSettings.class).retention())
                .isEqualTo(ScheduledBackups.DEFAULT_RETENTION));
    }

    @Test
    void withoutSourcesABackupIsRefused() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(DrAutoConfiguration.class))
                .withBean(SnapshotStore.class, () -> store).withPropertyValues("dr.repository.password=pw")
                .run(ctx -> assertThatThrownBy(() -> ctx.getBean(DrBackups.class).backupNow(BackupKind.FULL))
                        .hasMessageContaining("no backup sources"));
    }

    @Test
    void theContextStartsAndStopsTheSchedule() {
        runner.run(ctx -> {
            DrBackups backups = ctx.getBean(DrBackups.class);
            assertThat(backups.isRunning()).isTrue();
            assertThat(backups.backups().isScheduled()).isTrue();
            ctx.close();
            assertThat(backups.isRunning()).isFalse();
            assertThat(backups.backups().isScheduled()).isFalse();
        });
    }

    @Test
    void anEmptiedSourceFailsTheBackupUnlessDrBackupAllowEmptySources() throws Exception {
        runner.run(ctx -> ctx.getBean(DrBackups.class).backups().backupNow());
        Files.delete(dir.resolve("orders/a.json"));
        runner.run(ctx -> {
            ScheduledBackups backups = ctx.getBean(DrBackups.class).backups();
            assertThatThrownBy(backups::backupNow).isInstanceOf(DrException.class)
                    .hasMessageStartingWith("Source 'orders' is empty").hasMessageContaining(
                            "dr.backup.allow-empty-sources=true");
            assertThat(backups.repository().snapshots()).hasSize(1);
        });
        runner.withPropertyValues("dr.backup.allow-empty-sources=true").run(ctx -> {
            ScheduledBackups backups = ctx.getBean(DrBackups.class).backups();
            assertThat(backups.backupNow().snapshot().files()).isZero();
        });
    }
}
