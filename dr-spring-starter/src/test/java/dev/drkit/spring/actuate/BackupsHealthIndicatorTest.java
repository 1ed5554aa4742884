package dev.drkit.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.backup.BackupKind;
import dev.drkit.api.backup.EntryMetadata;
import dev.drkit.api.backup.EntryType;
import dev.drkit.api.backup.EntryWriter;
import dev.drkit.api.backup.SnapshotSource;
import dev.drkit.api.backup.SourceView;
import dev.drkit.core.backup.ScheduledBackups;
import dev.drkit.core.repository.BackupResult;
import dev.drkit.core.repository.KdfParams;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.core.store.SnapshotStores;
import dev.drkit.spring.DrBackups;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * A scheduled backup that left out entries it could not read is a backup: the health stays UP
 * with its snapshot, and a detail says how many entries it left out, also after a restart.
 */
class BackupsHealthIndicatorTest {
    private static final Instant T = Instant.parse("2026-12-07T08:00:00Z");

    /** A source of one readable file and, when {@code locked}, a directory it is refused. */
    private static final class Source implements SnapshotSource {
        volatile boolean locked = true;

        @Override
        public String name() {
            return "orders";
        }

        @Override
        public SourceView begin() {
            return new SourceView() {
                @Override
                public void writeTo(EntryWriter out) throws IOException {
                    out.directory("", new EntryMetadata(EntryType.DIRECTORY, 0, T, 0755, 0));
                    byte[] content = "{}".getBytes(StandardCharsets.UTF_8);
                    out.file("a.json", EntryMetadata.file(content.length, T), () -> new ByteArrayInputStream(content));
                    if (locked) {
                        out.unreadable("private", new AccessDeniedException("/srv/orders/private"));
                    }
                }

                @Override
                public void close() {
                }
            };
        }
    }

    @Test
    void aBackupThatLeftOutUnreadableEntriesKeepsTheHealthUpAndCountsThem() {
        Source source = new Source();
        Repository repository = Repository.init(SnapshotStores.memory(), "pw".toCharArray(),
                RepositoryOptions.builder().kdf(new KdfParams(1024, 1, 1)).build());
        try (ScheduledBackups scheduled = ScheduledBackups.builder(repository).source(source).keepEverything()
                .rpo(Duration.ofHours(1)).build()) {
            DrBackups backups = new DrBackups(scheduled, null);
            BackupsHealthIndicator indicator = new BackupsHealthIndicator(backups);

            BackupResult result = backups.backupNow(BackupKind.INCREMENTAL);
            Health health = indicator.health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("lastSnapshot", result.snapshot().shortId())
                    .containsEntry("lastBackupUnreadable", 1L).doesNotContainKey("lastError");

            try (ScheduledBackups restarted = ScheduledBackups.builder(repository).source(source).keepEverything()
                    .rpo(Duration.ofHours(1)).build()) {
                assertThat(new BackupsHealthIndicator(new DrBackups(restarted, null)).health().getDetails())
                        .as("the snapshot records the count, so a restarted application still reports it")
                        .containsEntry("lastBackupUnreadable", 1L);
            }

            source.locked = false;
            backups.backupNow(BackupKind.INCREMENTAL);
            assertThat(indicator.health().getDetails()).doesNotContainKey("lastBackupUnreadable");
        } finally {
            repository.close();
        }
    }

    @Test
    void aFailedBackupTurnsTheHealthDegradedWhileTheObjectiveHoldsAndASuccessfulOneUpAgain() throws Exception {
        Path dir = Files.createTempDirectory("dr-health");
        Path data = Files.createDirectories(dir.resolve("orders"));
        Files.writeString(data.resolve("a.json"), "{}");
        Repository repository = Repository.init(SnapshotStores.memory(), "pw".toCharArray(),
                RepositoryOptions.builder().kdf(new KdfParams(1024, 1, 1)).build());
        try (ScheduledBackups scheduled = ScheduledBackups.builder(repository)
                .source(dev.drkit.core.source.DirectorySource.of("orders", data)).keepEverything()
                .rpo(Duration.ofHours(1)).build()) {
            DrBackups backups = new DrBackups(scheduled, null);
            BackupsHealthIndicator indicator = new BackupsHealthIndicator(backups);
            backups.backupNow(BackupKind.INCREMENTAL);
            assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);

            Files.delete(data.resolve("a.json")); // an emptied source fails the backup
            assertThatThrownBy(() -> backups.backupNow(BackupKind.INCREMENTAL)).isInstanceOf(DrException.class);
            Health failed = indicator.health();
            assertThat(failed.getStatus()).isEqualTo(BackupsHealthIndicator.DEGRADED);
            assertThat(failed.getDetails()).hasEntrySatisfying("lastError",
                    e -> assertThat(e.toString()).startsWith("Source 'orders' is empty"));

            Files.writeString(data.resolve("b.json"), "{}");
            backups.backupNow(BackupKind.INCREMENTAL);
            assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
        } finally {
            repository.close();
        }
    }
}
