package dev.drkit.core.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.journal.Change;
import dev.drkit.api.journal.ChangeKind;
import dev.drkit.api.journal.FeedResume;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.Journal;
import dev.drkit.core.repository.JournalOptions;
import dev.drkit.core.repository.JournalRecord;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RestoreOptions;
import dev.drkit.core.store.SnapshotStores;
import dev.drkit.testkit.ManualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryFeedTest {
    static final Instant T0 = Instant.parse("2026-12-04T10:00:00Z");
    static final Duration STABLE = Duration.ofSeconds(1);
    final ManualClock clock = ManualClock.at(T0);
    final SnapshotStore store = SnapshotStores.memory();

    @TempDir
    Path tmp;

    @AfterEach
    void closeStore() throws Exception {
        store.close();
    }

    Repository repo() {
        return Repository.openOrInit(store, "pw".toCharArray(), JournalTest.options(clock).build());
    }

    DirectoryFeed feed(Path dir) {
        return DirectoryFeed.builder("app", dir).clock(clock).stableFor(STABLE).rescanEvery(STABLE)
                .maxUnstable(Duration.ofSeconds(5)).background(false).build();
    }

    Map<String, String> restoreLatest(Repository repo, String name) throws IOException {
        Path out = tmp.resolve("restore-" + name);
        repo.restore(repo.latestRestorableInstant(), out, RestoreOptions.all());
        return JournalTest.read(out.resolve("app"));
    }

    @Test
    void aFileIsCapturedOnceItStaysUnchangedAndDeletionsAndRenamesFollow() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("watched"));
        Files.writeString(dir.resolve("before.txt"), "there at start");
        try (Repository repo = repo()) {
            DirectoryFeed feed = feed(dir);
            try (Journal journal = repo.manualJournal(feed, JournalOptions.DEFAULT)) {
                feed.check();
                assertThat(journal.status().pending()).as("nothing is captured before it is stable").isZero();
                clock.advance(STABLE);
                feed.check();
                assertThat(journal.status().pending()).isEqualTo(1);
                Files.createDirectories(dir.resolve("sub"));
                Files.writeString(dir.resolve("sub/new.txt"), "new");
                clock.advance(STABLE);
                feed.check();
                clock.advance(STABLE);
                feed.check();
                journal.flush();
                assertThat(restoreLatest(repo, "one")).isEqualTo(Map.of("before.txt", "there at start",
                        "sub/new.txt", "new"));

                Files.move(dir.resolve("sub/new.txt"), dir.resolve("moved.txt"));
                Files.delete(dir.resolve("before.txt"));
                clock.advance(STABLE);
                feed.check();
                clock.advance(STABLE);
                feed.check();
                journal.flush();
                assertThat(restoreLatest(repo, "two")).isEqualTo(Map.of("moved.txt", "new"));
            }
        }
    }

    @Test
    void afterARestartOnlyTheDifferencesAreRecorded() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("watched"));
        for (int i = 0; i < 5; i++) {
            Files.writeString(dir.resolve("f" + i), "content " + i);
        }
        try (Repository repo = repo()) {
            DirectoryFeed first = feed(dir);
            try (Journal journal = repo.manualJournal(first, JournalOptions.DEFAULT)) {
                first.check();
                clock.advance(STABLE);
                first.check();
                assertThat(journal.status().pending()).isEqualTo(5);
            }
            // While nothing watches: one file changed, one added, one deleted.
            Files.writeString(dir.resolve("f1"), "changed while down");
            Files.writeString(dir.resolve("f9"), "added while down");
            Files.delete(dir.resolve("f4"));
            clock.advance(STABLE);
            DirectoryFeed second = feed(dir);
            try (Journal journal = repo.manualJournal(second, JournalOptions.DEFAULT)) {
                second.check();
                clock.advance(STABLE);
                second.check();
                assertThat(journal.status().pending()).as("f1, f9 and the deletion of f4").isEqualTo(3);
                journal.flush();
                assertThat(journal.committedPosition()).isEqualTo(7);
            }
            assertThat(restoreLatest(repo, "r")).isEqualTo(Map.of("f0", "content 0", "f1", "changed while down",
                    "f2", "content 2", "f3", "content 3", "f9", "added while down"));
        }
    }

    @Test
    void aFileRewrittenWhileStoppedWithItsSizeAndTimePutBackIsReadAgainOnRestart() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("watched"));
        FileTime old = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
        Files.writeString(dir.resolve("same.txt"), "BBBB");
        Files.setLastModifiedTime(dir.resolve("same.txt"), old);
        Files.writeString(dir.resolve("other.txt"), "left alone");
        try (Repository repo = repo()) {
            DirectoryFeed first = feed(dir);
            try (Journal journal = repo.manualJournal(first, JournalOptions.DEFAULT)) {
                settle(first);
                journal.flush();
            }
            // While nothing watches: rewritten as cp -p or rsync -t would, same size, same time.
            Files.writeString(dir.resolve("same.txt"), "CCCC");
            Files.setLastModifiedTime(dir.resolve("same.txt"), old);
            clock.advance(STABLE);
            DirectoryFeed second = feed(dir);
            try (Journal journal = repo.manualJournal(second, JournalOptions.DEFAULT)) {
                settle(second);
                assertThat(journal.status().pending()).as("same.txt alone: other.txt is as the journal has it")
                        .isEqualTo(1);
                journal.flush();
            }
            assertThat(restoreLatest(repo, "r")).isEqualTo(Map.of("same.txt", "CCCC", "other.txt", "left alone"));
        }
    }

    @Test
    void aFileThatNeverStabilisesIsCapturedAfterTheLimitAndNamed() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("watched"));
        Path log = dir.resolve("busy.log");
        try (Repository repo = repo()) {
            DirectoryFeed feed = feed(dir);
            try (Journal journal = repo.manualJournal(feed, JournalOptions.DEFAULT)) {
                // Written again before every check: never unchanged for a whole second.
                int writes = 0;
                while (journal.status().pending() == 0 && writes < 20) {
                    writes++;
                    Files.writeString(log, "line\n".repeat(writes));
                    clock.advance(Duration.ofMillis(900));
                    feed.check();
                }
                assertThat(journal.status().pending()).isEqualTo(1);
                assertThat(Duration.between(T0, clock.instant())).as("captured only after the limit")
                        .isGreaterThanOrEqualTo(Duration.ofSeconds(5));
                assertThat(feed.problems()).containsKey(log.toAbsolutePath().toString());
                assertThat(feed.problems().get(log.toAbsolutePath().toString())).contains("did not stabilise");
                journal.flush();
                assertThat(restoreLatest(repo, "busy")).containsEntry("busy.log", "line\n".repeat(writes));
            }
        }
    }

    @Test
    void aMissingWatchedDirectoryIsRefusedNamingIt() {
        Path missing = tmp.resolve("no-such-dir");
        try (Repository repo = repo()) {
            assertThatThrownBy(() -> repo.manualJournal(feed(missing), JournalOptions.DEFAULT))
                    .isInstanceOfSatisfying(DrException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
                        assertThat(e.input()).isEqualTo(missing.toAbsolutePath().toString());
                    });
        }
    }

    @Test
    void aWatchedDirectoryDeletedWhileWatchedRecordsNoDeletionsAndIsNamed() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("watched"));
        Files.writeString(dir.resolve("keep.txt"), "keep me");
        try (Repository repo = repo()) {
            DirectoryFeed feed = feed(dir);
            try (Journal journal = repo.manualJournal(feed, JournalOptions.DEFAULT)) {
                feed.check();
                clock.advance(STABLE);
                feed.check();
                assertThat(journal.flush()).isEqualTo(1);
                try (Stream<Path> walk = Files.walk(dir)) {
                    walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
                clock.advance(STABLE);
                feed.check();
                assertThat(journal.status().pending()).isZero();
                assertThat(feed.problems()).containsEntry(dir.toAbsolutePath().toString(),
                        "watched directory is gone");
                journal.flush();
                assertThat(restoreLatest(repo, "gone")).isEqualTo(Map.of("keep.txt", "keep me"));
            }
        }
    }

    @Test
    void anUnreadableFileIsNamedAndRetried() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("watched"));
        Path secret = dir.resolve("secret.txt");
        Files.writeString(secret, "s");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(secret), "permissions are not enforced for this user (root)");
        try (Repository repo = repo()) {
            DirectoryFeed feed = feed(dir);
            try (Journal journal = repo.manualJournal(feed, JournalOptions.DEFAULT)) {
                clock.advance(STABLE);
                feed.check();
                clock.advance(STABLE);
                feed.check();
                assertThat(feed.problems().get(secret.toAbsolutePath().toString())).contains("cannot be read");
                Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
                clock.advance(STABLE);
                feed.check();
                clock.advance(STABLE);
                feed.check();
                assertThat(journal.status().pending()).isEqualTo(1);
                assertThat(feed.problems()).doesNotContainKey(secret.toAbsolutePath().toString());
            }
        }
    }
    /** Checks after each of a few stability periods, so that a rescan finds what changed and it settles. */
    void settle(DirectoryFeed feed) {
        for (int i = 0; i < 3; i++) {
            clock.advance(STABLE);
            feed.check();
        }
    }

    @Test
    void aFileReplacedByADirectoryOfItsNameAndBackIsRecordedAsADeletionAndACreationAndEachInstantRestores()
            throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("watched"));
        Path d = dir.resolve("d");
        Files.writeString(d, "file");
        List<Instant> flushed = new ArrayList<>();
        try (Repository repo = repo()) {
            DirectoryFeed feed = feed(dir);
            try (Journal journal = repo.manualJournal(feed, JournalOptions.DEFAULT)) {
                settle(feed);
                journal.flush();
                flushed.add(clock.instant());

                Files.delete(d);
                Files.createDirectory(d);
                Files.writeString(d.resolve("x"), "child");
                settle(feed);
                assertThat(journal.status().pending()).as("the deletion of file d, the creation of d/x")
                        .isEqualTo(2);
                journal.flush();
                flushed.add(clock.instant());

                Files.delete(d.resolve("x"));
                Files.delete(d);
                Files.writeString(d, "file again");
                settle(feed);
                assertThat(journal.status().pending()).as("the deletion of d/x, the creation of file d")
                        .isEqualTo(2);
                assertThat(feed.problems()).as("d/x is gone, not unreadable").isEmpty();
                journal.flush();
                flushed.add(clock.instant());

                // A directory again, its file as it was two flushes ago.
                Files.delete(d);
                Files.createDirectory(d);
                Files.writeString(d.resolve("x"), "child");
                settle(feed);
                assertThat(journal.status().pending()).as("the deletion of file d, the creation of d/x")
                        .isEqualTo(2);
                journal.flush();
                flushed.add(clock.instant());
            }
            List<Map<String, String>> expected = List.of(Map.of("d", "file"), Map.of("d/x", "child"),
                    Map.of("d", "file again"), Map.of("d/x", "child"));
            for (int i = 0; i < expected.size(); i++) {
                Path out = tmp.resolve("restore-" + i);
                repo.restore(flushed.get(i), out, RestoreOptions.all());
                assertThat(JournalTest.read(out.resolve("app"))).as("restored at %s", flushed.get(i))
                        .isEqualTo(expected.get(i));
                assertThat(repo.journalAt("app", flushed.get(i)).records()).extracting(JournalRecord::path)
                        .containsExactlyElementsOf(expected.get(i).keySet());
            }
        }
    }

    @Test
    void aPutComesAfterTheDeletionOfTheFilesItReplacesEvenWhenBothAreSeenInOnePass() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("watched"));
        Path d = Files.createDirectory(dir.resolve("d"));
        Files.writeString(d.resolve("x"), "child");
        Files.writeString(d.resolve("y"), "other child");
        List<Change> changes = new ArrayList<>();
        // Captured as soon as seen: the new file d is examined, and put, before the files below it.
        DirectoryFeed feed = DirectoryFeed.builder("app", dir).clock(clock).stableFor(Duration.ZERO)
                .rescanEvery(STABLE).background(false).build();
        try {
            feed.start(FeedResume.empty(), changes::add);
            settle(feed);
            assertThat(changes).extracting(Change::path).containsExactly("d/x", "d/y");
            changes.clear();

            Files.delete(d.resolve("x"));
            Files.delete(d.resolve("y"));
            Files.delete(d);
            Files.writeString(d, "file");
            settle(feed);
            assertThat(changes).extracting(Change::kind, Change::path).containsExactly(
                    tuple(ChangeKind.DELETE, "d/x"),
                    tuple(ChangeKind.DELETE, "d/y"),
                    tuple(ChangeKind.PUT, "d"));
            assertThat(changes).extracting(Change::position).containsExactly(2L, 3L, 4L);
            assertThat(feed.problems()).isEmpty();
        } finally {
            feed.close();
        }
    }
}
