package dev.drkit.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.core.repository.Repository;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance run of issue 19, behind the {@code postgres-acceptance} profile: a writer
 * commits 500 transactions a second (each row carries its commit time) while WAL streams into
 * the repository; the postmaster is killed with SIGKILL at a random moment; the latest
 * restore is started and compared with the writer's log. Ten trials on one cluster (restarted
 * after each crash), then restores to five random instants compared with the commit times.
 * The figures go to {@code target/postgres-acceptance.txt}; BENCHMARKS.md records them.
 */
@Tag("acceptance")
class PostgresAcceptanceTest {
    private static final int TRIALS = Integer.getInteger("dr.pg.trials", 10);
    private static final int RATE = Integer.getInteger("dr.pg.rate", 500);
    private static final Duration GENEROUS = Duration.ofMinutes(5);

    @TempDir
    Path tmp;

    @Test
    void rpoOverKilledPostmastersAndExactRestoresToRandomInstants() throws Exception {
        Random random = new Random(Long.getLong("dr.pg.seed", 19L));
        List<Double> rpoSeconds = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        try (PostgresServer server = PostgresServer.start();
             Repository repo = BaseBackupTest.repository(tmp)) {
            server.execute("SELECT pg_create_physical_replication_slot('dr', true)",
                    "CREATE TABLE writes (id bigint PRIMARY KEY, committed timestamptz NOT NULL)");
            AtomicLong nextId = new AtomicLong(1);
            long lastRestoredMax = 0;
            for (int trial = 1; trial <= TRIALS; trial++) {
                if (trial > 1) {
                    server.restart();
                    try (Connection c = server.superuser(); Statement st = c.createStatement();
                         ResultSet rs = st.executeQuery("SELECT coalesce(max(id), 0) + 1 FROM writes")) {
                        rs.next();
                        nextId.set(rs.getLong(1));   // a row committed but not acknowledged before the kill stays
                    }
                }
                WalStreamer wal = WalStreamer.start(repo, server.connection(), WalStreamConfig.of("dr"));
                if (trial == 1) {
                    PostgresBackups.of(repo, server.connection()).baseBackup();
                }
                ConcurrentHashMap<Long, Instant> acked = new ConcurrentHashMap<>();
                long firstId = nextId.get();
                Thread writer = new Thread(() -> write(server, nextId, acked), "writer");
                long killAfterMillis = 2000 + random.nextInt(4000);
                Instant writingSince = Instant.now();
                writer.start();
                TimeUnit.MILLISECONDS.sleep(killAfterMillis);
                server.killPostmaster();
                writer.join();
                wal.close();
                long lastAcked = acked.keySet().stream().mapToLong(Long::longValue).max().orElse(firstId - 1);
                double rate = (lastAcked - firstId + 1) / (Duration.between(writingSince, acked.get(lastAcked))
                        .toNanos() / 1e9);

                RestoredCluster latest = PointInTimeRestore.of(repo).restoreLatest(tmp.resolve("latest-" + trial));
                long restoredMax;
                long restoredCount;
                try (PostgresServer copy = PostgresServer.startRestored(latest.dataDirectory());
                     Connection c = copy.superuser(); Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT coalesce(max(id), 0), count(*) FROM writes")) {
                    rs.next();
                    restoredMax = rs.getLong(1);
                    restoredCount = rs.getLong(2);
                }
                assertThat(restoredCount).as("restored rows are a prefix of the writes").isEqualTo(restoredMax);
                double rpo = 0;
                if (restoredMax < lastAcked) {
                    Instant lastKept = restoredMax >= firstId ? acked.get(restoredMax) : writingSince;
                    rpo = Duration.between(lastKept, acked.get(lastAcked)).toNanos() / 1e9;
                }
                rpoSeconds.add(rpo);
                lastRestoredMax = restoredMax;
                String line = String.format("trial %2d: killed after %4d ms, %6d rows acknowledged (%.0f tx/s), last "
                        + "acknowledged %d, restored up to %d, RPO %.3f s", trial, killAfterMillis,
                        lastAcked - firstId + 1, rate, lastAcked, restoredMax, rpo);
                lines.add(line);
                System.out.println(line);
            }

            server.restart();
            TreeMap<Long, Instant> commits = new TreeMap<>();
            try (Connection c = server.superuser(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT id, pg_xact_commit_timestamp(xmin) FROM writes")) {
                while (rs.next()) {
                    commits.put(rs.getLong(1), rs.getObject(2, OffsetDateTime.class).toInstant());
                }
            }
            // Instants up to the last commit the final trial's latest restore held: later ones may have been
            // in flight when the postmaster died (that is the RPO measured above).
            CoveredRange range = PointInTimeRestore.of(repo).coveredRange();
            Instant from = commits.firstEntry().getValue().isAfter(range.from()) ? commits.firstEntry().getValue()
                    : range.from();
            Instant to = commits.get(lastRestoredMax);
            for (int i = 1; i <= 5; i++) {
                Instant at = from.plusNanos((long) (random.nextDouble() * Duration.between(from, to).toNanos()));
                RestoredCluster restored = PointInTimeRestore.of(repo).restore(at, tmp.resolve("at-" + i));
                List<Long> expected = commits.entrySet().stream().filter(e -> !e.getValue().isAfter(at))
                        .map(e -> e.getKey()).toList();
                List<Long> got = new ArrayList<>();
                try (PostgresServer copy = PostgresServer.startRestored(restored.dataDirectory());
                     Connection c = copy.superuser(); Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT id FROM writes ORDER BY id")) {
                    while (rs.next()) {
                        got.add(rs.getLong(1));
                    }
                }
                String line = String.format("restore to %s: %d rows expected, %d restored, %s", at, expected.size(),
                        got.size(), got.equals(expected) ? "exactly the rows committed by then" : "MISMATCH");
                lines.add(line);
                System.out.println(line);
                assertThat(got).isEqualTo(expected);
            }
        }
        List<Double> sorted = rpoSeconds.stream().sorted().toList();
        double p99 = sorted.get((int) Math.ceil(0.99 * sorted.size()) - 1);
        double p50 = sorted.get((int) Math.ceil(0.50 * sorted.size()) - 1);
        String summary = String.format("RPO over %d trials: p50 %.3f s, p99 %.3f s, max %.3f s", sorted.size(), p50, p99,
                sorted.get(sorted.size() - 1));
        lines.add(summary);
        System.out.println(summary);
        Files.write(Path.of("target/postgres-acceptance.txt"), lines, StandardCharsets.UTF_8);
        assertThat(p99).isLessThanOrEqualTo(1.0);
    }

    private static void write(PostgresServer server, AtomicLong nextId, ConcurrentHashMap<Long, Instant> acked) {
        long intervalNanos = TimeUnit.SECONDS.toNanos(1) / RATE;
        try (Connection c = server.superuser();
             PreparedStatement insert = c.prepareStatement("INSERT INTO writes VALUES (?, clock_timestamp())")) {
            long start = System.nanoTime();
            for (long n = 0; ; n++) {
                long due = start + n * intervalNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                long id = nextId.get();
                insert.setLong(1, id);
                insert.executeUpdate();
                acked.put(id, Instant.now());
                nextId.incrementAndGet();
            }
        } catch (SQLException e) {
            // the postmaster was killed: the writer's log ends here
        }
    }
}
