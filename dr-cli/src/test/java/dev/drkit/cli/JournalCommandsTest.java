package dev.drkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.journal.RecordFeed;
import dev.drkit.core.repository.Journal;
import dev.drkit.core.repository.JournalOptions;
import dev.drkit.core.repository.KdfParams;
import dev.drkit.core.repository.LockInfo;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.core.store.SnapshotStores;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code dr restore --at} and the covered ranges in {@code dr snapshots}. */
class JournalCommandsTest {
    static final String PASSWORD = "correct horse";
    static final Instant T0 = Instant.parse("2026-12-04T10:00:00Z");

    @TempDir
    Path dir;

    private Path repo;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void setUp() {
        repo = dir.resolve("repo");
        assertThat(dr("init", "--repo", repo.toString())).isZero();
        // Two changes, at 10:15:00 and 10:16:00, each flushed.
        try (SnapshotStore store = SnapshotStores.file(repo)) {
            write(store, T0, null);
            write(store, T0.plusSeconds(15 * 60), "orders/1");
            write(store, T0.plusSeconds(16 * 60), "orders/2");
        }
    }

    private static void write(SnapshotStore store, Instant at, String key) {
        write(store, at, "outbox", key);
    }

    private static void write(SnapshotStore store, Instant at, String source, String key) {
        Clock clock = Clock.fixed(at, ZoneOffset.UTC);
        RepositoryOptions options = RepositoryOptions.builder().kdf(new KdfParams(256, 1, 1)).clock(clock).build();
        try (Repository r = Repository.open(store, PASSWORD.toCharArray(), options)) {
            RecordFeed feed = RecordFeed.named(source, clock);
            try (Journal journal = r.manualJournal(feed, JournalOptions.DEFAULT)) {
                if (key != null) {
                    feed.append(key, ("content of " + key).getBytes(StandardCharsets.UTF_8));
                    journal.flush();
                }
            }
        }
    }

    private int dr(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        CommandLine cl = DrCommand.newCommandLine(Map.of("DR_PASSWORD", PASSWORD));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void restoreAtAnInstantReplaysTheJournalUpToIt() throws IOException {
        Path target = dir.resolve("at");
        assertThat(dr("restore", "--repo", repo.toString(), "--at", "2026-12-04T10:15:30Z", "--target",
                target.toString())).isZero();
        assertThat(Files.readString(target.resolve("outbox/orders/1"))).isEqualTo("content of orders/1");
        assertThat(target.resolve("outbox/orders/2")).doesNotExist();

        Path latest = dir.resolve("latest");
        assertThat(dr("restore", "--repo", repo.toString(), "--at", "latest", "--target", latest.toString()))
                .isZero();
        assertThat(latest.resolve("outbox/orders/2")).exists();
    }

    @Test
    void latestRestoresEachJournaledSourceAtItsOwnNewest() throws IOException {
        try (SnapshotStore store = SnapshotStores.file(repo)) {
            write(store, T0.plusSeconds(60), "audit", null);
            write(store, T0.plusSeconds(5 * 60), "audit", "events/1"); // before outbox's last change
        }
        Path latest = dir.resolve("latest");
        assertThat(dr("restore", "--repo", repo.toString(), "--at", "latest", "--target", latest.toString()))
                .as(err.toString()).isZero();
        assertThat(latest.resolve("outbox/orders/2")).hasContent("content of orders/2");
        assertThat(latest.resolve("audit/events/1")).hasContent("content of events/1");
        assertThat(out.toString()).contains("as of each journal's newest segment");
    }

    @Test
    void snapshotsShowTheCoveredRange() {
        assertThat(dr("snapshots", "--repo", repo.toString())).isZero();
        assertThat(out.toString()).contains("journal: 2026-12-04 10:00:00Z .. 2026-12-04 10:16:00Z (2 segments)");
    }

    @Test
    void forgettingAJournalBaseByIdIsRefusedNamingItsJournalUnlessWithJournalIsGiven() throws IOException {
        assertThat(dr("snapshots", "--repo", repo.toString(), "--json")).isZero();
        String base = CliJson.MAPPER.readTree(out.toString()).get(0).get("id").asString();

        assertThat(dr("forget", "--repo", repo.toString(), base.substring(0, 8))).isEqualTo(DrCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("Snapshot " + base + " is the base of the journal of source 'outbox' "
                + "(covering 2026-12-04T10:00:00Z..2026-12-04T10:16:00Z, 2 segments)")
                .contains("nothing was forgotten").contains("--with-journal");
        Path latest = dir.resolve("latest");
        assertThat(dr("restore", "--repo", repo.toString(), "--at", "latest", "--target", latest.toString()))
                .as(err.toString()).isZero();
        assertThat(latest.resolve("outbox/orders/2")).hasContent("content of orders/2");
        assertThat(dr("forget", "--repo", repo.toString(), "--keep-last", "1", "--with-journal"))
                .isEqualTo(DrCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--with-journal applies to the snapshots named");

        assertThat(dr("forget", "--repo", repo.toString(), base.substring(0, 8), "--with-journal")).isZero();
        assertThat(out.toString()).contains("removed " + base);
        assertThat(dr("restore", "--repo", repo.toString(), "--at", "latest", "--target",
                dir.resolve("gone").toString())).isNotZero();
        assertThat(err.toString()).contains("holds no journal");
    }

    @Test
    void aMalformedOrUncoveredInstantIsAUsageErrorNamingIt() {
        assertThat(dr("restore", "--repo", repo.toString(), "--at", "yesterday", "--target",
                dir.resolve("x").toString())).isEqualTo(DrCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("'yesterday'");
        assertThat(dr("restore", "--repo", repo.toString(), "--at", "2026-12-04T09:00:00Z", "--target",
                dir.resolve("y").toString())).isEqualTo(DrCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("2026-12-04T09:00:00Z").contains("before the first snapshot");
        assertThat(dr("restore", "--repo", repo.toString(), "--at", "2026-12-04T11:00:00Z", "--target",
                dir.resolve("z").toString())).isEqualTo(DrCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("2026-12-04T11:00:00Z").contains("after the last journal segment");
        assertThat(dr("restore", "--repo", repo.toString(), "latest", "--at", "latest", "--target",
                dir.resolve("w").toString())).isEqualTo(DrCommand.EXIT_USAGE);
    }

    @Test
    void watchShipsEachSegmentToTheRepositoryItReplicatesTo() throws Exception {
        Path offsite = dir.resolve("offsite");
        Path watched = Files.createDirectories(dir.resolve("data"));
        assertThat(dr("init", "--repo", offsite.toString())).isZero();
        // The file is written once the watch runs, so that it is a change after the journal's base
        // (written after a fixed delay, it could come before a watch that a loaded machine had
        // slowed down, into the base, and ship one segment less).
        Thread writer = new Thread(() -> {
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!out.toString().contains("watching") && System.nanoTime() - deadline < 0) {
                    Thread.sleep(10);
                }
                Files.writeString(watched.resolve("ledger.csv"), "id,amount\n1,100\n");
            } catch (InterruptedException | IOException e) {
                throw new IllegalStateException(e);
            }
        });
        writer.start();
        assertThat(dr("watch", "--repo", repo.toString(), "--name", "data", "--duration", "PT3S",
                "--replicate-to", offsite.toString(), watched.toString())).isZero();
        writer.join();
        // The change's segment and the heartbeat at the watch's stop.
        assertThat(out.toString()).contains("shipping to 1 secondary").contains("secondary 0: 2 segments shipped, lag 0 ms");

        Path restored = dir.resolve("from-offsite");
        assertThat(dr("restore", "--repo", offsite.toString(), "--at", "latest", "--target", restored.toString()))
                .isZero();
        assertThat(Files.readString(restored.resolve("data/ledger.csv"))).isEqualTo("id,amount\n1,100\n");
    }

    @Test
    void anIdleWatchWritesAHeartbeatEachHeartbeatEveryAndOneAtItsStop() throws IOException {
        Path watched = Files.createDirectories(dir.resolve("idle"));
        Instant started = Instant.now();
        assertThat(dr("watch", "--repo", repo.toString(), "--name", "idle", "--duration", "PT2S",
                "--heartbeat-every", "PT0.3S", watched.toString())).isZero();
        Instant stopped = Instant.now();
        Matcher m = Pattern.compile("journal 'idle': (\\d+) segments").matcher(out.toString());
        assertThat(m.find()).as(out.toString()).isTrue();
        assertThat(Long.parseLong(m.group(1))).as("heartbeats while idle for 2 s, none a change").isGreaterThan(2);
        assertThat(out.toString()).contains("committed position -1").contains("flushing every 500 ms")
                .doesNotContain("PT0.5S");
        // The chain covers from its base to the stop, two seconds later: the instant halfway between
        // the call and its return is after the base, so only the heartbeats cover it. (An instant a
        // fixed time before the return would miss when closing the watch took longer than that.)
        Instant halfway = started.plus(Duration.between(started, stopped).dividedBy(2));
        assertThat(dr("restore", "--repo", repo.toString(), "--source", "idle", "--at", halfway.toString(),
                "--target", dir.resolve("idle-out").toString())).as(err.toString()).isZero();

        assertThat(dr("watch", "--repo", repo.toString(), "--name", "idle", "--duration", "PT1S",
                "--heartbeat-every", "PT0S", watched.toString())).isNotZero();
        assertThat(err.toString()).contains("--heartbeat-every must be more than 0, but was 0 s")
                .doesNotContain("heartbeatEvery");
        // A bare 0 needs no unit: refused for its value, not its form.
        err.getBuffer().setLength(0);
        assertThat(dr("watch", "--repo", repo.toString(), "--name", "idle", "--duration", "PT1S",
                "--heartbeat-every", "0", watched.toString())).isEqualTo(DrCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--heartbeat-every must be more than 0, but was 0 s")
                .doesNotContain("expected a duration");
        assertThat(dr("watch", "--repo", repo.toString(), "--name", "idle", "--duration", "PT1S",
                "--flush-interval", "0s", watched.toString())).isEqualTo(DrCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--flush-interval must be more than 0, but was 0 s")
                .doesNotContain("flushInterval");
        assertThat(dr("watch", "--repo", repo.toString(), "--name", "idle", "--duration", "PT1S",
                "--compact-every", "0ms", watched.toString())).isEqualTo(DrCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--compact-every must be more than 0, but was 0 s")
                .doesNotContain("compactEvery");
    }

    @Test
    void watchRefusesToReplicateIntoItsOwnRepositoryOrAMissingOne() throws IOException {
        Path watched = Files.createDirectories(dir.resolve("data"));
        assertThat(dr("watch", "--repo", repo.toString(), "--duration", "PT1S", "--replicate-to",
                repo.toAbsolutePath() + "/", watched.toString())).isEqualTo(DrCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--replicate-to").contains("names the repository being watched into");
        assertThat(dr("watch", "--repo", repo.toString(), "--duration", "PT1S", "--replicate-to",
                dir.resolve("nowhere").toString(), watched.toString())).isNotZero();
        assertThat(err.toString()).contains("No repository at " + dir.resolve("nowhere")
                + " (create one with 'dr init --repo " + dir.resolve("nowhere") + "')");
    }

    @Test
    void aMissingDirectoryIsAUsageErrorLeavingNothingAndADirectoryNamedWithSpacesIsWatchedAsBackupNamesIt()
            throws IOException {
        StringWriter before = new StringWriter();
        assertThat(DrCommand.newCommandLine(Map.of("DR_PASSWORD", PASSWORD)).setOut(new PrintWriter(before))
                .execute("snapshots", "--repo", repo.toString(), "--json")).isZero();

        assertThat(dr("watch", "--repo", repo.toString(), "--duration", "PT0.2S", dir.resolve("nowhere").toString()))
                .isEqualTo(DrCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("Not a directory: ").contains("nowhere");
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertThat(dr("watch", "--repo", repo.toString(), "--duration", "PT0.2S", file.toString()))
                .isEqualTo(DrCommand.EXIT_USAGE);
        StringWriter after = new StringWriter();
        assertThat(DrCommand.newCommandLine(Map.of("DR_PASSWORD", PASSWORD)).setOut(new PrintWriter(after))
                .execute("snapshots", "--repo", repo.toString(), "--json")).isZero();
        assertThat(after.toString()).as("no journal base was left behind").isEqualTo(before.toString());

        Path odd = Files.createDirectories(dir.resolve("odd dir ü"));
        Files.writeString(odd.resolve("a.txt"), "a");
        assertThat(dr("watch", "--repo", repo.toString(), "--duration", "PT0.3S", odd.toString()))
                .as(err.toString()).isZero();
        assertThat(out.toString()).contains("as 'odd_dir__'");
        assertThat(dr("watch", "--repo", repo.toString(), "--name", "odd dir", "--duration", "PT0.2S", odd.toString()))
                .isEqualTo(DrCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("name must be made of letters, digits, '.', '_' and '-'")
                .contains("but was odd dir");
    }

    @Test
    void aSecondWatchOfTheSameSourceIsRefusedAtStartNamingItsWriter() throws IOException {
        Path watched = Files.createDirectories(dir.resolve("data"));
        long pid = ProcessHandle.current().pid();
        RepositoryOptions options = RepositoryOptions.builder().kdf(new KdfParams(256, 1, 1)).host("ops-1")
                .actor("watcher").build();
        try (SnapshotStore store = SnapshotStores.file(repo);
                Repository r = Repository.open(store, PASSWORD.toCharArray(), options);
                Journal running = r.manualJournal(RecordFeed.named("data"), JournalOptions.DEFAULT)) {
            assertThat(dr("watch", "--repo", repo.toString(), "--name", "data", "--duration", "PT1S",
                    watched.toString())).isEqualTo(DrCommand.EXIT_FAILED);
            assertThat(err.toString()).contains("Source 'data' is journaled already by watcher on ops-1 (pid " + pid
                    + ", since ").contains("journal-locks/data");
            assertThat(out.toString()).doesNotContain("watching");
        }
        // Once the first writer closed, the next one starts.
        assertThat(dr("watch", "--repo", repo.toString(), "--name", "data", "--duration", "PT0.2S",
                watched.toString())).isZero();
        assertThat(out.toString()).contains("watching");
    }

    @Test
    void aWatchWhoseWriterLockAnotherWriterTookOverStopsWithExit1NamingIt() throws Exception {
        Path watched = Files.createDirectories(dir.resolve("data"));
        MovableClock clock = new MovableClock(Instant.now());
        StringWriter watchOut = new StringWriter();
        StringWriter watchErr = new StringWriter();
        CommandLine cl = DrCommand.newCommandLine(Map.of("DR_PASSWORD", PASSWORD));
        ((DrCommand) cl.getCommand()).clock = clock;
        cl.setOut(new PrintWriter(watchOut, true));
        cl.setErr(new PrintWriter(watchErr, true));
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> watch = runner.submit(() -> cl.execute("watch", "--repo", repo.toString(), "--name",
                    "data", "--duration", "PT30S", watched.toString()));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!watchOut.toString().contains("watching") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(watchOut.toString()).contains("watching");
            // The watch stalled past its lock's expiry: another writer takes the source over.
            clock.advance(Duration.ofMinutes(6));
            RepositoryOptions options = RepositoryOptions.builder().kdf(new KdfParams(256, 1, 1)).host("ops-2")
                    .actor("taker").clock(clock).build();
            long pid = ProcessHandle.current().pid();
            try (SnapshotStore store = SnapshotStores.file(repo);
                    Repository r = Repository.open(store, PASSWORD.toCharArray(), options);
                    Journal taker = r.manualJournal(RecordFeed.named("data", clock), JournalOptions.DEFAULT)) {
                // The watch finds out at its next flush.
                Files.writeString(watched.resolve("ledger.csv"), "id,amount\n1,100\n");
                assertThat(watch.get(20, TimeUnit.SECONDS)).isEqualTo(DrCommand.EXIT_FAILED);
                assertThat(watchErr.toString()).hasLineCount(1)
                        .startsWith("dr: watch of 'data' stopped: another writer took its writer lock "
                                + "journal-locks/data over, taker on ops-2 (pid " + pid + ", since ")
                        .contains("this watch journals no more (1 change it took not journaled)");
                assertThat(r.locks()).extracting(LockInfo::host).containsExactly("ops-2");
            }
        } finally {
            runner.shutdownNow();
        }
    }

    /** A clock the test moves. */
    static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
