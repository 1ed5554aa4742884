package dev.drkit.core.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.journal.Change;
import dev.drkit.api.journal.ChangeFeed;
import dev.drkit.api.journal.ChangeSink;
import dev.drkit.api.journal.FeedResume;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.Coverage;
import dev.drkit.core.repository.Journal;
import dev.drkit.core.repository.JournalOptions;
import dev.drkit.core.repository.JournalRecord;
import dev.drkit.core.repository.JournalView;
import dev.drkit.core.repository.KdfParams;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.core.repository.RestoreOptions;
import dev.drkit.core.store.SnapshotStores;
import dev.drkit.testkit.ManualClock;
import dev.drkit.testkit.store.FaultInjectingStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {
    static final Instant T0 = Instant.parse("2026-12-04T10:00:00Z");
    final ManualClock clock = ManualClock.at(T0);
    final SnapshotStore store = SnapshotStores.memory();

    @TempDir
    Path tmp;

    @AfterEach
    void closeStore() throws Exception {
        store.close();
    }

    static RepositoryOptions.Builder options(ManualClock clock) {
        return RepositoryOptions.builder().kdf(new KdfParams(256, 1, 1)).chunkSizes(4096, 16384, 65536)
                .packSize(256 * 1024).threads(2).host("test-host").clock(clock);
    }

    Repository repo() {
        return Repository.openOrInit(store, "pw".toCharArray(), options(clock).build());
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Map<String, String> read(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        if (!Files.exists(dir)) {
            return out;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (Files.isRegularFile(p)) {
                    out.put(dir.relativize(p).toString().replace('\\', '/'), Files.readString(p));
                }
            }
        }
        return out;
    }

    long segments() {
        return store.list("journal/").count();
    }

    @Test
    void aViewReadsTheRecordsInPlaceAsTheyWereAtAnInstantAcrossACompaction() {
        try (Repository repo = repo()) {
            assertThat(repo.journalAt("outbox")).isEmpty();
            RecordFeed feed = RecordFeed.named("outbox", clock);
            try (Journal journal = repo.manualJournal(feed, JournalOptions.DEFAULT)) {
                clock.advance(Duration.ofSeconds(1));
                feed.append("orders/1", bytes("one"));
                feed.append("orders/2", bytes("two"));
                journal.flush();
                clock.advance(Duration.ofSeconds(10));
                journal.compact();
                clock.advance(Duration.ofSeconds(1));
                feed.append("orders/1", bytes("one v2"));
                feed.delete("orders/2");
                journal.flush();
            }
            JournalView before = repo.journalAt("outbox", T0.plusSeconds(5));
            assertThat(before.records()).extracting(JournalRecord::path).containsExactly("orders/1", "orders/2");
            assertThat(before.records().get(1).size()).isEqualTo(3);
            assertThat(before.records().get(1).modified()).isEqualTo(T0.plusSeconds(1));
            assertThat(before.read("orders/1")).asString(StandardCharsets.UTF_8).isEqualTo("one");

            JournalView latest = repo.journalAt("outbox").orElseThrow();
            assertThat(latest.at()).isEqualTo(T0.plusSeconds(12));
            assertThat(latest.records()).extracting(JournalRecord::path).containsExactly("orders/1");
            assertThat(latest.read("orders/1")).asString(StandardCharsets.UTF_8).isEqualTo("one v2");
            assertThatThrownBy(() -> latest.read("orders/2")).isInstanceOf(DrException.class)
                    .hasMessageContaining("held no record 'orders/2'");
            assertThatThrownBy(() -> repo.journalAt("inbox", T0)).isInstanceOf(DrException.class)
                    .hasMessage("No journal of source 'inbox'; journaled sources: [outbox]");
            assertThatThrownBy(() -> repo.journalAt("outbox", T0.plusSeconds(60)))
                    .hasMessageContaining("is after the last journal segment of 'outbox'");
        }
    }

    @Test
    void aPrivateSourceIsLeftOutOfRestoresOfEverySourceAndRestoredWhenNamed() throws IOException {
        try (Repository repo = repo()) {
            RecordFeed outbox = RecordFeed.named("outbox", clock);
            RecordFeed own = RecordFeed.named(Journal.PRIVATE_SOURCE_PREFIX + "wal", clock);
            try (Journal b = repo.manualJournal(own, JournalOptions.DEFAULT)) {
                try (Journal a = repo.manualJournal(outbox, JournalOptions.DEFAULT)) {
                    clock.advance(Duration.ofSeconds(1));
                    outbox.append("orders/1", bytes("one"));
                    a.flush();
                } // stopped at its last change: no heartbeat carries 'outbox' further
                clock.advance(Duration.ofSeconds(5));
                own.append("chunk", bytes("wal"));
                b.flush();
            }
            assertThat(repo.latestRestorableInstant()).isEqualTo(T0.plusSeconds(1));
            repo.restore(T0.plusSeconds(1), tmp.resolve("all"), RestoreOptions.all());
            assertThat(read(tmp.resolve("all"))).isEqualTo(Map.of("outbox/orders/1", "one"));
            repo.restore("_wal", T0.plusSeconds(6), tmp.resolve("named"), RestoreOptions.all());
            assertThat(read(tmp.resolve("named"))).isEqualTo(Map.of("_wal/chunk", "wal"));
        }
    }

    @Test
    void recordsRestoreAsTheyWereAtEachInstant() throws IOException {
        try (Repository repo = repo()) {
            RecordFeed feed = RecordFeed.named("outbox", clock);
            try (Journal journal = repo.manualJournal(feed, JournalOptions.DEFAULT)) {
                clock.advance(Duration.ofSeconds(1));
                feed.append("orders/1", bytes("one"));
                feed.append("orders/2", bytes("two"));
                assertThat(journal.flush()).isEqualTo(1);
                clock.advance(Duration.ofSeconds(10));
                feed.append("orders/1", bytes("one v2"));
                feed.delete("orders/2");
                feed.rename("orders", "archive");
                journal.flush();
                assertThat(journal.committedPosition()).isEqualTo(4);
            }
            repo.restore(T0.plusSeconds(5), tmp.resolve("a"), RestoreOptions.all());
            assertThat(read(tmp.resolve("a/outbox"))).isEqualTo(Map.of("orders/1", "one", "orders/2", "two"));
            repo.restore(T0.plusSeconds(11), tmp.resolve("b"), RestoreOptions.all());
            assertThat(read(tmp.resolve("b/outbox"))).isEqualTo(Map.of("archive/1", "one v2"));
            repo.restore(T0, tmp.resolve("c"), RestoreOptions.all());
            assertThat(read(tmp.resolve("c/outbox"))).isEmpty();
            List<Coverage> coverage = repo.coverage();
            assertThat(coverage).hasSize(1);
            assertThat(coverage.get(0).from()).isEqualTo(T0);
            assertThat(coverage.get(0).to()).isEqualTo(T0.plusSeconds(11));
            assertThat(coverage.get(0).segments()).isEqualTo(2);
            // from snapshots listed before: the same ranges, and none for a list without the base
            assertThat(repo.coverage(repo.snapshots())).isEqualTo(coverage);
            assertThat(repo.coverage(List.of())).isEmpty();
        }
    }

    @Test
    void sourcesJournaledSideBySideRestoreEachAtItsNewest() throws IOException {
        try (Repository repo = repo()) {
            RecordFeed one = RecordFeed.named("one", clock);
            RecordFeed two = RecordFeed.named("two", clock);
            try (Journal second = repo.manualJournal(two, JournalOptions.DEFAULT)) {
                try (Journal first = repo.manualJournal(one, JournalOptions.DEFAULT)) {
                    clock.advance(Duration.ofSeconds(1));
                    one.append("a", bytes("one's last"));
                    first.flush();
                } // stopped at its last change: no heartbeat carries 'one' further
                clock.advance(Duration.ofSeconds(10));
                two.append("b", bytes("two's last"));
                second.flush();
            }
            Instant newest = repo.latestRestorableInstant();
            assertThatThrownBy(() -> repo.restore(newest, tmp.resolve("one-instant"), RestoreOptions.all()))
                    .as("no single instant is covered by both").isInstanceOf(DrException.class)
                    .hasMessageContaining("after the last journal segment of 'one'");

            repo.restoreLatest(null, tmp.resolve("all"), RestoreOptions.all());
            assertThat(read(tmp.resolve("all/one"))).isEqualTo(Map.of("a", "one's last"));
            assertThat(read(tmp.resolve("all/two"))).isEqualTo(Map.of("b", "two's last"));
            repo.restoreLatest("one", tmp.resolve("only"), RestoreOptions.all());
            assertThat(read(tmp.resolve("only/one"))).isEqualTo(Map.of("a", "one's last"));
            assertThat(tmp.resolve("only/two")).doesNotExist();
        }
    }

    @Test
    void nothingIsFlushedWhenNothingChangedAndACleanCloseWritesOneHeartbeat() {
        try (Repository repo = repo()) {
            RecordFeed feed = RecordFeed.named("idle", clock);
            try (Journal journal = repo.manualJournal(feed, JournalOptions.DEFAULT)) {
                long objects = store.list("").count();
                assertThat(journal.flush()).isZero();
                clock.advance(Duration.ofHours(2));
                assertThat(journal.flush()).isZero();
                assertThat(store.list("").count()).isEqualTo(objects);
                assertThat(journal.lag()).isEqualTo(Duration.ZERO);
            }
            assertThat(segments()).as("the heartbeat at close, ending two hours after the base").isOne();
            assertThat(repo.coverage().get(0).to()).isEqualTo(T0.plus(Duration.ofHours(2)));
        }
    }

    @Test
    void aFeedNameNoRestoreWouldAcceptIsRefusedBeforeAnythingIsWritten() {
        try (Repository repo = repo()) {
            long objects = store.list("").count();
            for (String name : List.of("..", ".", "a/b")) {
                assertThatThrownBy(() -> repo.manualJournal(RecordFeed.named(name, clock), JournalOptions.DEFAULT))
                        .as(name).isInstanceOfSatisfying(DrException.class, e -> {
                            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                            assertThat(e.getMessage()).startsWith("name ").contains(name);
                        });
            }
            assertThat(store.list("").count()).isEqualTo(objects);
        }
    }

    @Test
    void lagIsTheAgeOfTheOldestChangeNotYetDurable() {
        try (Repository repo = repo()) {
            RecordFeed feed = RecordFeed.named("lag", clock);
            try (Journal journal = repo.manualJournal(feed, JournalOptions.DEFAULT)) {
                feed.append("a", bytes("1"));
                clock.advance(Duration.ofMillis(700));
                feed.append("b", bytes("2"));
                clock.advance(Duration.ofMillis(800));
                assertThat(journal.lag()).isEqualTo(Duration.ofMillis(1500));
                assertThat(journal.status().pending()).isEqualTo(2);
                journal.flush();
                assertThat(journal.lag()).isZero();
            }
        }
    }

    @Test
    void aReopenedJournalResumesFromItsCommittedPositionAndIgnoresReplayedChanges() throws IOException {
        try (Repository repo = repo()) {
            RecordFeed first = RecordFeed.named("log", clock);
            try (Journal journal = repo.manualJournal(first, JournalOptions.DEFAULT)) {
                first.append("x", bytes("1"));
                first.append("y", bytes("2"));
            }
            ReplayingFeed replay = new ReplayingFeed("log");
            try (Journal journal = repo.manualJournal(replay, JournalOptions.DEFAULT)) {
                assertThat(replay.resumedAt).isEqualTo(1);
                assertThat(replay.known).containsOnlyKeys("x", "y");
                clock.advance(Duration.ofSeconds(1));
                // A feed that replays from an older position: positions 0 and 1 are taken already.
                replay.sink.accept(Change.put(0, "x", bytes("replayed"), T0));
                replay.sink.accept(Change.put(1, "y", bytes("replayed"), T0));
                replay.sink.accept(Change.put(2, "z", bytes("3"), T0));
                journal.flush();
                assertThat(journal.committedPosition()).isEqualTo(2);
            }
            repo.restore(repo.latestRestorableInstant(), tmp.resolve("r"), RestoreOptions.all());
            assertThat(read(tmp.resolve("r/log"))).isEqualTo(Map.of("x", "1", "y", "2", "z", "3"));
        }
    }

    @Test
    void compactionStartsANewChainAndEveryInstantStaysRestorable() throws IOException {
        try (Repository repo = repo()) {
            RecordFeed feed = RecordFeed.named("state", clock);
            String firstBase;
            try (Journal journal = repo.manualJournal(feed, JournalOptions.DEFAULT)) {
                firstBase = journal.status().baseSnapshotId();
                clock.advance(Duration.ofSeconds(1));
                feed.append("a", bytes("a1"));
                feed.append("b", bytes("b1"));
                journal.flush();
                clock.advance(Duration.ofSeconds(1));
                String second = journal.compact();
                assertThat(second).isNotEqualTo(firstBase);
                assertThat(repo.snapshot(second).time()).isEqualTo(T0.plusSeconds(1));
                clock.advance(Duration.ofSeconds(1));
                feed.append("a", bytes("a2"));
                journal.flush();
                assertThat(journal.status().segments()).isEqualTo(1);
            }
            // The state survives a reopen after compaction: the position comes from the base snapshot.
            RecordFeed again = RecordFeed.named("state", clock);
            try (Journal journal = repo.manualJournal(again, JournalOptions.DEFAULT)) {
                assertThat(journal.committedPosition()).isEqualTo(2);
            }
            repo.restore(T0.plusSeconds(1), tmp.resolve("one"), RestoreOptions.all());
            assertThat(read(tmp.resolve("one/state"))).isEqualTo(Map.of("a", "a1", "b", "b1"));
            repo.restore(T0.plusSeconds(3), tmp.resolve("three"), RestoreOptions.all());
            assertThat(read(tmp.resolve("three/state"))).isEqualTo(Map.of("a", "a2", "b", "b1"));
            // The compacted snapshot is an ordinary snapshot too.
            repo.restore(repo.coverage().get(1).snapshotId(), tmp.resolve("snap"), RestoreOptions.all());
            assertThat(read(tmp.resolve("snap/state"))).isEqualTo(Map.of("a", "a1", "b", "b1"));
        }
    }

    @Test
    void restoreInstantsOutsideTheCoveredRangeAreRefusedNamingTheInstant() {
        try (Repository repo = repo()) {
            RecordFeed feed = RecordFeed.named("edge", clock);
            try (Journal journal = repo.manualJournal(feed, JournalOptions.DEFAULT)) {
                clock.advance(Duration.ofSeconds(5));
                feed.append("k", bytes("v"));
                journal.flush();
            }
            Instant before = T0.minusSeconds(1);
            assertThatThrownBy(() -> repo.restore(before, tmp.resolve("x"), RestoreOptions.all()))
                    .isInstanceOfSatisfying(DrException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                        assertThat(e.input()).isEqualTo(before.toString());
                        assertThat(e.getMessage()).contains("before the first snapshot of 'edge'");
                    });
            Instant after = T0.plusSeconds(6);
            assertThatThrownBy(() -> repo.restore(after, tmp.resolve("y"), RestoreOptions.all()))
                    .isInstanceOfSatisfying(DrException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                        assertThat(e.input()).isEqualTo(after.toString());
                        assertThat(e.getMessage()).contains("after the last journal segment of 'edge'")
                                .contains(T0.plusSeconds(5).toString());
                    });
            assertThat(tmp.resolve("x")).doesNotExist();
            assertThat(tmp.resolve("y")).doesNotExist();
        }
    }

    @Test
    void aClockThatJumpsBackKeepsTheJournalInOrder() throws IOException {
        SettableClock clock = new SettableClock(T0);
        try (Repository repo = Repository.init(store, "pw".toCharArray(), options(ManualClock.at(T0)).clock(clock)
                .build())) {
            RecordFeed feed = RecordFeed.named("jumpy", clock);
            try (Journal journal = repo.manualJournal(feed, JournalOptions.DEFAULT)) {
                clock.set(T0.plusSeconds(10));
                feed.append("a", bytes("1"));
                clock.set(T0.plusSeconds(2)); // the clock goes back eight seconds
                feed.append("a", bytes("2"));
                journal.flush();
                clock.set(T0.plusSeconds(20));
                feed.append("b", bytes("3"));
                journal.flush();
            }
            // The second write is recorded at the first's time, not before it.
            repo.restore(T0.plusSeconds(5), tmp.resolve("early"), RestoreOptions.all());
            assertThat(read(tmp.resolve("early/jumpy"))).isEmpty();
            repo.restore(T0.plusSeconds(10), tmp.resolve("ten"), RestoreOptions.all());
            assertThat(read(tmp.resolve("ten/jumpy"))).isEqualTo(Map.of("a", "2"));
            repo.restore(T0.plusSeconds(20), tmp.resolve("end"), RestoreOptions.all());
            assertThat(read(tmp.resolve("end/jumpy"))).isEqualTo(Map.of("a", "2", "b", "3"));
        }
    }

    @Test
    void contentIsSealedAndRepeatedContentIsStoredOnce() {
        try (Repository repo = repo()) {
            // Names long enough that 200 kB of ciphertext cannot contain them by chance (a
            // three-letter key turns up in about one run in a hundred).
            RecordFeed feed = RecordFeed.named("dedup-feed-name", clock);
            byte[] big = new byte[200_000];
            new Random(7).nextBytes(big);
            try (Journal journal = repo.manualJournal(feed, JournalOptions.DEFAULT)) {
                feed.append("record-key-one", big.clone());
                journal.flush();
                long first = journal.status().chainBytes();
                feed.append("two", big.clone());
                journal.flush();
                long second = journal.status().chainBytes() - first;
                assertThat(first).isGreaterThan(big.length);
                assertThat(second).as("a segment that repeats content stores references only").isLessThan(2000);
            }
            byte[] stored = store.get(store.list("journal/").findFirst().orElseThrow().key());
            // Checked as a boolean: a failure must not print 200 kB of ciphertext into the log.
            String latin1 = new String(stored, StandardCharsets.ISO_8859_1);
            assertThat(latin1.contains("dedup-feed-name")).as("the stored segment names the feed").isFalse();
            assertThat(latin1.contains("record-key-one")).as("the stored segment names the record key").isFalse();
        }
    }

    @Test
    void recordKeysThatLeaveTheTargetAreRefused() {
        try (Repository repo = repo()) {
            RecordFeed feed = RecordFeed.named("keys", clock);
            try (Journal journal = repo.manualJournal(feed, JournalOptions.DEFAULT)) {
                assertThatThrownBy(() -> feed.append("../escape", bytes("x")))
                        .isInstanceOfSatisfying(DrException.class, e -> {
                            assertThat(e.code()).isEqualTo(ErrorCode.UNSAFE_PATH);
                            assertThat(e.input()).isEqualTo("../escape");
                        });
                // a NUL is named as such, and shown escaped
                assertThatThrownBy(() -> feed.append("orders/a\0b", bytes("x")))
                        .isInstanceOfSatisfying(DrException.class, e -> {
                            assertThat(e.code()).isEqualTo(ErrorCode.UNSAFE_PATH);
                            assertThat(e.getMessage()).contains("'orders/a\\u0000b' contains a NUL character (at "
                                    + "index 8)");
                        });
                assertThat(journal.status().pending()).isZero();
            }
        }
    }

    /** The paths of the records a source holds as its newest chain ends. */
    static List<String> latestPaths(Repository repo, String source) {
        return repo.journalAt(source).orElseThrow().records().stream().map(JournalRecord::path).toList();
    }

    @Test
    void aKeyThatIsAPathPrefixOfALiveRecordOrHasOneAsPrefixIsRefusedNamingBothInEitherOrder() {
        try (Repository repo = repo()) {
            RecordFeed feed = RecordFeed.named("r", clock);
            try (Journal journal = repo.manualJournal(feed, JournalOptions.DEFAULT)) {
                assertThat(feed.append("dir/x", bytes("child"))).isZero();
                assertThatThrownBy(() -> feed.append("dir", bytes("file")))
                        .isInstanceOfSatisfying(DrException.class, e -> {
                            assertThat(e.code()).isEqualTo(ErrorCode.ALREADY_EXISTS);
                            assertThat(e.input()).isEqualTo("dir");
                            assertThat(e.getMessage()).contains("'dir'", "'dir/x'", "feed 'r'");
                        });
                assertThat(feed.append("orders", bytes("a list"))).as("the refused key took no position")
                        .isOne();
                assertThatThrownBy(() -> feed.append("orders/123", bytes("an order")))
                        .isInstanceOfSatisfying(DrException.class, e -> {
                            assertThat(e.code()).isEqualTo(ErrorCode.ALREADY_EXISTS);
                            assertThat(e.input()).isEqualTo("orders/123");
                            assertThat(e.getMessage()).contains("'orders/123'", "'orders'");
                        });
                assertThatThrownBy(() -> feed.append("orders/123/lines/1", bytes("deeper")))
                        .isInstanceOf(DrException.class).hasMessageContaining("'orders'");
                assertThat(journal.status().pending()).as("nothing refused was queued").isEqualTo(2);
                // Neither a sibling whose name only starts the same nor the same key is in the way.
                assertThat(feed.append("dir-2", bytes("sibling"))).isEqualTo(2);
                assertThat(feed.append("orders", bytes("a list v2"))).isEqualTo(3);
                journal.flush();
                assertThat(journal.status().lastError()).isNull();
            }
            assertThat(latestPaths(repo, "r")).containsExactly("dir-2", "dir/x", "orders");
            assertThat(repo.journalAt("r").orElseThrow().read("orders")).asString(StandardCharsets.UTF_8)
                    .isEqualTo("a list v2");
        }
    }

    @Test
    void aRecordAcknowledgedDurableIsNotLostToAKeyAppendedAfterAFlushOrARestart() {
        try (Repository repo = repo()) {
            RecordFeed feed = RecordFeed.named("r", clock);
            try (Journal journal = repo.manualJournal(feed, JournalOptions.DEFAULT)) {
                feed.append("dir/x", bytes("child"));
                journal.flush();
                clock.advance(Duration.ofSeconds(1));
                assertThatThrownBy(() -> feed.append("dir", bytes("file"))).isInstanceOf(DrException.class)
                        .hasMessageContaining("'dir/x'");
                journal.flush();
            }
            RecordFeed reopened = RecordFeed.named("r", clock);
            try (Journal journal = repo.manualJournal(reopened, JournalOptions.DEFAULT)) {
                clock.advance(Duration.ofSeconds(1));
                assertThatThrownBy(() -> reopened.append("dir", bytes("file")))
                        .as("the keys the journal holds are known after a restart")
                        .isInstanceOf(DrException.class).hasMessageContaining("'dir/x'");
                assertThatThrownBy(() -> reopened.append("dir/x/y", bytes("below a record")))
                        .isInstanceOf(DrException.class).hasMessageContaining("'dir/x'");
                assertThat(journal.status().pending()).isZero();
            }
            assertThat(latestPaths(repo, "r")).containsExactly("dir/x");
        }
    }

    @Test
    void onceTheOtherKeyIsDeletedTheKeyIsAllowedAndEachInstantRestoresWhatWasThen() throws IOException {
        try (Repository repo = repo()) {
            RecordFeed feed = RecordFeed.named("r", clock);
            try (Journal journal = repo.manualJournal(feed, JournalOptions.DEFAULT)) {
                clock.advance(Duration.ofSeconds(1));
                feed.append("dir/x", bytes("child"));
                journal.flush();
                clock.advance(Duration.ofSeconds(1));
                feed.delete("dir/x");
                feed.append("dir", bytes("file"));
                journal.flush();
                clock.advance(Duration.ofSeconds(1));
                feed.delete("dir");
                feed.append("dir/x", bytes("child again"));
                feed.append("dir/y", bytes("another"));
                journal.flush();
                clock.advance(Duration.ofSeconds(1));
                // Deleting a key prefix deletes every record below it, as a directory's deletion does.
                feed.delete("dir");
                feed.append("dir", bytes("file again"));
                journal.flush();
            }
            Map<Integer, Map<String, String>> expected = Map.of(
                    1, Map.of("dir/x", "child"),
                    2, Map.of("dir", "file"),
                    3, Map.of("dir/x", "child again", "dir/y", "another"),
                    4, Map.of("dir", "file again"));
            for (Map.Entry<Integer, Map<String, String>> e : expected.entrySet()) {
                Instant at = T0.plusSeconds(e.getKey());
                Path out = tmp.resolve("at-" + e.getKey());
                repo.restore(at, out, RestoreOptions.all());
                assertThat(read(out.resolve("r"))).as("restored at %s", at).isEqualTo(e.getValue());
                assertThat(repo.journalAt("r", at).records()).as("records at %s", at)
                        .extracting(JournalRecord::path).containsExactlyElementsOf(new TreeMap<>(e.getValue())
                                .keySet());
            }
        }
    }

    @Test
    void aRenameThatWouldPutARecordAboveOrBelowAnotherIsRefusedAndOneOutOfTheWayIsAllowed() throws IOException {
        try (Repository repo = repo()) {
            RecordFeed feed = RecordFeed.named("r", clock);
            try (Journal journal = repo.manualJournal(feed, JournalOptions.DEFAULT)) {
                clock.advance(Duration.ofSeconds(1));
                feed.append("dir", bytes("file"));
                feed.append("orders/1", bytes("one"));
                feed.append("orders/2", bytes("two"));
                feed.append("archive/old", bytes("old"));
                feed.append("loose", bytes("loose"));
                // Each of these would have replaced a live record: refused before anything is queued.
                assertThatThrownBy(() -> feed.rename("loose", "dir/loose")).isInstanceOfSatisfying(DrException.class,
                        e -> {
                            assertThat(e.code()).isEqualTo(ErrorCode.ALREADY_EXISTS);
                            assertThat(e.input()).isEqualTo("dir/loose");
                            assertThat(e.getMessage()).contains("'loose'", "'dir/loose'", "'dir'");
                        });
                assertThatThrownBy(() -> feed.rename("loose", "orders")).isInstanceOf(DrException.class)
                        .hasMessageContaining("'orders/1'");
                assertThatThrownBy(() -> feed.rename("orders", "archive")).isInstanceOf(DrException.class)
                        .hasMessageContaining("'archive/old'");
                assertThatThrownBy(() -> feed.rename("orders", "dir")).isInstanceOf(DrException.class)
                        .hasMessageContaining("'dir'");
                assertThatThrownBy(() -> feed.rename("orders/1", "orders")).as("onto its own directory")
                        .isInstanceOf(DrException.class).hasMessageContaining("'orders/2'");
                assertThat(journal.status().pending()).isEqualTo(5);
                journal.flush();
                clock.advance(Duration.ofSeconds(1));
                feed.rename("orders", "archive/orders");
                feed.rename("loose", "dir2");
                feed.rename("dir2", "dir");
                feed.append("loose/now-a-directory", bytes("below"));
                journal.flush();
            }
            repo.restore(T0.plusSeconds(1), tmp.resolve("one"), RestoreOptions.all());
            assertThat(read(tmp.resolve("one/r"))).isEqualTo(Map.of("dir", "file", "orders/1", "one",
                    "orders/2", "two", "archive/old", "old", "loose", "loose"));
            repo.restore(T0.plusSeconds(2), tmp.resolve("two"), RestoreOptions.all());
            assertThat(read(tmp.resolve("two/r"))).as("a rename onto the same key replaces it, as a put does")
                    .isEqualTo(Map.of("dir", "loose", "archive/orders/1", "one", "archive/orders/2", "two",
                            "archive/old", "old", "loose/now-a-directory", "below"));
        }
    }

    /** A clock that may be set back, as a host's clock corrected by NTP is. */
    static final class SettableClock extends Clock {
        private volatile Instant now;

        SettableClock(Instant now) {
            this.now = now;
        }

        void set(Instant value) {
            now = value;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** A feed that hands its sink out, as one replaying an external log would use it. */
    static final class ReplayingFeed implements ChangeFeed {
        final String name;
        ChangeSink sink;
        long resumedAt;
        Map<String, FeedResume.Entry> known;

        ReplayingFeed(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void start(FeedResume resume, ChangeSink changes) {
            this.sink = changes;
            this.resumedAt = resume.position();
            this.known = resume.entries();
        }

        @Override
        public void close() {
        }
    }

    /** Polls a condition of a background thread, with a bound generous for a loaded machine. */
    private static void awaitTrue(String what, BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for %s", what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    void aBackgroundJournalWritesAChangeOnItsOwnAndRetriesAFailedWriteWithoutANewChange() throws Exception {
        FaultInjectingStore faulty = FaultInjectingStore.wrap(store).build();
        try (Repository repo = Repository.openOrInit(faulty, "pw".toCharArray(), options(clock).build())) {
            RecordFeed feed = RecordFeed.named("outbox", clock);
            try (Journal journal = repo.journal(feed, JournalOptions.DEFAULT.withFlushInterval(Duration.ofMillis(20)))) {
                clock.advance(Duration.ofSeconds(1));
                long first = feed.append("orders/1", bytes("one"));
                awaitTrue("the first segment", () -> journal.committedPosition() >= first);
                faulty.takeDown();
                clock.advance(Duration.ofSeconds(1));
                long second = feed.append("orders/2", bytes("two"));
                awaitTrue("the failed write", () -> journal.status().lastError() != null);
                faulty.bringUp();
                awaitTrue("the retried segment", () -> journal.committedPosition() >= second);
                assertThat(journal.status().segments()).isEqualTo(2);
                assertThat(journal.status().lastError()).isNull();
            }
            repo.restore(clock.instant(), tmp.resolve("out"), RestoreOptions.all());
        }
        assertThat(read(tmp.resolve("out/outbox"))).isEqualTo(Map.of("orders/1", "one", "orders/2", "two"));
    }
}
