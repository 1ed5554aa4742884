package dev.drkit.core.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.Journal;
import dev.drkit.core.repository.JournalOptions;
import dev.drkit.core.repository.KdfParams;
import dev.drkit.core.repository.Replication;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.core.repository.RestoreOptions;
import dev.drkit.core.repository.VerifyOptions;
import dev.drkit.core.store.SnapshotStores;
import dev.drkit.testkit.ManualClock;
import dev.drkit.testkit.store.FaultInjectingStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An idle journal writes a heartbeat every {@code heartbeatEvery}, and a clean close writes one,
 * so that a restore accepts every instant up to then. Time is a manual clock; the journal's own
 * thread ticks every flush interval (20 ms here) and reads that clock, and the tests wait for
 * what it writes, never for time to pass.
 */
class JournalHeartbeatTest {
    static final Instant T0 = Instant.parse("2026-12-04T10:00:00Z");
    static final Duration BEAT = Duration.ofMinutes(1);
    static final JournalOptions OPTIONS = JournalOptions.DEFAULT.withFlushInterval(Duration.ofMillis(20))
            .withHeartbeatEvery(BEAT);
    final ManualClock clock = ManualClock.at(T0);
    final SnapshotStore store = SnapshotStores.memory();

    @TempDir
    Path tmp;

    @AfterEach
    void closeStore() throws Exception {
        store.close();
    }

    RepositoryOptions.Builder options() {
        return RepositoryOptions.builder().kdf(new KdfParams(256, 1, 1)).chunkSizes(4096, 16384, 65536)
                .packSize(256 * 1024).threads(2).host("test-host").clock(clock);
    }

    Repository repo(SnapshotStore on) {
        return Repository.openOrInit(on, "pw".toCharArray(), options().build());
    }

    long segments() {
        return store.list("journal/").count();
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    byte[] restoredAt(Repository repo, Instant at, String dir, String file) throws Exception {
        repo.restore("outbox", at, tmp.resolve(dir), RestoreOptions.all());
        return Files.readAllBytes(tmp.resolve(dir).resolve("outbox").resolve(file));
    }

    /** Polls a condition of the journal's own thread, with a bound generous for a loaded machine. */
    static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for %s", what).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @Test
    void anIdleJournalWritesAHeartbeatAndARestoreBeforeItGivesTheLastChangeExactly() throws Exception {
        byte[] last = random(50_000, 1);
        try (Repository repo = repo(store)) {
            RecordFeed feed = RecordFeed.named("outbox", clock);
            try (Journal journal = repo.journal(feed, OPTIONS)) {
                clock.advance(Duration.ofSeconds(1));
                long position = feed.append("orders/1", last);
                awaitTrue("the change's segment", () -> journal.committedPosition() >= position);
                assertThat(segments()).isEqualTo(1);
                long bytes = journal.status().chainBytes();

                clock.advance(BEAT); // a minute after the change's segment, the heartbeat is due
                Instant beat = clock.instant();
                awaitTrue("the heartbeat", () -> journal.status().segments() == 2);
                assertThat(segments()).isEqualTo(2);
                assertThat(journal.status().chainBytes() - bytes).as("one small object").isBetween(1L, 1024L);
                assertThat(journal.status().lastDurable()).isEqualTo(beat);
                assertThat(journal.status().committedPosition()).as("a heartbeat commits no change")
                        .isEqualTo(position);
                assertThat(journal.status().pending()).isZero();
                assertThat(journal.lag()).isEqualTo(Duration.ZERO);
                assertThat(repo.coverage().get(0).to()).isEqualTo(beat);

                assertThat(restoredAt(repo, T0.plusSeconds(30), "between", "orders/1")).isEqualTo(last);
                assertThat(restoredAt(repo, beat, "at-beat", "orders/1")).isEqualTo(last);
                assertThatThrownBy(() -> repo.restore("outbox", beat.plusMillis(1), tmp.resolve("after"),
                        RestoreOptions.all()))
                        .isInstanceOfSatisfying(DrException.class,
                                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                        .hasMessageStartingWith("Instant " + beat.plusMillis(1) + " is after the last journal segment "
                                + "of 'outbox', which covers up to " + beat + ", when its last heartbeat was written: "
                                + "the journal may have stopped then, or, still running, had nothing to write since (it "
                                + "writes a heartbeat every JournalOptions.heartbeatEvery, dr watch --heartbeat-every")
                        .hasMessageEndingWith("Restore at " + beat + " for the newest state it holds, or wait for its "
                                + "next heartbeat");
                assertThat(tmp.resolve("after")).doesNotExist();
            }
        }
    }

    @Test
    void noHeartbeatIsWrittenWhileChangesFlowAndTheHeartbeatsDoNotCountAsChanges() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        // A compaction shows that the journal's thread looked at the clock while the journal was
        // idle for less than a heartbeat interval: it compacts in the same tick in which it decides
        // on a heartbeat. Each base's time is the previous change's segment end, 30 s before the
        // next change, so compaction is due 15 s after a change: only once the clock moved on.
        JournalOptions options = OPTIONS.withCompaction(Duration.ofSeconds(45), JournalOptions.DEFAULT_COMPACT_BYTES);
        try (Repository repo = Repository.openOrInit(store, "pw".toCharArray(), options().meters(meters).build())) {
            RecordFeed feed = RecordFeed.named("outbox", clock);
            try (Journal journal = repo.journal(feed, options)) {
                clock.advance(BEAT.dividedBy(2)); // as if the base were the end of a change 30 s ago
                long position = -1;
                for (int i = 0; i < 10; i++) {
                    long taken = feed.append("orders/" + i, random(1000, i));
                    awaitTrue("change " + i, () -> journal.committedPosition() >= taken);
                    position = taken;
                    String base = journal.status().baseSnapshotId();
                    clock.advance(BEAT.dividedBy(2)); // a change every 30 s: never a minute idle
                    awaitTrue("a tick 30 s after change " + i, () -> !journal.status().baseSnapshotId().equals(base));
                }
                assertThat(segments()).as("one segment per change, no heartbeat").isEqualTo(10);

                clock.advance(BEAT.dividedBy(2)); // a minute after the last change's segment
                awaitTrue("the heartbeat once idle", () -> segments() == 11);
                assertThat(journal.status().committedPosition()).isEqualTo(position);
                assertThat(journal.status().pending()).isZero();
                assertThat(meters.get("dr.backup.journal.lag").gauge().value()).as("no change waits").isZero();
                assertThat(journal.flush()).as("a heartbeat leaves nothing to flush").isZero();
            }
            assertThat(repo.journalAt("outbox").orElseThrow().records()).hasSize(10);
        }
    }

    @Test
    void aCleanCloseWritesAHeartbeatSoThatTheCloseInstantRestores() throws Exception {
        byte[] last = random(20_000, 2);
        try (Repository repo = repo(store)) {
            RecordFeed feed = RecordFeed.named("outbox", clock);
            Instant closedAt;
            try (Journal journal = repo.manualJournal(feed, OPTIONS)) {
                clock.advance(Duration.ofSeconds(1));
                feed.append("orders/1", last);
                journal.flush();
                clock.advance(Duration.ofMinutes(29));
                closedAt = clock.instant();
            }
            assertThat(segments()).isEqualTo(2);
            assertThat(repo.coverage().get(0).to()).isEqualTo(closedAt);
            assertThat(restoredAt(repo, closedAt, "at-close", "orders/1")).isEqualTo(last);
            assertThatThrownBy(() -> repo.restore("outbox", closedAt.plusSeconds(1), tmp.resolve("later"),
                    RestoreOptions.all())).hasMessageContaining("covers up to " + closedAt
                            + ", when its last heartbeat was written: the journal may have stopped then");

            // Resumed, the chain with its heartbeat goes on; closed at its end, no heartbeat is added.
            try (Journal journal = repo.manualJournal(RecordFeed.named("outbox", clock), OPTIONS)) {
                assertThat(journal.status().segments()).isEqualTo(2);
            }
            assertThat(segments()).isEqualTo(2);
            assertThat(repo.verify(VerifyOptions.readAllData()).ok()).isTrue();
        }
    }

    @Test
    void aRefusalAfterAChangeSegmentNamesItAsTheLastOneWritten() {
        try (Repository repo = repo(store)) {
            RecordFeed feed = RecordFeed.named("outbox", clock);
            Journal journal = repo.manualJournal(feed, OPTIONS);
            clock.advance(Duration.ofSeconds(1));
            feed.append("orders/1", random(10, 3));
            journal.flush(); // and never closed: as a journal killed after its last segment
            assertThatThrownBy(() -> repo.restore("outbox", T0.plusSeconds(2), tmp.resolve("x"),
                    RestoreOptions.all())).hasMessageContaining("covers up to " + T0.plusSeconds(1)
                            + ", when its last segment was written: the journal may have stopped then");
        }
    }

    @Test
    void compactionAfterHeartbeatsStillRestoresEveryInstant() throws Exception {
        byte[] first = random(30_000, 4);
        byte[] second = random(30_000, 5);
        try (Repository repo = repo(store)) {
            RecordFeed feed = RecordFeed.named("outbox", clock);
            try (Journal journal = repo.journal(feed, OPTIONS)) {
                clock.advance(Duration.ofSeconds(1));
                long p1 = feed.append("orders/1", first);
                awaitTrue("the change's segment", () -> journal.committedPosition() >= p1);
                for (int beat = 1; beat <= 3; beat++) {
                    clock.advance(BEAT);
                    long expected = 1 + beat;
                    awaitTrue("heartbeat " + beat, () -> journal.status().segments() == expected);
                }
                Instant lastBeat = clock.instant();
                String base = journal.compact();
                assertThat(journal.status().baseSnapshotId()).isEqualTo(base);
                assertThat(repo.snapshots().stream().filter(s -> s.id().equals(base)).findFirst().orElseThrow()
                        .time()).as("the new base is the state at the last heartbeat").isEqualTo(lastBeat);

                clock.advance(Duration.ofSeconds(10));
                long p2 = feed.append("orders/1", second);
                awaitTrue("the change after compaction", () -> journal.committedPosition() >= p2);
                clock.advance(BEAT);
                Instant beatAfter = clock.instant();
                awaitTrue("the heartbeat after compaction", () -> journal.status().segments() == 2);

                assertThat(restoredAt(repo, T0.plusSeconds(90), "old-chain", "orders/1")).isEqualTo(first);
                assertThat(restoredAt(repo, lastBeat, "at-base", "orders/1")).isEqualTo(first);
                assertThat(restoredAt(repo, lastBeat.plusSeconds(5), "new-base", "orders/1")).isEqualTo(first);
                assertThat(restoredAt(repo, beatAfter, "new-chain", "orders/1")).isEqualTo(second);
            }
            assertThat(repo.verify(VerifyOptions.readAllData()).ok()).isTrue();
        }
    }

    @Test
    void heartbeatsAreShippedSoThatASecondaryCoversTheSameInstants() throws Exception {
        byte[] last = random(10_000, 6);
        try (SnapshotStore secondaryStore = SnapshotStores.memory();
                Repository primary = repo(store);
                Repository secondary = repo(secondaryStore)) {
            RecordFeed feed = RecordFeed.named("outbox", clock);
            try (Journal journal = Replication.of(primary, secondary).journal(feed, OPTIONS)) {
                clock.advance(Duration.ofSeconds(1));
                long position = feed.append("orders/1", last);
                awaitTrue("the change's segment", () -> journal.committedPosition() >= position);
                clock.advance(BEAT);
                awaitTrue("the heartbeat", () -> journal.status().segments() == 2);
                assertThat(journal.awaitReplicas(Duration.ofSeconds(60))).isTrue();
                assertThat(journal.replicas().get(0).shippedUntil()).isEqualTo(clock.instant());
            }
            assertThat(secondary.coverage().get(0).to()).isEqualTo(T0.plusSeconds(61));
            assertThat(restoredAt(secondary, T0.plusSeconds(61), "secondary", "orders/1")).isEqualTo(last);
        }
    }

    @Test
    void aWriterWhoseLockWasTakenOverWritesNoHeartbeatAtClose() {
        RepositoryOptions a = options().host("host-a").build();
        RepositoryOptions b = options().host("host-b").build();
        try (Repository hostA = Repository.openOrInit(store, "pw".toCharArray(), a);
                Repository hostB = Repository.open(store, "pw".toCharArray(), b)) {
            Journal stalled = hostA.manualJournal(RecordFeed.named("outbox", clock), OPTIONS);
            clock.advance(Duration.ofMinutes(5).plusSeconds(1)); // its lock expired unrefreshed
            try (Journal taker = hostB.manualJournal(RecordFeed.named("outbox", clock), OPTIONS)) {
                clock.advance(Duration.ofMinutes(1));
                stalled.close(); // nothing pending: the heartbeat at close is all it would write
                assertThat(segments()).isZero();
                assertThat(stalled.status().lastError()).contains("lost its writer lock");
            }
            assertThat(segments()).as("the taker's own heartbeat at close").isOne();
        }
    }

    @Test
    void aFailedHeartbeatIsTriedAgainAHeartbeatIntervalLaterNotAtEveryTick() throws Exception {
        FaultInjectingStore faulty = FaultInjectingStore.wrap(store).build();
        // Compaction 90 s after the base shows that the journal's thread looked at the clock.
        JournalOptions options = OPTIONS.withCompaction(Duration.ofSeconds(90), JournalOptions.DEFAULT_COMPACT_BYTES);
        try (Repository repo = repo(faulty)) {
            RecordFeed feed = RecordFeed.named("outbox", clock);
            try (Journal journal = repo.journal(feed, options)) {
                clock.advance(Duration.ofSeconds(1));
                long position = feed.append("orders/1", random(100, 7));
                awaitTrue("the change's segment", () -> journal.committedPosition() >= position);
                String base = journal.status().baseSnapshotId();

                faulty.takeDown();
                clock.advance(BEAT); // T0+61 s: the heartbeat is due and fails
                awaitTrue("the failed heartbeat", () -> journal.status().lastError() != null);
                faulty.bringUp();
                clock.advance(Duration.ofSeconds(30)); // T0+91 s: compaction due, the heartbeat not yet again
                awaitTrue("the compaction", () -> !journal.status().baseSnapshotId().equals(base));
                assertThat(segments()).as("no heartbeat before T0+121 s").isEqualTo(1);

                clock.advance(Duration.ofSeconds(30));
                awaitTrue("the heartbeat tried again", () -> segments() == 2);
                assertThat(journal.status().lastError()).isNull();
            }
            assertThat(repo.coverage()).last().extracting(c -> c.to()).isEqualTo(T0.plusSeconds(121));
        }
    }

    @Test
    void heartbeatEveryMustBePositive() {
        assertThatThrownBy(() -> JournalOptions.DEFAULT.withHeartbeatEvery(Duration.ZERO))
                .isInstanceOfSatisfying(DrException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                .hasMessageContaining("heartbeatEvery").hasMessageContaining("must be > 0");
        assertThatThrownBy(() -> new JournalOptions(Duration.ofSeconds(1), Duration.ofHours(1), 1, Duration.ofSeconds(-1)))
                .hasMessageContaining("heartbeatEvery");
        assertThat(new JournalOptions(Duration.ofSeconds(1), Duration.ofHours(1), 1).heartbeatEvery())
                .isEqualTo(JournalOptions.DEFAULT_HEARTBEAT_EVERY).isEqualTo(Duration.ofMinutes(1));
        assertThat(JournalOptions.DEFAULT.withHeartbeatEvery(Duration.ofSeconds(5)).withFlushInterval(Duration.ofSeconds(2))
                .withCompaction(Duration.ofHours(2), 10).heartbeatEvery()).isEqualTo(Duration.ofSeconds(5));
    }
}
