package dev.drkit.core.repository;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.testkit.store.ForwardingStore;
import dev.drkit.testkit.store.InMemoryStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A restore reads the windows its writers will need ahead of them, several requests at once. */
class RestoreReadAheadTest {
    @TempDir
    Path tmp;

    /** Answers every ranged read after a delay, as a remote store does, and counts reads in flight. */
    static final class SlowStore extends ForwardingStore {
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger mostInFlight = new AtomicInteger();
        volatile boolean slow;

        SlowStore(InMemoryStore delegate) {
            super(delegate);
        }

        @Override
        public byte[] get(String key, long offset, int length) {
            if (!slow) {
                return super.get(key, offset, length);
            }
            mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                Thread.sleep(15);
                return super.get(key, offset, length);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } finally {
                inFlight.decrementAndGet();
            }
        }
    }

    @Test
    void aSlowStoreIsReadWithMoreRequestsInFlightThanWritersAndEveryFileComesBackExact() throws IOException {
        Path src = tmp.resolve("src");
        Random random = new Random(11);
        for (int d = 0; d < 12; d++) {
            Path dir = Files.createDirectories(src.resolve("d" + d));
            for (int f = 0; f < 25; f++) {
                byte[] content = new byte[2_000 + random.nextInt(30_000)];
                random.nextBytes(content);
                Files.write(dir.resolve("f" + f), content);
            }
        }
        InMemoryStore memory = new InMemoryStore();
        memory.setPreferredReadSize(64 << 10);
        SlowStore store = new SlowStore(memory);
        RepositoryOptions options = RepositoryTest.fastOptions().packSize(256 << 10).threads(2).build();
        try (Repository repo = Repository.init(store, RepositoryTest.PASSWORD, options)) {
            repo.backup(BackupRequest.of(DirectorySource.of("src", src)));
            store.slow = true;
            RestoreResult result = repo.restore("latest", tmp.resolve("out"), RestoreOptions.all());
            assertThat(result.files()).isEqualTo(300);
        }
        assertThat(store.mostInFlight.get()).as("reads in flight at once, with two writer threads")
                .isGreaterThan(3);
        try (Stream<Path> files = Files.walk(src)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                assertThat(Files.mismatch(file, tmp.resolve("out/src").resolve(src.relativize(file))))
                        .as(file.toString()).isEqualTo(-1L);
            }
        }
    }

    @Test
    void aWindowOfARemoteStoreReachesTheEndOfItsPackSoThatThePacksTailCostsNoRequestOfItsOwn() throws IOException {
        Path src = tmp.resolve("src");
        Random random = new Random(12);
        for (int d = 0; d < 8; d++) {
            Path dir = Files.createDirectories(src.resolve("d" + d));
            for (int f = 0; f < 40; f++) {
                byte[] content = new byte[3_000];
                random.nextBytes(content);
                Files.write(dir.resolve("f" + f), content);
            }
        }
        InMemoryStore memory = new InMemoryStore();
        memory.setPreferredReadSize(64 << 10);
        java.util.Map<String, Integer> reads = new java.util.concurrent.ConcurrentHashMap<>();
        SnapshotStore store = new ForwardingStore(memory) {
            @Override
            public byte[] get(String key, long offset, int length) {
                reads.merge(key, 1, Integer::sum);
                return super.get(key, offset, length);
            }
        };
        // packs end a few kilobytes past 64 KiB, the size of a window
        RepositoryOptions options = RepositoryTest.fastOptions().packSize(64 << 10).threads(2).build();
        try (Repository repo = Repository.init(store, RepositoryTest.PASSWORD, options)) {
            repo.backup(BackupRequest.of(DirectorySource.of("src", src)));
        }
        long longerThanAWindow = memory.objects().entrySet().stream()
                .filter(e -> e.getKey().startsWith("data/") && e.getValue().size() > (64 << 10)).count();
        assertThat(longerThanAWindow).isGreaterThan(10);
        try (Repository repo = Repository.open(store, RepositoryTest.PASSWORD, options)) {
            reads.clear();
            RestoreResult result = repo.restore("latest", tmp.resolve("out"), RestoreOptions.all());
            assertThat(result.files()).isEqualTo(320);
        }
        assertThat(reads).as("ranged reads per pack").isNotEmpty().allSatisfy((key, n) -> assertThat(n).as(key)
                .isEqualTo(1));
        try (Stream<Path> files = Files.walk(src)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                assertThat(Files.mismatch(file, tmp.resolve("out/src").resolve(src.relativize(file))))
                        .as(file.toString()).isEqualTo(-1L);
            }
        }
    }
}
