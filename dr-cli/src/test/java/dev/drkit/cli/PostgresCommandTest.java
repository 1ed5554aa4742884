package dev.drkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.KdfParams;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.core.store.SnapshotStores;
import dev.drkit.postgres.Lsn;
import dev.drkit.postgres.PostgresBackups;
import dev.drkit.postgres.PostgresServer;
import dev.drkit.postgres.WalStreamConfig;
import dev.drkit.postgres.WalStreamer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

/** {@code dr postgres range} and {@code dr postgres restore} against WAL streamed from a real PostgreSQL. */
class PostgresCommandTest {
    private static final String PASSWORD = "correct horse";
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir
    static Path home;
    private static Path repoDir;
    private static Instant cut;
    private static int port;
    private static String systemId;

    @TempDir
    Path dir;

    private int dr(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        CommandLine cl = DrCommand.newCommandLine(Map.of("DR_PASSWORD", PASSWORD));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    /** WAL of a real server streamed beside a base backup, then the server stopped. */
    @BeforeAll
    static void streamWalBesideABaseBackup() throws Exception {
        repoDir = home.resolve("repo");
        try (PostgresServer server = PostgresServer.start()) {
            port = server.port();
            server.execute("SELECT pg_create_physical_replication_slot('dr', true)", "CREATE TABLE t (id int)");
            try (SnapshotStore store = SnapshotStores.open("file:" + repoDir);
                 Repository repo = Repository.init(store, PASSWORD.toCharArray(),
                         RepositoryOptions.builder().kdf(new KdfParams(256, 1, 1)).build());
                 WalStreamer wal = WalStreamer.start(repo, server.connection(),
                         WalStreamConfig.of("dr").withFlushInterval(Duration.ofMillis(200)))) {
                PostgresBackups.of(repo, server.connection()).baseBackup();
                try (Connection c = server.superuser(); Statement st = c.createStatement()) {
                    for (int i = 1; i <= 20; i++) {
                        st.execute("INSERT INTO t VALUES (" + i + ")");
                    }
                    try (ResultSet rs = st.executeQuery("SELECT pg_xact_commit_timestamp(xmin) FROM t WHERE id = 12")) {
                        rs.next();
                        cut = rs.getObject(1, OffsetDateTime.class).toInstant();
                    }
                    try (ResultSet rs = st.executeQuery("SELECT pg_current_wal_flush_lsn()::text")) {
                        rs.next();
                        assertThat(wal.awaitStreamed(Lsn.parse(rs.getString(1)), Duration.ofMinutes(3))).isTrue();
                    }
                    try (ResultSet rs = st.executeQuery("SELECT system_identifier::text FROM pg_control_system()")) {
                        rs.next();
                        systemId = rs.getString(1);
                    }
                }
            }
        }
    }

    @Test
    void restoreAtAnInstantLaysOutAClusterHoldingTheRowsCommittedByThen() throws Exception {
        assertThat(dr("postgres", "range", "--repo", repoDir.toString(), "--json")).isZero();
        JsonNode range = CliJson.MAPPER.readTree(out.toString());
        assertThat(Instant.parse(range.get("from").asString())).isBefore(cut);
        assertThat(Instant.parse(range.get("to").asString())).isAfter(cut);

        Path target = dir.resolve("restored");
        assertThat(dr("postgres", "restore", "--repo", repoDir.toString(), "--at", cut.toString(), "--target",
                target.toString())).as(err.toString()).isZero();
        assertThat(out.toString()).contains("recovery stops at " + cut)
                .contains("start it with: pg_ctl -D " + target + " -o '-p PORT' start (as the data directory's owner)")
                .contains("the restored cluster keeps the original's port, " + port + " (postgresql.conf): while the "
                        + "original runs on this host, give it another PORT");
        try (PostgresServer restored = PostgresServer.startRestored(target);
             Connection c = restored.superuser(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id FROM t ORDER BY id")) {
            List<Integer> ids = new ArrayList<>();
            while (rs.next()) {
                ids.add(rs.getInt(1));
            }
            assertThat(ids).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
        }

        assertThat(dr("postgres", "restore", "--repo", repoDir.toString(), "--at", "2001-01-01T00:00:00Z",
                "--target", dir.resolve("never").toString())).isEqualTo(DrCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("at 2001-01-01T00:00:00Z is outside the range");
        assertThat(dr("postgres", "restore", "--repo", repoDir.toString(), "--at", "yesterday", "--target",
                dir.resolve("never").toString())).isEqualTo(DrCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("Invalid value for option '--at': expected an ISO-8601 instant");
        assertThat(dir.resolve("never")).doesNotExist();
    }

    @Test
    void anUnknownClusterIsNamedWithTheClustersTheRepositoryHolds() {
        assertThat(dr("postgres", "restore", "--repo", repoDir.toString(), "--system", "123", "--at", "latest",
                "--target", dir.resolve("never").toString())).isNotZero();
        assertThat(err.toString()).contains("No cluster 123 in the repository; it holds clusters: " + systemId);
        assertThat(dr("postgres", "range", "--repo", repoDir.toString(), "--system", "123")).isNotZero();
        assertThat(err.toString()).contains("No cluster 123 in the repository; it holds clusters: " + systemId);
        assertThat(dir.resolve("never")).doesNotExist();
    }

    @Test
    void anInstantAfterTheRangeIsRefusedSuggestingItsEndOrLatest() throws Exception {
        assertThat(dr("postgres", "range", "--repo", repoDir.toString(), "--json")).isZero();
        Instant to = Instant.parse(CliJson.MAPPER.readTree(out.toString()).get("to").asString());
        Instant later = to.plusSeconds(5);
        assertThat(dr("postgres", "restore", "--repo", repoDir.toString(), "--at", later.toString(), "--target",
                dir.resolve("never").toString())).isEqualTo(DrCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("at " + later + " is after the end of the range")
                .contains("The range ends when the last WAL arrived; if WAL streaming was running until " + later
                        + ", nothing was written after " + to + " and a restore at " + to
                        + " (or of the latest) holds the same data: run with --at " + to + " or --at latest");
        assertThat(dir.resolve("never")).doesNotExist();
        assertThat(dr("postgres", "restore", "--repo", repoDir.toString(), "--at", to.toString(), "--target",
                dir.resolve("at-the-end").toString())).as(err.toString()).isZero();
    }
}
