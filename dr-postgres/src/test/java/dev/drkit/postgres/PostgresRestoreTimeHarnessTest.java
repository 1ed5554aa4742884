package dev.drkit.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.OperatingSystemMXBean;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RestoreOptions;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The restore time of a cluster of about 1 GiB against a plain copy of its data directory,
 * behind the {@code postgres-acceptance} profile. A cluster is loaded with one table of random
 * text, a base backup goes into a {@code file:} repository while WAL streams, a few more rows
 * are committed and streamed, and the server is stopped cleanly. Then, alternating, three
 * times each, which goes first alternating and {@code sync} before each: {@code cp -a} of the
 * stopped cluster's directory into a fresh directory, and {@link PointInTimeRestore#restoreLatest}
 * into a fresh directory (both on the same disk; neither forces its files to disk). The last restore is started and must hold the original's row counts and
 * checksum. The figures go to {@code target/postgres-restore-time.txt}; BENCHMARKS.md records
 * them.
 */
@Tag("acceptance")
class PostgresRestoreTimeHarnessTest {
    /** About 196 bytes a row on disk (heap and primary key): 5.4 million rows are about 1 GiB. */
    private static final long ROWS = Long.getLong("dr.pg.restore.rows", 5_400_000L);
    private static final int RUNS = Integer.getInteger("dr.pg.restore.runs", 3);
    private static final String CHECKSUM = "SELECT count(*), sum(v), sum(hashtext(payload)::bigint) FROM items";

    @TempDir
    Path tmp;

    @Test
    void restoreOfAOneGibClusterAgainstAPlainCopyOfItsDataDirectory() throws Exception {
        List<String> lines = new ArrayList<>();
        lines.add("load average before: " + loadAverage());
        List<Long> copyNanos = new ArrayList<>();
        List<Long> restoreNanos = new ArrayList<>();
        List<Long> dataOnlyNanos = new ArrayList<>();
        String original;
        long afterBackupRows;
        Path lastRestore = null;
        try (PostgresServer server = PostgresServer.start("max_wal_size = 256MB", "min_wal_size = 64MB");
             Repository repo = BaseBackupTest.repository(tmp)) {
            long t0 = System.nanoTime();
            server.execute("CREATE TABLE items (id bigint PRIMARY KEY, v integer NOT NULL, payload text NOT NULL)",
                    "INSERT INTO items SELECT g, (random() * 1000000)::integer, md5(random()::text) || md5(random()"
                            + "::text) || md5(random()::text) || md5(random()::text) FROM generate_series(1, " + ROWS
                            + ") g",
                    "CHECKPOINT");
            long loadNanos = System.nanoTime() - t0;
            server.execute("SELECT pg_create_physical_replication_slot('dr', true)",
                    "CREATE TABLE after_backup (id bigint PRIMARY KEY)");
            BaseBackup backup;
            long backupNanos;
            try (WalStreamer wal = WalStreamer.start(repo, server.connection(), WalStreamConfig.of("dr"))) {
                long t1 = System.nanoTime();
                backup = PostgresBackups.of(repo, server.connection()).baseBackup();
                backupNanos = System.nanoTime() - t1;
                server.execute("INSERT INTO after_backup SELECT generate_series(1, 10000)",
                        "UPDATE items SET v = v + 1 WHERE id <= 1000");
                Lsn flushed = Lsn.parse(query(server, "SELECT pg_current_wal_flush_lsn()"));
                assertThat(wal.awaitStreamed(flushed, Duration.ofMinutes(5))).as("WAL streamed up to " + flushed)
                        .isTrue();
            }
            original = query(server, CHECKSUM);
            afterBackupRows = Long.parseLong(query(server, "SELECT count(*) FROM after_backup"));
            server.shutdown();
            Path data = server.dataDirectory();
            lines.add(String.format("load %,d rows: %.1f s; base backup: %.1f s", ROWS, loadNanos / 1e9,
                    backupNanos / 1e9));
            lines.add("data directory: " + du(data) + " (pg_wal " + du(data.resolve("pg_wal")) + "); repository: "
                    + du(tmp.resolve("repo")));
            lines.add("original: count, sum(v), sum(hashtext(payload)) = " + original + "; after_backup rows "
                    + afterBackupRows);

            Path runs = Files.createDirectory(tmp.resolve("runs"));
            OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            for (int i = 1; i <= RUNS; i++) {
                Path copy = runs.resolve("copy-" + i);
                Path restored = runs.resolve("restore-" + i);
                Path dataOnly = runs.resolve("data-only-" + i);
                long restoreCpu = 0;
                long dataOnlyCpu = 0;
                // Alternating whether the copy or the restore goes first; each starts without dirty pages of the
                // one before it. The data directory's snapshot alone says where the restore's time goes.
                List<String> order = i % 2 == 1 ? List.of("cp", "restore", "data") : List.of("restore", "data", "cp");
                for (String op : order) {
                    PostgresServer.run(List.of("sync"), false);
                    long t = System.nanoTime();
                    long cpu = os.getProcessCpuTime();
                    switch (op) {
                        case "cp" -> {
                            PostgresServer.run(List.of("cp", "-a", data.toString(), copy.toString()), false);
                            copyNanos.add(System.nanoTime() - t);
                            delete(copy);
                        }
                        case "restore" -> {
                            PointInTimeRestore.of(repo).restoreLatest(restored);
                            restoreNanos.add(System.nanoTime() - t);
                            restoreCpu = os.getProcessCpuTime() - cpu;
                        }
                        default -> {
                            repo.restore(backup.dataSnapshotId(), dataOnly,
                                    RestoreOptions.sourceIntoTarget(PostgresBackups.DATA_SOURCE));
                            dataOnlyNanos.add(System.nanoTime() - t);
                            dataOnlyCpu = os.getProcessCpuTime() - cpu;
                            delete(dataOnly);
                        }
                    }
                }
                lines.add(String.format("run %d (%s first): cp -a %.2f s, restoreLatest %.2f s (JVM CPU %.2f s), of "
                        + "which the data directory's snapshot alone %.2f s (JVM CPU %.2f s)", i, order.get(0),
                        copyNanos.get(i - 1) / 1e9, restoreNanos.get(i - 1) / 1e9, restoreCpu / 1e9,
                        dataOnlyNanos.get(i - 1) / 1e9, dataOnlyCpu / 1e9));
                System.out.println(lines.get(lines.size() - 1));
                if (lastRestore != null) {
                    delete(lastRestore);
                }
                lastRestore = restored;
            }
            lines.add("restored directory: " + du(lastRestore) + " (pg_wal " + du(lastRestore.resolve("pg_wal")) + ")");
        }

        long startNanos;
        String restoredChecksum;
        long restoredAfterBackup;
        long s0 = System.nanoTime();
        try (PostgresServer copy = PostgresServer.startRestored(lastRestore)) {
            startNanos = System.nanoTime() - s0;
            restoredChecksum = query(copy, CHECKSUM);
            restoredAfterBackup = Long.parseLong(query(copy, "SELECT count(*) FROM after_backup"));
        }
        lines.add(String.format("restored cluster started (copied into place, recovery, promotion) in %.1f s: %s; "
                + "after_backup rows %d", startNanos / 1e9, restoredChecksum, restoredAfterBackup));
        double copyMedian = median(copyNanos) / 1e9;
        double restoreMedian = median(restoreNanos) / 1e9;
        lines.add(String.format("median of %d: cp -a %.2f s, restoreLatest %.2f s, ratio %.2f; the data directory's "
                + "snapshot alone %.2f s", RUNS, copyMedian, restoreMedian, restoreMedian / copyMedian,
                median(dataOnlyNanos) / 1e9));
        lines.add("load average after: " + loadAverage());
        lines.forEach(System.out::println);
        Files.write(Path.of("target/postgres-restore-time.txt"), lines, StandardCharsets.UTF_8);

        assertThat(restoredChecksum).isEqualTo(original);
        assertThat(restoredAfterBackup).isEqualTo(afterBackupRows);
    }

    private static String query(PostgresServer server, String sql) throws SQLException {
        try (Connection c = server.superuser(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            List<String> values = new ArrayList<>();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                values.add(rs.getString(i));
            }
            return String.join(", ", values);
        }
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static String du(Path path) throws Exception {
        return PostgresServer.run(List.of("du", "-sh", "--apparent-size", path.toString()), false).split("\\s")[0];
    }

    private static String loadAverage() throws Exception {
        return Files.readString(Path.of("/proc/loadavg")).trim();
    }

    private static void delete(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            if (files.findAny().isPresent()) {
                PostgresServer.run(List.of("rm", "-rf", dir.toString()), false);
            }
        }
    }
}
