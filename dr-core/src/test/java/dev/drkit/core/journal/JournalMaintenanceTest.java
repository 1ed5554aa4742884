package dev.drkit.core.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.backup.RetentionPolicy;
import dev.drkit.core.repository.CopyResult;
import dev.drkit.core.repository.Coverage;
import dev.drkit.core.repository.ForgetResult;
import dev.drkit.core.repository.Journal;
import dev.drkit.core.repository.JournalOptions;
import dev.drkit.core.repository.PruneOptions;
import dev.drkit.core.repository.PruneResult;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RestoreOptions;
import dev.drkit.core.repository.Snapshot;
import dev.drkit.core.repository.VerifyOptions;
import dev.drkit.core.repository.VerifyReport;
import dev.drkit.testkit.ManualClock;
import dev.drkit.testkit.store.InMemoryStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalMaintenanceTest {
    static final Instant T0 = Instant.parse("2026-12-04T10:00:00Z");
    final ManualClock clock = ManualClock.at(T0);
    final InMemoryStore store = new InMemoryStore();

    @TempDir
    Path tmp;

    Repository repo(InMemoryStore in, String password) {
        return Repository.openOrInit(in, password.toCharArray(), JournalTest.options(clock).build());
    }

    /** Three segments, one second apart, from T0+1s; returns the base snapshot's id. */
    String threeSegments(Repository repo) {
        RecordFeed feed = RecordFeed.named("db", clock);
        try (Journal journal = repo.manualJournal(feed, JournalOptions.DEFAULT)) {
            for (int i = 1; i <= 3; i++) {
                clock.advance(Duration.ofSeconds(1));
                feed.append("k" + i, ("value " + i).getBytes(StandardCharsets.UTF_8));
                journal.flush();
            }
            return journal.status().baseSnapshotId();
        }
    }

    @Test
    void verifyNamesAMissingSegmentAsAGapAndRestoreRefusesToReplayAcrossIt() {
        try (Repository repo = repo(store, "pw")) {
            String base = threeSegments(repo);
            assertThat(repo.verify(VerifyOptions.readAllData()).problems()).isEmpty();
            String second = "journal/" + base + "/0000000002";
            store.delete(second);
            VerifyReport report = repo.verify(VerifyOptions.structure());
            assertThat(report.problems()).anySatisfy(p -> {
                assertThat(p.key()).isEqualTo(second);
                assertThat(p.message()).contains("journal gap").contains(second)
                        .contains("journal/" + base + "/0000000003");
            });
            assertThatThrownBy(() -> repo.restore(T0.plusSeconds(3), tmp.resolve("r"), RestoreOptions.all()))
                    .isInstanceOfSatisfying(DrException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY);
                        assertThat(e.input()).isEqualTo(second);
                    });
        }
    }

    @Test
    void verifyNamesADamagedSegment() {
        try (Repository repo = repo(store, "pw")) {
            String base = threeSegments(repo);
            String first = "journal/" + base + "/0000000001";
            store.flipByte(first, 5);
            VerifyReport report = repo.verify(VerifyOptions.readAllData());
            assertThat(report.problems()).extracting(VerifyReport.Problem::key).contains(first);
        }
    }

    @Test
    void forgetKeepsTheBasesOfTheWindowAndPruneRemovesCompactedSegmentsOnceTheirBaseIsGone() throws IOException {
        try (Repository repo = repo(store, "pw")) {
            RecordFeed feed = RecordFeed.named("db", clock);
            String firstBase;
            try (Journal journal = repo.manualJournal(feed, JournalOptions.DEFAULT)) {
                firstBase = journal.status().baseSnapshotId();
                clock.advance(Duration.ofHours(1));
                feed.append("a", "day one".getBytes(StandardCharsets.UTF_8));
                journal.flush();
                clock.advance(Duration.ofHours(1));
                feed.append("b", "day one b".getBytes(StandardCharsets.UTF_8));
                journal.flush();
                clock.advance(Duration.ofDays(3));
                journal.compact();
                clock.advance(Duration.ofDays(3));
                feed.append("a", "day seven".getBytes(StandardCharsets.UTF_8));
                journal.flush();
                journal.compact();
            }
            // Bases at T0 (chain to T0+2h), T0+2h (chain to T0+6d+2h) and T0+6d+2h (no segments).
            // Six days and an hour back from the newest instant reach into the first chain: an
            // instant such as T0+1h30m needs the first base, which the policy alone would drop.
            ForgetResult wide = repo.forget(RetentionPolicy.builder().keepLast(1)
                    .keepWithin(Duration.ofDays(6).plusHours(1)).build(), true);
            assertThat(wide.kept()).extracting(Snapshot::id).contains(firstBase);
            PruneResult keepLive = repo.prune(PruneOptions.defaults());
            assertThat(keepLive.segmentsDeleted()).isZero();

            ForgetResult narrow = repo.forget(RetentionPolicy.builder().keepLast(1).keepWithin(Duration.ofHours(1))
                    .build(), false);
            assertThat(narrow.removed()).extracting(Snapshot::id).containsExactly(firstBase);
            assertThat(repo.verify(VerifyOptions.structure()).notes()).anySatisfy(n ->
                    assertThat(n.key()).isEqualTo("journal/" + firstBase + "/"));
            PruneResult pruned = repo.prune(PruneOptions.defaults());
            assertThat(pruned.segmentsDeleted()).isEqualTo(2);
            assertThat(store.list("journal/" + firstBase + "/").count()).isZero();
            assertThat(repo.verify(VerifyOptions.readAllData()).problems()).isEmpty();
            repo.restore(T0.plus(Duration.ofDays(6)).plusSeconds(5400), tmp.resolve("window"), RestoreOptions.all());
            assertThat(JournalTest.read(tmp.resolve("window/db"))).isEqualTo(Map.of("a", "day one",
                    "b", "day one b"));
            repo.restore(repo.latestRestorableInstant(), tmp.resolve("latest"), RestoreOptions.all());
            assertThat(JournalTest.read(tmp.resolve("latest/db"))).isEqualTo(Map.of("a", "day seven",
                    "b", "day one b"));
            assertThatThrownBy(() -> repo.restore(T0.plusSeconds(3600), tmp.resolve("gone"), RestoreOptions.all()))
                    .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.input())
                            .isEqualTo(T0.plusSeconds(3600).toString()));
        }
    }

    @Test
    void forgetNeverRemovesTheBaseTheJournalContinuesFrom() {
        try (Repository repo = repo(store, "pw")) {
            String base = threeSegments(repo);
            ForgetResult r = repo.forget(RetentionPolicy.builder().keepLast(1).build(), false);
            assertThat(r.kept()).extracting(Snapshot::id).contains(base);
        }
    }

    @Test
    void forgettingAJournalBaseByIdIsRefusedNamingItsJournalUntilWithJournalIsGiven() {
        try (Repository repo = repo(store, "pw")) {
            String base = threeSegments(repo);
            Coverage covered = repo.coverage().get(0);
            assertThat(covered.snapshotId()).isEqualTo(base);

            assertThatThrownBy(() -> repo.forgetSnapshots(List.of(base.substring(0, 8))))
                    .isInstanceOfSatisfying(DrException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                        assertThat(e.input()).isEqualTo(base);
                        assertThat(e.getMessage()).contains("journal of source 'db' (covering " + covered.from() + ".."
                                + covered.to() + ", " + covered.segments() + " segments)")
                                .contains("--with-journal", "forgetSnapshots(ids, true)");
                    });
            assertThat(repo.snapshots()).extracting(Snapshot::id).contains(base);
            assertThat(repo.prune(PruneOptions.defaults()).segmentsDeleted()).isZero();
            assertThat(repo.latestRestorableInstant()).isEqualTo(covered.to());

            assertThat(repo.forgetSnapshots(List.of(base), true)).containsExactly(base);
            assertThat(repo.prune(PruneOptions.defaults()).segmentsDeleted()).isEqualTo(covered.segments());
        }
    }

    @Test
    void copyShipsTheSegmentsResealedWithTheDestinationsKeys() throws IOException {
        InMemoryStore secondary = new InMemoryStore();
        try (Repository repo = repo(store, "pw"); Repository geo = repo(secondary, "other password")) {
            threeSegments(repo);
            CopyResult first = repo.copyTo(geo, List.of());
            assertThat(first.segmentsSent()).isEqualTo(3);
            assertThat(geo.verify(VerifyOptions.readAllData()).problems()).isEmpty();
            for (int s = 1; s <= 3; s++) {
                Instant at = T0.plusSeconds(s);
                repo.restore(at, tmp.resolve("src" + s), RestoreOptions.all());
                geo.restore(at, tmp.resolve("geo" + s), RestoreOptions.all());
                assertThat(JournalTest.read(tmp.resolve("geo" + s + "/db")))
                        .isEqualTo(JournalTest.read(tmp.resolve("src" + s + "/db"))).hasSize(s);
            }
            assertThat(repo.copyTo(geo, List.of()).segmentsSent()).isZero();
            threeSegments(repo);
            assertThat(repo.copyTo(geo, List.of()).segmentsSent()).isEqualTo(3);
            assertThat(geo.coverage()).isEqualTo(repo.coverage());
        }
    }
}
