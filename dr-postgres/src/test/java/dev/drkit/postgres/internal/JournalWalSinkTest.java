package dev.drkit.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.core.journal.RecordFeed;
import dev.drkit.core.repository.Journal;
import dev.drkit.core.repository.JournalOptions;
import dev.drkit.core.repository.KdfParams;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.core.store.SnapshotStores;
import dev.drkit.postgres.Lsn;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class JournalWalSinkTest {
    private static final long SEGMENT = 16L << 20;
    private static final String SYSTEM = "7300000000000000001";
    private static final String OTHER = "7300000000000000002";

    private final Repository repo = Repository.init(SnapshotStores.memory(), "pw".toCharArray(),
            RepositoryOptions.builder().kdf(new KdfParams(256, 1, 1)).build());

    @AfterEach
    void close() {
        repo.close();
    }

    private static byte[] wal(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static WalChunk chunk(String system, long start, int length) {
        return new WalChunk("", system, 1, SEGMENT, new Lsn(start), new Lsn(start + length), Instant.now());
    }

    @Test
    void chunksJournaledAndChunksKeptAsSnapshotsBeforeAreListedInOrderAndReadBack() {
        byte[] first = wal(5000, 1);
        byte[] second = wal(7000, 2);
        byte[] third = wal(300, 3);
        byte[] other = wal(100, 4);
        new RepositoryWalSink(repo).append(chunk(SYSTEM, 0x1000000, first.length), first); // as earlier versions did
        try (JournalWalSink sink = JournalWalSink.writing(repo, SYSTEM, JournalOptions.DEFAULT, Clock.systemUTC());
                JournalWalSink another = JournalWalSink.writing(repo, OTHER, JournalOptions.DEFAULT,
                        Clock.systemUTC())) {
            WalChunk stored = sink.append(chunk(SYSTEM, 0x1000000 + first.length, second.length), second);
            assertThat(stored.id()).startsWith("journal:00000001/");
            another.append(chunk(OTHER, 0x2000000, other.length), other);
            assertThatThrownBy(() -> sink.append(chunk(OTHER, 0x3000000, 4), new byte[4]))
                    .hasMessage("This WAL sink journals cluster " + SYSTEM + ", not " + OTHER);
        }
        try (JournalWalSink sink = JournalWalSink.writing(repo, SYSTEM, JournalOptions.DEFAULT, Clock.systemUTC())) {
            sink.append(chunk(SYSTEM, 0x1000000 + first.length + second.length, third.length), third);
        }

        JournalWalSink reading = JournalWalSink.reading(repo);
        List<WalChunk> chunks = reading.chunks(SYSTEM);
        assertThat(chunks).extracting(c -> c.start().value()).containsExactly(0x1000000L,
                0x1000000L + first.length, 0x1000000L + first.length + second.length);
        assertThat(chunks).extracting(WalChunk::segmentSize).containsOnly(SEGMENT);
        assertThat(chunks).extracting(WalChunk::timeline).containsOnly(1);
        assertThat(reading.read(chunks.get(0))).isEqualTo(first);
        assertThat(reading.read(chunks.get(1))).isEqualTo(second);
        assertThat(reading.read(chunks.get(2))).isEqualTo(third);
        assertThat(reading.chunks(OTHER)).hasSize(1);
        assertThat(reading.read(reading.chunks(OTHER).get(0))).isEqualTo(other);
        assertThat(repo.journalAt("_pgwal-" + SYSTEM)).isPresent();
        assertThat(repo.coverage()).extracting(c -> c.source()).containsOnly("_pgwal-" + SYSTEM, "_pgwal-" + OTHER);
    }

    @Test
    void forgettingBeforeAPositionDeletesTheChunksThatEndByItAndKeepsTheRest() {
        try (JournalWalSink sink = JournalWalSink.writing(repo, SYSTEM, JournalOptions.DEFAULT, Clock.systemUTC())) {
            for (int i = 0; i < 3; i++) {
                sink.append(chunk(SYSTEM, 0x1000000 + i * 100, 100), wal(100, i));
            }
            assertThat(sink.forgetBefore(new Lsn(0x1000000 + 200))).isEqualTo(2);
            assertThat(sink.forgetBefore(new Lsn(0x1000000 + 200))).isZero();
        }
        JournalWalSink reading = JournalWalSink.reading(repo);
        List<WalChunk> left = reading.chunks(SYSTEM);
        assertThat(left).extracting(c -> c.start().value()).containsExactly(0x1000000L + 200);
        assertThat(reading.read(left.get(0))).isEqualTo(wal(100, 2));
        assertThatThrownBy(() -> reading.forgetBefore(new Lsn(0x2000000))).hasMessage("This WAL sink only reads");
    }

    @Test
    void aMalformedWalRecordIsAnIntegrityErrorNamingItAndAReadingSinkDoesNotAppend() {
        RecordFeed feed = RecordFeed.named(JournalWalSink.source(SYSTEM));
        try (Journal journal = repo.manualJournal(feed, JournalOptions.DEFAULT)) {
            feed.append("00000001/zz-0000000001000010-16777216", new byte[16]);
            journal.flush();
        }
        JournalWalSink reading = JournalWalSink.reading(repo);
        assertThatThrownBy(() -> reading.chunks(SYSTEM)).isInstanceOf(DrException.class)
                .hasMessageContaining("WAL record '00000001/zz-0000000001000010-16777216' of journal _pgwal-" + SYSTEM)
                .extracting(e -> ((DrException) e).code()).isEqualTo(ErrorCode.INTEGRITY);
        assertThatThrownBy(() -> reading.append(chunk(SYSTEM, 0, 4), new byte[4]))
                .hasMessage("This WAL sink only reads");
        try (JournalWalSink sink = JournalWalSink.writing(repo, SYSTEM, JournalOptions.DEFAULT, Clock.systemUTC())) {
            assertThatThrownBy(() -> sink.append(chunk(SYSTEM, 0, 4), new byte[3]))
                    .hasMessage("A WAL chunk of 4 bytes came with 3");
        }
    }
}
