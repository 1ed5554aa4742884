package dev.drkit.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.drkit.core.repository.JournalRecord;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.Snapshot;
import dev.drkit.postgres.Lsn;
import dev.drkit.postgres.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * {@code dr.postgres.*} with {@code dr.replication.uri}: each base backup is in the secondary
 * when it returns, and the WAL journal ships its segments there, against a real PostgreSQL of
 * its own (the WAL this makes would reach the slots of {@link DrPostgresAutoConfigurationTest}).
 */
class DrPostgresReplicationTest {
    private static PostgresServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = PostgresServer.start();
        server.execute("SELECT pg_create_physical_replication_slot('app', true)", "CREATE TABLE orders (id int)");
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void eachBaseBackupIsInTheSecondaryWhenItReturnsAndTheWalShipsThere() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DrAutoConfiguration.class, DrPostgresAutoConfiguration.class))
                .withBean(DataSource.class, () -> {
                    PGSimpleDataSource ds = new PGSimpleDataSource();
                    ds.setURL(server.url());
                    ds.setUser(PostgresServer.SUPERUSER);
                    ds.setPassword(PostgresServer.PASSWORD);
                    return ds;
                })
                .withPropertyValues("dr.repository.uri=mem:pg-primary", "dr.repository.password=pw",
                        "dr.repository.init-if-missing=true", "dr.repository.kdf.memory-kib=1024",
                        "dr.repository.kdf.iterations=1", "spring.datasource.password=" + PostgresServer.PASSWORD,
                        "dr.replication.uri=mem:pg-offsite", "dr.replication.init-if-missing=true",
                        "dr.postgres.enabled=true", "dr.postgres.slot=app", "dr.postgres.flush-interval=200ms",
                        "dr.postgres.base-backup-on-start=true")
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    DrPostgres postgres = ctx.getBean(DrPostgres.class);
                    Repository offsite = ctx.getBean(DrReplication.class).secondary().orElseThrow();
                    assertThat(offsite.snapshots()).extracting(Snapshot::id)
                            .contains(postgres.lastBaseBackup().orElseThrow().snapshotId());
                    server.execute("INSERT INTO orders VALUES (1)", "SELECT pg_switch_wal()");
                    String second = postgres.baseBackup().snapshotId();
                    assertThat(offsite.snapshots()).extracting(Snapshot::id).contains(second);

                    server.execute("INSERT INTO orders VALUES (2)", "SELECT pg_switch_wal()");
                    awaitStreamedUpToNow(postgres);
                    Set<String> streamed = walChunks(ctx.getBean(Repository.class), postgres);
                    assertThat(streamed).isNotEmpty();
                    // Shipped segment by segment, without another base backup.
                    await().atMost(Duration.ofMinutes(1)).ignoreExceptions()
                            .until(() -> walChunks(offsite, postgres).containsAll(streamed));
                });
    }

    private static void awaitStreamedUpToNow(DrPostgres postgres) throws Exception {
        Lsn target;
        try (Connection c = server.superuser(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_current_wal_flush_lsn()::text")) {
            rs.next();
            target = Lsn.parse(rs.getString(1));
        }
        assertThat(postgres.streamer().awaitStreamed(target, Duration.ofMinutes(3))).isTrue();
    }

    private static Set<String> walChunks(Repository repository, DrPostgres postgres) {
        return repository.journalAt("_pgwal-" + postgres.streamer().systemId()).orElseThrow().records().stream()
                .map(JournalRecord::path).collect(Collectors.toSet());
    }
}
