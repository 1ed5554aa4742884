package dev.drkit.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.backup.BackupKind;
import dev.drkit.core.repository.KdfParams;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.core.store.SnapshotStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link DrBackups}: on demand, on schedule, with retention, and what the health contributor reads. */
class DrBackupsTest {
    @TempDir
    Path dir;

    private Repository repository() {
        return Repository.init(SnapshotStores.memory(), "pw".toCharArray(),
                RepositoryOptions.builder().kdf(new KdfParams(1024, 1, 1)).build());
    }

    private DrProperties.Backup settings() throws Exception {
        Path data = Files.createDirectories(dir.resolve("orders"));
        Files.writeString(data.resolve("a.json"), "{}");
        DrProperties.Backup b = new DrProperties.Backup();
        b.setSources(List.of(data));
        return b;
    }

    @Test
    void aBackupNowBecomesTheLatestAndRetentionForgetsTheOldest() throws Exception {
        DrProperties.Backup settings = settings();
        settings.getRetention().setKeepLast(2);
        try (Repository repo = repository()) {
            DrBackups backups = new DrBackups(repo, settings, java.time.Clock.systemUTC());
            assertThat(backups.latest()).isEmpty();
            for (int i = 0; i < 3; i++) {
                backups.backupNow(BackupKind.INCREMENTAL);
            }
            assertThat(repo.snapshots()).hasSize(2);
            assertThat(backups.latest().orElseThrow().id()).isEqualTo(repo.snapshots().get(1).id());
            assertThat(backups.age()).isLessThan(Duration.ofMinutes(1));
        }
    }

    @Test
    void withoutSourcesABackupIsRefused() {
        try (Repository repo = repository()) {
            DrBackups backups = new DrBackups(repo, new DrProperties.Backup(), java.time.Clock.systemUTC());
            assertThatThrownBy(() -> backups.backupNow(BackupKind.FULL)).hasMessageContaining("dr.backup.sources");
        }
    }

    @Test
    void anIntervalScheduleBacksUpInTheBackground() throws Exception {
        DrProperties.Backup settings = settings();
        settings.getSchedule().setInterval(Duration.ofMillis(50));
        settings.getSchedule().setInitialDelay(Duration.ZERO);
        try (Repository repo = repository()) {
            DrBackups backups = new DrBackups(repo, settings, java.time.Clock.systemUTC());
            backups.start();
            try {
                for (int i = 0; i < 400 && repo.snapshots().size() < 2; i++) {
                    Thread.sleep(10);
                }
            } finally {
                backups.stop();
            }
            assertThat(repo.snapshots()).hasSizeGreaterThanOrEqualTo(2);
            assertThat(repo.snapshots().get(0).tags()).contains("scheduled");
            assertThat(backups.isRunning()).isFalse();
        }
    }
}
