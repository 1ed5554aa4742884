package dev.drkit.core.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.BackupRequest;
import dev.drkit.core.repository.Journal;
import dev.drkit.core.repository.JournalOptions;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RestoreOptions;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.core.store.SnapshotStores;
import dev.drkit.testkit.ManualClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code latest} is the newest snapshot that is not a journal's base: a journal started after a
 * backup made an empty base, and a restore of {@code latest} restored nothing and said it
 * succeeded.
 */
class LatestSnapshotTest {
    final ManualClock clock = ManualClock.at(JournalTest.T0);
    final SnapshotStore store = SnapshotStores.memory();

    @TempDir
    Path tmp;

    Repository repo() {
        return Repository.openOrInit(store, "pw".toCharArray(), JournalTest.options(clock).build());
    }

    @Test
    void latestLeavesOutTheBaseOfAJournalStartedAfterTheNewestBackup() throws IOException {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(data.resolve("a.txt"), "backed up");
        try (Repository repo = repo()) {
            String backup = repo.backup(BackupRequest.of(DirectorySource.of("data", data))).snapshotId();
            clock.advance(Duration.ofMinutes(1));
            RecordFeed feed = RecordFeed.named("outbox", clock);
            try (Journal journal = repo.manualJournal(feed, JournalOptions.DEFAULT)) {
                feed.append("orders/1", "one".getBytes(StandardCharsets.UTF_8));
                journal.flush();
            }
            assertThat(repo.snapshots()).hasSize(2);
            assertThat(repo.snapshot("latest").id()).isEqualTo(backup);
            repo.restore("latest", tmp.resolve("out"), RestoreOptions.all());
            assertThat(tmp.resolve("out/data/a.txt")).hasContent("backed up");
        }
    }

    @Test
    void latestOfARepositoryHoldingOnlyJournalsNamesThemAndTheWayToRestoreThem() {
        try (Repository repo = repo()) {
            RecordFeed feed = RecordFeed.named("outbox", clock);
            try (Journal journal = repo.manualJournal(feed, JournalOptions.DEFAULT)) {
                feed.append("orders/1", "one".getBytes(StandardCharsets.UTF_8));
                journal.flush();
            }
            assertThatThrownBy(() -> repo.restore("latest", tmp.resolve("out"), RestoreOptions.all()))
                    .isInstanceOfSatisfying(DrException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
                        assertThat(e.getMessage()).contains("only the base snapshots of journals (outbox)")
                                .contains("--at latest");
                    });
            assertThat(tmp.resolve("out")).doesNotExist();
            // the base is still there by its id, and the journal by its instant
            String base = repo.snapshots().get(0).id();
            assertThat(repo.snapshot(base.substring(0, 8)).id()).isEqualTo(base);
            repo.restoreLatest("outbox", tmp.resolve("at"), RestoreOptions.all());
            assertThat(tmp.resolve("at/outbox/orders/1")).hasContent("one");
        }
    }
}
