package dev.drkit.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.KdfParams;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.core.repository.SnapshotEntry;
import dev.drkit.core.store.SnapshotStores;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BaseBackupTest {
    private static PostgresServer server;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startServer() throws Exception {
        server = PostgresServer.start();
        server.execute("CREATE TABLE items (id bigint PRIMARY KEY, payload text)",
                "INSERT INTO items SELECT g, repeat(md5(g::text), 20) FROM generate_series(1, 20000) g");
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    static Repository repository(Path dir) {
        SnapshotStore store = SnapshotStores.open("file:" + dir.resolve("repo"));
        return Repository.openOrInit(store, "pw".toCharArray(),
                RepositoryOptions.builder().kdf(new KdfParams(256, 1, 1)).build());
    }

    @Test
    void baseBackupsKeepTheLabelLeaveOutRuntimeFilesAndStoreUnchangedDataOnce() throws Exception {
        try (Repository repo = repository(tmp)) {
            PostgresBackups backups = PostgresBackups.of(repo, server.connection());
            BaseBackup first = backups.baseBackup();
            server.execute("INSERT INTO items VALUES (-1, 'one more row')");
            BaseBackup second = backups.baseBackup();

            assertThat(backups.baseBackups()).containsExactly(first, second);
            assertThat(second.startLsn()).isGreaterThan(first.stopLsn());
            assertThat(second.stopLsn()).isGreaterThanOrEqualTo(second.startLsn());
            assertThat(second.stopTime()).isAfterOrEqualTo(second.startTime());

            String label;
            try (InputStream in = repo.openEntry(second.snapshotId(), PostgresBackups.LABEL_SOURCE + "/backup_label")) {
                label = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            assertThat(label).contains("START WAL LOCATION: " + second.startLsn()).contains("BACKUP METHOD: streamed");

            List<String> paths = repo.entries(second.dataSnapshotId()).stream().map(SnapshotEntry::path).toList();
            assertThat(paths).contains("pgdata/PG_VERSION", "pgdata/global/pg_control", "pgdata/pg_wal")
                    .noneMatch(p -> p.endsWith("postmaster.pid"))
                    .noneMatch(p -> p.startsWith("pgdata/pg_wal/"));

            long stored = repo.stats().rawBytes();
            assertThat(stored).isPositive();
        }
    }

    @Test
    void aSecondBaseBackupOfAnUnchangedClusterAddsLittleData() throws Exception {
        try (Repository repo = repository(tmp)) {
            PostgresBackups backups = PostgresBackups.of(repo, server.connection());
            backups.baseBackup();
            long after1 = repo.stats().rawBytes();
            backups.baseBackup();
            long after2 = repo.stats().rawBytes();
            assertThat(after1).isGreaterThan(5_000_000L);
            assertThat(after2 - after1).isLessThan(after1 / 4);
        }
    }

    @Test
    void wrongPasswordIsNamed() {
        try (Repository repo = repository(tmp)) {
            PostgresBackups backups = PostgresBackups.of(repo, server.connection(PostgresServer.SUPERUSER, "wrong"));
            assertThatThrownBy(backups::baseBackup).isInstanceOf(DrException.class)
                    .hasMessageContaining("password")
                    .satisfies(e -> assertThat(((DrException) e).code()).isEqualTo(ErrorCode.ACCESS_DENIED));
            assertThat(backups.baseBackups()).isEmpty();
        }
    }

    @Test
    void aRoleThatMayNotStartBackupsIsNamed() throws Exception {
        server.execute("DROP ROLE IF EXISTS reader", "CREATE ROLE reader LOGIN PASSWORD 'reader-pw'",
                "GRANT pg_read_all_settings TO reader");
        try (Repository repo = repository(tmp)) {
            PostgresBackups backups = PostgresBackups.of(repo, server.connection("reader", "reader-pw"));
            assertThatThrownBy(backups::baseBackup).isInstanceOf(DrException.class)
                    .hasMessageContaining("pg_backup_start")
                    .satisfies(e -> assertThat(((DrException) e).code()).isEqualTo(ErrorCode.ACCESS_DENIED));
            assertThat(backups.baseBackups()).isEmpty();
        }
    }

    @Test
    void walLevelMinimalIsNamed() throws Exception {
        try (PostgresServer minimal = PostgresServer.start("wal_level = minimal", "max_wal_senders = 0");
             Repository repo = repository(tmp)) {
            PostgresBackups backups = PostgresBackups.of(repo, minimal.connection());
            assertThatThrownBy(backups::baseBackup).isInstanceOf(DrException.class)
                    .hasMessageContaining("wal_level")
                    .satisfies(e -> assertThat(((DrException) e).code()).isEqualTo(ErrorCode.INVALID_CONFIG));
            assertThatThrownBy(() -> WalStreamer.start(repo, minimal.connection(), WalStreamConfig.of("dr")))
                    .isInstanceOf(DrException.class)
                    .hasMessageContaining("wal_level")
                    .satisfies(e -> assertThat(((DrException) e).input()).isEqualTo("wal_level"));
            assertThat(repo.snapshots()).as("refused, nothing is written: no base backup, no WAL journal").isEmpty();
        }
    }
}
