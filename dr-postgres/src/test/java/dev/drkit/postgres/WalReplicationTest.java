package dev.drkit.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.core.repository.Replication;
import dev.drkit.core.repository.Repository;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalReplicationTest {
    @TempDir
    Path tmp;

    private static Lsn flushed(PostgresServer server) throws Exception {
        try (Connection c = server.superuser(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_current_wal_flush_lsn()::text")) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        }
    }

    private static Lsn walEnd(Repository repo) {
        try {
            return PointInTimeRestore.of(repo).coveredRange().walEnd();
        } catch (DrException e) {
            return Lsn.ZERO; // no WAL continuing a base backup there yet
        }
    }

    @Test
    void walBeforeTheOldestKeptBaseBackupIsForgottenAndTheLatestRestoreStillHoldsEveryCommit() throws Exception {
        try (PostgresServer server = PostgresServer.start();
             Repository repo = BaseBackupTest.repository(tmp.resolve("repo"))) {
            server.execute("SELECT pg_create_physical_replication_slot('dr', true)",
                    "CREATE TABLE ledger (id bigint PRIMARY KEY)");
            try (WalStreamer wal = WalStreamer.start(repo, server.connection(),
                    WalStreamConfig.of("dr").withFlushInterval(Duration.ofMillis(200)))) {
                PostgresBackups backups = PostgresBackups.of(repo, server.connection());
                backups.baseBackup();
                server.execute("INSERT INTO ledger SELECT generate_series(1, 300)", "SELECT pg_switch_wal()");
                BaseBackup kept = backups.baseBackup();
                server.execute("INSERT INTO ledger SELECT generate_series(301, 600)");
                assertThat(wal.awaitStreamed(flushed(server), Duration.ofMinutes(3))).isTrue();

                assertThat(wal.forgetWalBefore(kept)).isPositive();
                assertThatThrownBy(() -> wal.forgetWalBefore(new BaseBackup("x", "y", "another", 1, Lsn.ZERO,
                        Lsn.ZERO, kept.startTime(), kept.stopTime()))).isInstanceOf(DrException.class)
                        .hasMessageContaining("oldestKept must be a base backup of cluster");
            }
            RestoredCluster restored = PointInTimeRestore.of(repo).restoreLatest(tmp.resolve("restored"));
            try (PostgresServer copy = PostgresServer.startRestored(restored.dataDirectory());
                 Connection c = copy.superuser(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*), max(id) FROM ledger")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(600);
                assertThat(rs.getLong(2)).isEqualTo(600);
            }
        }
    }

    @Test
    void aSecondaryTheWalJournalShipsToRestoresTheClusterWithEveryStreamedCommit() throws Exception {
        try (PostgresServer server = PostgresServer.start();
             Repository primary = BaseBackupTest.repository(tmp.resolve("primary"));
             Repository offsite = BaseBackupTest.repository(tmp.resolve("offsite"))) {
            server.execute("SELECT pg_create_physical_replication_slot('dr', true)",
                    "CREATE TABLE ledger (id bigint PRIMARY KEY)");
            Replication replication = Replication.of(primary, offsite);
            Lsn wanted;
            try (WalStreamer wal = WalStreamer.start(replication, server.connection(),
                    WalStreamConfig.of("dr").withFlushInterval(Duration.ofMillis(200)))) {
                PostgresBackups.of(primary, server.connection()).baseBackup();
                assertThat(replication.replicateNew()).allSatisfy(o -> assertThat(o.ok()).isTrue());
                server.execute("INSERT INTO ledger SELECT generate_series(1, 500)");
                wanted = flushed(server);
                assertThat(wal.awaitStreamed(wanted, Duration.ofMinutes(3))).isTrue();
                // The secondary has it within about a flush interval of the primary.
                long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
                while (walEnd(offsite).compareTo(wanted) < 0) {
                    assertThat(System.nanoTime() - deadline).as("the secondary's WAL reaches %s", wanted).isNegative();
                    Thread.sleep(50);
                }
            }
            RestoredCluster restored = PointInTimeRestore.of(offsite).restoreLatest(tmp.resolve("restored"));
            try (PostgresServer copy = PostgresServer.startRestored(restored.dataDirectory());
                 Connection c = copy.superuser(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT id FROM ledger ORDER BY id")) {
                List<Long> ids = new ArrayList<>();
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
                assertThat(ids).hasSize(500).startsWith(1L).endsWith(500L);
            }
        }
    }
}
