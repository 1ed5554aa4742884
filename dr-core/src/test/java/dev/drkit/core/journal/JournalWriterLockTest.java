package dev.drkit.core.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.backup.RetentionPolicy;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.Journal;
import dev.drkit.core.repository.JournalOptions;
import dev.drkit.core.repository.JournalRecord;
import dev.drkit.core.repository.JournalView;
import dev.drkit.core.repository.KdfParams;
import dev.drkit.core.repository.LockInfo;
import dev.drkit.core.repository.PruneOptions;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.core.store.SnapshotStores;
import dev.drkit.testkit.ManualClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One writer per journaled source, across processes and hosts sharing a repository. */
class JournalWriterLockTest {
    static final Instant T0 = Instant.parse("2026-12-04T10:00:00Z");
    static final long PID = ProcessHandle.current().pid();
    final ManualClock clock = ManualClock.at(T0);
    final SnapshotStore store = SnapshotStores.memory();
    final List<Repository> opened = new ArrayList<>();
    Repository hostA;
    Repository hostB;

    @BeforeEach
    void open() {
        hostA = Repository.openOrInit(store, "pw".toCharArray(), options("host-a"));
        opened.add(hostA);
        hostB = open("host-b");
    }

    /** Opens the repository as a process on another host does, seeing what was written so far. */
    Repository open(String host) {
        Repository repo = Repository.open(store, "pw".toCharArray(), options(host));
        opened.add(repo);
        return repo;
    }

    @AfterEach
    void close() throws Exception {
        for (Repository repo : opened) {
            repo.close();
        }
        store.close();
    }

    RepositoryOptions options(String host) {
        return RepositoryOptions.builder().kdf(new KdfParams(256, 1, 1)).chunkSizes(4096, 16384, 65536)
                .packSize(256 * 1024).threads(2).host(host).actor("watcher@" + host).clock(clock).build();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aSecondWriterOfTheSameSourceIsRefusedAtStartNamingTheSourceAndTheHolder() {
        try (Journal first = hostA.journal(RecordFeed.named("outbox", clock), JournalOptions.DEFAULT)) {
            int snapshots = hostA.snapshots().size();
            RecordFeed second = RecordFeed.named("outbox", clock);
            assertThatThrownBy(() -> hostB.manualJournal(second, JournalOptions.DEFAULT))
                    .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LOCKED))
                    .hasMessageContaining("Source 'outbox' is journaled already by watcher@host-a on host-a (pid "
                            + PID + ", since 2026-12-04T10:00:00Z)")
                    .hasMessageContaining("journal-locks/outbox holds until 2026-12-04T10:05:00Z");
            // The same process is refused as well, and neither refusal wrote anything.
            assertThatThrownBy(() -> hostA.manualJournal(RecordFeed.named("outbox", clock), JournalOptions.DEFAULT))
                    .hasMessageContaining("Source 'outbox' is journaled already");
            assertThat(hostB.snapshots()).hasSize(snapshots);
            assertThat(hostB.locks()).extracting(LockInfo::key, LockInfo::host, LockInfo::state)
                    .containsExactly(tuple("journal-locks/outbox", "host-a",
                            LockInfo.State.LIVE));
        }
    }

    @Test
    void aWriterLockOfThisHostWhoseProcessEndedIsTakenOverAtOnceAndAnotherHostsIsNot() throws Exception {
        Process ended = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-version").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        ended.waitFor();
        Instant now = clock.instant();
        // As a watch killed with kill -9 on host-a leaves it, four minutes from expiring.
        store.put("journal-locks/outbox", bytes("{\"owner\":\"watcher@host-a\",\"host\":\"host-a\",\"pid\":"
                + ended.pid() + ",\"exclusive\":false,\"created\":\"" + now + "\",\"expires\":\""
                + now.plus(Duration.ofMinutes(4)) + "\"}"));

        assertThatThrownBy(() -> hostB.manualJournal(RecordFeed.named("outbox", clock), JournalOptions.DEFAULT))
                .as("host-b cannot tell whether a process of host-a runs")
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LOCKED));
        RecordFeed feed = RecordFeed.named("outbox", clock);
        try (Journal restarted = hostA.manualJournal(feed, JournalOptions.DEFAULT)) {
            feed.append("orders/1", bytes("one"));
            assertThat(restarted.flush()).isEqualTo(1);
            assertThat(hostB.locks()).extracting(LockInfo::host, LockInfo::pid, LockInfo::state)
                    .containsExactly(tuple("host-a", PID, LockInfo.State.LIVE));
        }
    }

    @Test
    void aWriterOfAnotherSourceStartsBesideIt() {
        try (Journal outbox = hostA.manualJournal(RecordFeed.named("outbox", clock), JournalOptions.DEFAULT);
                Journal ledger = hostB.manualJournal(RecordFeed.named("ledger", clock), JournalOptions.DEFAULT)) {
            assertThat(hostA.locks()).extracting(LockInfo::key)
                    .containsExactly("journal-locks/ledger", "journal-locks/outbox");
        }
    }

    @Test
    void afterTheFirstWriterClosesANewOneStartsAndTheLockIsGone() {
        RecordFeed first = RecordFeed.named("outbox", clock);
        try (Journal journal = hostA.journal(first, JournalOptions.DEFAULT)) {
            first.append("orders/1", bytes("one"));
            journal.flush();
        }
        assertThat(hostA.locks()).isEmpty();
        RecordFeed next = RecordFeed.named("outbox", clock);
        hostB = open("host-b");
        try (Journal journal = hostB.manualJournal(next, JournalOptions.DEFAULT)) {
            next.append("orders/2", bytes("two"));
            assertThat(journal.flush()).isEqualTo(1);
            assertThat(hostB.locks()).extracting(LockInfo::host).containsExactly("host-b");
        }
        assertThat(hostB.locks()).isEmpty();
    }

    @Test
    void aWriterThatStoppedRefreshingIsTakenOverAfterTheStalenessPeriodAndWritesNoMore() {
        RecordFeed stalled = RecordFeed.named("outbox", clock);
        Journal old = hostA.manualJournal(stalled, JournalOptions.DEFAULT);
        hostB = open("host-b");
        clock.advance(Duration.ofMinutes(5));
        assertThatThrownBy(() -> hostB.manualJournal(RecordFeed.named("outbox", clock), JournalOptions.DEFAULT))
                .hasMessageContaining("host-a");
        clock.advance(Duration.ofSeconds(1));
        RecordFeed feed = RecordFeed.named("outbox", clock);
        try (Journal taker = hostB.manualJournal(feed, JournalOptions.DEFAULT)) {
            stalled.append("orders/1", bytes("late"));
            assertThatThrownBy(old::flush)
                    .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LOCKED))
                    .hasMessageContaining("The journal of source 'outbox' lost its writer lock journal-locks/outbox "
                            + "to watcher@host-b on host-b (pid " + PID + ", since 2026-12-04T10:05:01Z)");
            assertThatThrownBy(old::close).hasMessageContaining("lost its writer lock");
            // Closing the old writer left the taker's lock in place.
            assertThat(hostA.locks()).extracting(LockInfo::host, LockInfo::state)
                    .containsExactly(tuple("host-b", LockInfo.State.LIVE));
            feed.append("orders/2", bytes("two"));
            assertThat(taker.flush()).isEqualTo(1);
        }
    }

    @Test
    void aWriterWhoseLockWasTakenOverTellsItsListenersOnceNamingTheNewHolder() {
        RecordFeed stalled = RecordFeed.named("outbox", clock);
        Journal old = hostA.manualJournal(stalled, JournalOptions.DEFAULT);
        List<String> told = new ArrayList<>();
        old.onWriterLockLost(told::add);
        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        try (Journal taker = hostB.manualJournal(RecordFeed.named("outbox", clock), JournalOptions.DEFAULT)) {
            assertThat(told).isEmpty(); // not known before the old writer looks
            stalled.append("orders/1", bytes("late"));
            assertThatThrownBy(old::flush).hasMessageContaining("lost its writer lock");
            String holder = "watcher@host-b on host-b (pid " + PID + ", since 2026-12-04T10:05:01Z)";
            assertThat(told).containsExactly(holder);
            assertThatThrownBy(old::flush).hasMessageContaining("lost its writer lock");
            assertThat(told).containsExactly(holder);
            List<String> late = new ArrayList<>();
            old.onWriterLockLost(late::add);
            assertThat(late).containsExactly(holder);
            assertThat(old.status().lastError()).contains("lost its writer lock journal-locks/outbox to " + holder);
            assertThatThrownBy(old::close).hasMessageContaining("lost its writer lock");
        }
    }

    @Test
    void aRunningWriterKeepsItsLockByFlushingAndUnlockKeepsALiveOne() {
        RecordFeed feed = RecordFeed.named("outbox", clock);
        try (Journal journal = hostA.manualJournal(feed, JournalOptions.DEFAULT)) {
            for (int i = 0; i < 4; i++) {
                clock.advance(Duration.ofMinutes(2));
                feed.append("orders/" + i, bytes("v" + i));
                journal.flush();
            }
            assertThat(hostB.unlock()).isEmpty();
            assertThatThrownBy(() -> hostB.manualJournal(RecordFeed.named("outbox", clock), JournalOptions.DEFAULT))
                    .hasMessageContaining("since 2026-12-04T10:00:00Z")
                    .hasMessageContaining("holds until 2026-12-04T10:13:00Z");
        }
    }

    @Test
    void unlockRemovesAnExpiredJournalLockAndItsWriterTakesItAgainWhenNobodyElseDid() {
        RecordFeed feed = RecordFeed.named("outbox", clock);
        try (Journal stalled = hostA.manualJournal(feed, JournalOptions.DEFAULT)) {
            clock.advance(Duration.ofMinutes(6));
            assertThat(hostB.locks()).extracting(LockInfo::state).containsExactly(LockInfo.State.EXPIRED);
            assertThat(hostB.unlock()).extracting(LockInfo::key).containsExactly("journal-locks/outbox");
            assertThat(hostB.locks()).isEmpty();
            feed.append("orders/1", bytes("one"));
            assertThat(stalled.flush()).isEqualTo(1);
            assertThat(hostB.locks()).extracting(LockInfo::host, LockInfo::state)
                    .containsExactly(tuple("host-a", LockInfo.State.LIVE));
        }
        assertThat(hostB.locks()).isEmpty();
    }

    @Test
    void aWriterThatWroteAfterItsLockWasRemovedStopsAtItsNextConflictAndTheHolderGoesOnAfterItsSegment() {
        RecordFeed late = RecordFeed.named("outbox", clock);
        Journal old = hostA.manualJournal(late, JournalOptions.DEFAULT);
        late.append("orders/1", bytes("one"));
        assertThat(old.flush()).isEqualTo(1);
        // Removed by force while its writer runs: the next writer starts at once.
        assertThat(hostB.unlockAll()).extracting(LockInfo::key).containsExactly("journal-locks/outbox");
        hostB = open("host-b");
        RecordFeed feed = RecordFeed.named("outbox", clock);
        try (Journal holder = hostB.manualJournal(feed, JournalOptions.DEFAULT)) {
            // The old writer has not looked at its lock since it last did (within a minute): it writes segment 2.
            late.append("orders/2", bytes("two, late"));
            assertThat(old.flush()).isEqualTo(1);

            feed.append("orders/3", bytes("three"));
            assertThat(holder.flush()).as("the holder goes on after the late segment").isEqualTo(1);
            assertThat(holder.status().segments()).isEqualTo(3);
            assertThat(holder.status().lastError()).isNull();

            late.append("orders/4", bytes("four, refused"));
            assertThatThrownBy(old::flush)
                    .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LOCKED))
                    .hasMessageContaining("lost its writer lock journal-locks/outbox to watcher@host-b");
            assertThatThrownBy(old::close).hasMessageContaining("lost its writer lock");

            feed.append("orders/1", bytes("one, again"));
            assertThat(holder.flush()).isEqualTo(1);
        }
        JournalView view = open("host-c").journalAt("outbox").orElseThrow();
        assertThat(view.records()).extracting(JournalRecord::path)
                .containsExactlyInAnyOrder("orders/1", "orders/2", "orders/3");
        assertThat(view.read("orders/1")).isEqualTo(bytes("one, again"));
        assertThat(view.read("orders/2")).isEqualTo(bytes("two, late"));
        assertThat(view.read("orders/3")).isEqualTo(bytes("three"));
    }

    @Test
    void aRunningJournalDoesNotKeepPruneForgetOrBackupsOut() {
        RecordFeed feed = RecordFeed.named("outbox", clock);
        try (Journal journal = hostA.journal(feed, JournalOptions.DEFAULT)) {
            feed.append("orders/1", bytes("one"));
            journal.flush();
            assertThat(hostB.prune(PruneOptions.DEFAULT)).isNotNull();
            assertThat(hostB.forget(RetentionPolicy.builder().keepLast(1).build(), false)).isNotNull();
        }
    }
}
