package dev.drkit.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;


import com.sun.management.OperatingSystemMXBean;
import dev.drkit.api.store.ListPage;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.api.store.StoredObject;
import dev.drkit.core.journal.RecordFeed;
import dev.drkit.core.repository.Journal;
import dev.drkit.core.repository.JournalOptions;
import dev.drkit.core.repository.KdfParams;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.testkit.store.ForwardingStore;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The journal's cost on S3 (S3Proxy, in process): 200 changes of 4 KiB per second for
 * {@code dr.harness.seconds} (default 20), counting the requests the repository sends; then the
 * same time idle. A measurement, not part of the test run: it runs only with
 * {@code -Ddr.harness=true} and prints its figures for BENCHMARKS.md.
 */
@EnabledIfSystemProperty(named = "dr.harness", matches = "true")
class JournalCostHarnessTest {

    /** Counts the requests a store receives. */
    static final class CountingStore extends ForwardingStore {
        final AtomicLong puts = new AtomicLong();
        final AtomicLong segmentPuts = new AtomicLong();
        final AtomicLong requests = new AtomicLong();

        CountingStore(SnapshotStore delegate) {
            super(delegate);
        }

        @Override
        public Optional<ObjectInfo> stat(String key) {
            requests.incrementAndGet();
            return super.stat(key);
        }

        @Override
        public byte[] get(String key) {
            requests.incrementAndGet();
            return super.get(key);
        }

        @Override
        public Optional<StoredObject> getObject(String key) {
            requests.incrementAndGet();
            return delegate().getObject(key);
        }

        @Override
        public byte[] get(String key, long offset, int length) {
            requests.incrementAndGet();
            return super.get(key, offset, length);
        }

        @Override
        public ObjectInfo put(String key, byte[] data) {
            count(key);
            return super.put(key, data);
        }

        @Override
        public Optional<ObjectInfo> putIfAbsent(String key, byte[] data) {
            count(key);
            return super.putIfAbsent(key, data);
        }

        @Override
        public Optional<ObjectInfo> replace(String key, byte[] data, String expectedEtag) {
            count(key);
            return super.replace(key, data, expectedEtag);
        }

        @Override
        public ListPage list(String prefix, @Nullable String pageToken, int pageSize) {
            requests.incrementAndGet();
            return super.list(prefix, pageToken, pageSize);
        }

        @Override
        public void delete(String key) {
            requests.incrementAndGet();
            super.delete(key);
        }

        private void count(String key) {
            requests.incrementAndGet();
            puts.incrementAndGet();
            if (key.startsWith("journal/")) {
                segmentPuts.incrementAndGet();
            }
        }
    }

    @Test
    void atMostOnePutPerFlushIntervalAndNoRequestsWhileIdle() throws Exception {
        int seconds = Integer.getInteger("dr.harness.seconds", 20);
        S3ProxyServer server = S3ProxyServer.start();
        try (CountingStore store = new CountingStore(server.newStore());
                Repository repo = Repository.init(store, "harness".toCharArray(), RepositoryOptions.builder()
                        .kdf(new KdfParams(1024, 1, 1)).build())) {
            RecordFeed feed = RecordFeed.named("harness");
            Journal journal = repo.journal(feed, JournalOptions.DEFAULT);
            Random random = new Random(1);
            long requestsBefore = store.requests.get();
            long putsBefore = store.puts.get();
            long cpuBefore = processCpuNanos();
            long start = System.nanoTime();
            long maxLagMillis = 0;
            int changes = 200 * seconds;
            for (int i = 0; i < changes; i++) {
                long due = start + i * 5_000_000L; // 200 per second
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                byte[] value = new byte[4096];
                random.nextBytes(value);
                feed.append("k" + (i % 500), value);
                maxLagMillis = Math.max(maxLagMillis, journal.lag().toMillis());
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            long cpu = processCpuNanos() - cpuBefore;
            journal.flush();
            long segmentPuts = store.segmentPuts.get();
            long puts = store.puts.get() - putsBefore;
            long requests = store.requests.get() - requestsBefore;
            long idleBefore = store.requests.get();
            Thread.sleep(Duration.ofSeconds(Math.min(10, seconds)).toMillis());
            long idleRequests = store.requests.get() - idleBefore;
            double intervals = elapsed / JournalOptions.DEFAULT.flushInterval().toNanos() * 1e9;
            System.out.printf("journal on S3Proxy: %d changes of 4 KiB in %.1f s; %d segment PUTs (%.2f per flush "
                    + "interval of %d ms), %d PUTs and %d requests in all; max lag %d ms; process CPU %.1f%% of one "
                    + "core (S3Proxy in the same JVM); %d requests in %d s idle; load average %.2f%n", changes,
                    elapsed, segmentPuts, segmentPuts / intervals, JournalOptions.DEFAULT.flushInterval().toMillis(),
                    puts, requests, maxLagMillis, 100.0 * cpu / (elapsed * 1e9), idleRequests, Math.min(10, seconds),
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            assertThat(segmentPuts).as("segment PUTs in %.1f s", elapsed).isLessThanOrEqualTo((long) intervals + 2);
            assertThat(idleRequests).as("requests while idle").isZero();
            journal.close();
        } finally {
            server.stop();
        }
    }

    private static long processCpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
