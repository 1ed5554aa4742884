package dev.drkit.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.core.repository.JournalRecord;
import dev.drkit.core.repository.KdfParams;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.postgres.internal.JournalWalSink;
import dev.drkit.testkit.store.ForwardingStore;
import dev.drkit.testkit.store.InMemoryStore;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The slot is acknowledged only up to WAL that is durable in the repository: when the store
 * stops taking writes, streaming stops and the server keeps every byte the repository lacks.
 */
class SlotAcknowledgementTest {

    /** A store whose writes fail while {@code failing} is set. */
    static final class FlakyStore extends ForwardingStore {
        final AtomicBoolean failing = new AtomicBoolean();

        FlakyStore() {
            super(new InMemoryStore());
        }

        @Override
        public ObjectInfo put(String key, byte[] data) {
            refuse(key);
            return super.put(key, data);
        }

        @Override
        public Optional<ObjectInfo> putIfAbsent(String key, byte[] data) {
            refuse(key);
            return super.putIfAbsent(key, data);
        }

        @Override
        public Optional<ObjectInfo> replace(String key, byte[] data, String expectedEtag) {
            refuse(key);
            return super.replace(key, data, expectedEtag);
        }

        private void refuse(String key) {
            if (failing.get()) {
                throw new DrException(ErrorCode.UNAVAILABLE, "the store refuses writes", key);
            }
        }
    }

    private static Lsn query(PostgresServer server, String sql) throws Exception {
        try (Connection c = server.superuser(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        }
    }

    @Test
    void whenTheStoreFailsTheSlotKeepsEveryByteTheRepositoryLacks() throws Exception {
        FlakyStore store = new FlakyStore();
        try (PostgresServer server = PostgresServer.start();
             Repository repo = Repository.init(store, "pw".toCharArray(),
                     RepositoryOptions.builder().kdf(new KdfParams(256, 1, 1)).build())) {
            server.execute("SELECT pg_create_physical_replication_slot('dr', true)", "CREATE TABLE t (id int)");
            WalStreamer wal = WalStreamer.start(repo, server.connection(),
                    WalStreamConfig.of("dr").withFlushInterval(Duration.ofMillis(100)));
            try {
                server.execute("INSERT INTO t SELECT generate_series(1, 1000)");
                assertThat(wal.awaitStreamed(query(server, "SELECT pg_current_wal_flush_lsn()::text"),
                        Duration.ofMinutes(3))).isTrue();
                Lsn before = wal.streamedLsn();

                store.failing.set(true);
                server.execute("INSERT INTO t SELECT generate_series(1, 100000)");
                Lsn wanted = query(server, "SELECT pg_current_wal_flush_lsn()::text");
                assertThatThrownBy(() -> wal.awaitStreamed(wanted, Duration.ofMinutes(3)))
                        .isInstanceOf(DrException.class).hasMessageContaining("WAL streaming stopped");
                assertThat(wal.failure()).isPresent();
                Lsn durable = wal.streamedLsn();
                assertThat(durable).isGreaterThanOrEqualTo(before);

                Lsn restart = query(server, "SELECT restart_lsn::text FROM pg_replication_slots WHERE slot_name = 'dr'");
                Lsn stored = Lsn.ZERO;
                // Records <timeline>/<start>-<end>-<segment size>, positions in hex.
                String system = repo.coverage().get(0).source().substring(JournalWalSink.SOURCE_PREFIX.length());
                for (JournalRecord r : repo.journalAt(JournalWalSink.source(system)).orElseThrow().records()) {
                    Lsn end = new Lsn(HexFormat.of().fromHexDigitsToLong(r.path().split("/")[1].split("-")[1]));
                    stored = end.compareTo(stored) > 0 ? end : stored;
                }
                assertThat(stored).isEqualTo(durable);
                assertThat(restart).isLessThanOrEqualTo(durable);
                assertThat(wanted).isGreaterThan(durable);
            } finally {
                wal.close();
            }
        }
    }
}
