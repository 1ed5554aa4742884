package dev.drkit.core.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.Coverage;
import dev.drkit.core.repository.Journal;
import dev.drkit.core.repository.JournalOptions;
import dev.drkit.core.repository.KdfParams;
import dev.drkit.core.repository.ReplicaStatus;
import dev.drkit.core.repository.Replication;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.core.repository.RestoreOptions;
import dev.drkit.core.repository.VerifyOptions;
import dev.drkit.core.store.SnapshotStores;
import dev.drkit.testkit.store.FaultInjectingStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Journal segments shipped to secondaries as they become durable, through {@link Replication#journal}. */
class ReplicatedJournalTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final JournalOptions OPTIONS = JournalOptions.DEFAULT.withFlushInterval(Duration.ofMillis(50));

    @TempDir
    Path tmp;

    static void awaitUntil(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("waited " + WAIT).isNegative();
            Thread.sleep(5);
        }
    }

    Map<String, String> restoredAt(Repository repo, Instant at, String dir) throws IOException {
        Path target = tmp.resolve(dir);
        repo.restore(at, target, RestoreOptions.all());
        return JournalTest.read(target.resolve("outbox"));
    }

    static Repository init(SnapshotStore store, String password) {
        return Repository.init(store, password.toCharArray(), RepositoryOptions.builder().kdf(new KdfParams(256, 1, 1))
                .chunkSizes(4096, 16384, 65536).packSize(256 * 1024).threads(2).build());
    }

    @Test
    void segmentsReachTheSecondaryAsTheyBecomeDurableAndAcrossACompaction() throws Exception {
        try (Repository primary = init(SnapshotStores.memory(), "p");
                Repository offsite = init(SnapshotStores.file(tmp.resolve("offsite")), "o")) {
            Replication replication = Replication.of(primary, offsite);
            RecordFeed feed = RecordFeed.named("outbox");
            Instant first;
            Instant second;
            try (Journal journal = replication.journal(feed, OPTIONS)) {
                feed.append("orders/1", JournalTest.bytes("one"));
                feed.append("orders/2", JournalTest.bytes("two ".repeat(5_000)));
                journal.flush();
                assertThat(journal.awaitReplicas(WAIT)).isTrue();
                first = journal.status().lastDurable();
                ReplicaStatus caughtUp = journal.replicas().get(0);
                assertThat(caughtUp.lag()).isEqualTo(Duration.ZERO);
                assertThat(caughtUp.shippedUntil()).isEqualTo(first);
                assertThat(caughtUp.segmentsShipped()).isEqualTo(journal.status().segments());
                assertThat(caughtUp.lastError()).isNull();

                Thread.sleep(5); // the next change is stamped after the first segment's end
                feed.append("orders/1", JournalTest.bytes("one v2"));
                feed.delete("orders/2");
                journal.flush();
                journal.compact();
                feed.append("orders/3", JournalTest.bytes("three"));
                journal.flush();
                assertThat(journal.awaitReplicas(WAIT)).isTrue();
                second = journal.status().lastDurable();
            }
            // Every instant the primary covers, the secondary covers, without a copy.
            assertThat(offsite.coverage()).extracting(Coverage::to).isEqualTo(primary.coverage().stream()
                    .map(Coverage::to).toList());
            assertThat(restoredAt(offsite, first, "a")).isEqualTo(Map.of("orders/1", "one", "orders/2",
                    "two ".repeat(5_000)));
            assertThat(restoredAt(offsite, second, "b")).isEqualTo(Map.of("orders/1", "one v2", "orders/3",
                    "three"));
            assertThat(restoredAt(offsite, second, "b")).isEqualTo(restoredAt(primary, second, "c"));
            assertThat(offsite.verify(VerifyOptions.readAllData()).ok()).isTrue();
            // A copy afterwards has nothing left to send.
            assertThat(primary.copyTo(offsite, List.of()).segmentsSent()).isZero();
        }
    }

    @Test
    void aSecondaryThatIsDownFallsBehindAndCatchesUpWhenItReturns() throws Exception {
        FaultInjectingStore flaky = FaultInjectingStore.wrap(SnapshotStores.memory()).build();
        try (Repository primary = init(SnapshotStores.memory(), "p");
                Repository healthy = init(SnapshotStores.memory(), "h");
                Repository offsite = init(flaky, "o")) {
            Replication replication = Replication.of(primary, offsite, healthy);
            RecordFeed feed = RecordFeed.named("outbox");
            try (Journal journal = replication.journal(feed, OPTIONS)) {
                assertThat(journal.awaitReplicas(WAIT)).isTrue();
                flaky.takeDown();
                feed.append("k", JournalTest.bytes("while the offsite was down"));
                journal.flush();
                awaitUntil(() -> journal.replicas().get(0).lastError() != null
                        && journal.replicas().get(1).lag().isZero());
                assertThat(journal.awaitReplicas(Duration.ofMillis(300))).isFalse();
                ReplicaStatus behind = journal.replicas().get(0);
                assertThat(behind.lastError()).containsIgnoringCase("unavailable");
                assertThat(behind.lag()).isPositive();
                assertThat(journal.replicas().get(1).lag()).isEqualTo(Duration.ZERO);
                assertThat(journal.lag()).isEqualTo(Duration.ZERO); // the primary does not wait

                flaky.bringUp();
                assertThat(journal.awaitReplicas(WAIT)).isTrue();
                assertThat(journal.replicas().get(0).lastError()).isNull();
                Instant at = journal.status().lastDurable();
                assertThat(restoredAt(offsite, at, "offsite")).isEqualTo(Map.of("k", "while the offsite was down"));
            }
        }
    }

    @Test
    void aSecondaryDownAcrossTwoCompactionsGetsEveryChainWhole() throws Exception {
        FaultInjectingStore flaky = FaultInjectingStore.wrap(SnapshotStores.memory()).build();
        try (Repository primary = init(SnapshotStores.memory(), "p");
                Repository offsite = init(flaky, "o")) {
            RecordFeed feed = RecordFeed.named("outbox");
            try (Journal journal = Replication.of(primary, offsite).journal(feed, OPTIONS)) {
                feed.append("a", JournalTest.bytes("1"));
                journal.flush();
                assertThat(journal.awaitReplicas(WAIT)).isTrue();
                flaky.takeDown();
                feed.append("b", JournalTest.bytes("2")); // the old chain's tail, written while down
                journal.flush();
                journal.compact();
                feed.append("c", JournalTest.bytes("3")); // a whole chain written while down
                journal.flush();
                journal.compact();
                feed.append("d", JournalTest.bytes("4"));
                journal.flush();
                flaky.bringUp();
                assertThat(journal.awaitReplicas(WAIT)).isTrue();
            }
            assertThat(offsite.coverage()).isEqualTo(primary.coverage());
        }
    }

    @Test
    void eachSecondarysLagIsAGaugeWhileTheJournalRuns() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        FaultInjectingStore flaky = FaultInjectingStore.wrap(SnapshotStores.memory()).build();
        try (Repository primary = Repository.init(SnapshotStores.memory(), "p".toCharArray(), RepositoryOptions
                        .builder().kdf(new KdfParams(256, 1, 1)).meters(meters).build());
                Repository offsite = init(flaky, "o")) {
            RecordFeed feed = RecordFeed.named("outbox");
            try (Journal journal = Replication.of(primary, offsite).journal(feed, OPTIONS)) {
                assertThat(journal.awaitReplicas(WAIT)).isTrue();
                Gauge lag = meters.get("dr.backup.journal.replica.lag").tag("source", "outbox")
                        .tag("secondary", "0").gauge();
                assertThat(lag.value()).isZero();
                flaky.takeDown();
                feed.append("k", JournalTest.bytes("v"));
                journal.flush();
                Thread.sleep(200);
                assertThat(lag.value()).isGreaterThan(0.1);
                flaky.bringUp();
                assertThat(journal.awaitReplicas(WAIT)).isTrue();
                assertThat(lag.value()).isZero();
            }
            assertThat(meters.find("dr.backup.journal.replica.lag").gauges()).isEmpty(); // removed on close
        }
    }

    @Test
    void aRestartedJournalShipsWhatTheSecondaryLacksBeforeAnyNewChange() throws Exception {
        SnapshotStore primaryStore = SnapshotStores.memory();
        try (Repository primary = init(primaryStore, "p");
                Repository late = init(SnapshotStores.memory(), "l")) {
            RecordFeed feed = RecordFeed.named("outbox");
            Instant at;
            try (Journal journal = primary.journal(feed, OPTIONS)) {
                feed.append("a", JournalTest.bytes("written before the secondary existed"));
                journal.flush();
                at = journal.status().lastDurable();
            }
            try (Journal journal = Replication.of(primary, late).journal(RecordFeed.named("outbox"), OPTIONS)) {
                assertThat(journal.awaitReplicas(WAIT)).isTrue();
                // The segment and, unless the clock stood still, the first journal's heartbeat at close.
                assertThat(journal.replicas().get(0).segmentsShipped()).isEqualTo(journal.status().segments())
                        .isBetween(1L, 2L);
            }
            assertThat(restoredAt(late, at, "late")).isEqualTo(Map.of("a", "written before the secondary existed"));
        }
    }

    /**
     * Two copies of one chain racing into the same secondary (a journal's shipper and a
     * replication run do): the second to store a segment finds the first's, sealed with other
     * nonces, and goes on from it instead of failing. Made deterministic: the first journal
     * segment the outer run stores waits until a whole other run has copied the chain.
     */
    @Test
    void twoCopiesOfAChainRacingIntoOneSecondaryBothSucceed() throws Exception {
        SnapshotStore offsiteStore = SnapshotStores.file(tmp.resolve("offsite"));
        AtomicReference<Runnable> beforeFirstSegment = new AtomicReference<>();
        SnapshotStore racing = (SnapshotStore) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {SnapshotStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("putIfAbsent") && ((String) args[0]).startsWith("journal/")) {
                        Runnable other = beforeFirstSegment.getAndSet(null);
                        if (other != null) {
                            other.run();
                        }
                    }
                    try {
                        return method.invoke(offsiteStore, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        try (Repository primary = init(SnapshotStores.memory(), "p");
                Repository offsite = init(racing, "o");
                Repository offsiteAgain = Repository.open(offsiteStore, "o".toCharArray())) {
            RecordFeed feed = RecordFeed.named("outbox");
            Instant at;
            try (Journal journal = primary.journal(feed, OPTIONS)) {
                feed.append("a", JournalTest.bytes("one"));
                journal.flush();
                feed.append("b", JournalTest.bytes("two ".repeat(3_000)));
                journal.flush();
                at = journal.status().lastDurable();
            }
            List<Replication.Outcome> inner = new ArrayList<>();
            beforeFirstSegment.set(() -> {
                Thread other = new Thread(() -> inner.addAll(Replication.of(primary, offsiteAgain).replicateNew()));
                other.start();
                try {
                    other.join(WAIT.toMillis());
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                assertThat(other.isAlive()).as("the other copy finished").isFalse();
            });
            List<Replication.Outcome> outer = Replication.of(primary, offsite).replicateNew();
            assertThat(beforeFirstSegment.get()).as("the race was run").isNull();
            assertThat(inner).isNotEmpty().allSatisfy(o -> assertThat(o.error()).isNull());
            assertThat(outer).isNotEmpty().allSatisfy(o -> assertThat(o.error()).isNull());
            assertThat(offsite.verify(VerifyOptions.readAllData()).ok()).isTrue();
            assertThat(restoredAt(offsite, at, "raced")).isEqualTo(Map.of("a", "one", "b", "two ".repeat(3_000)));
        }
    }

    @Test
    void aTamperedSegmentIsNotShippedAndTheErrorNamesIt() throws Exception {
        SnapshotStore primaryStore = SnapshotStores.memory();
        FaultInjectingStore flaky = FaultInjectingStore.wrap(SnapshotStores.memory()).build();
        try (Repository primary = init(primaryStore, "p");
                Repository offsite = init(flaky, "o")) {
            RecordFeed feed = RecordFeed.named("outbox");
            try (Journal journal = Replication.of(primary, offsite).journal(feed, OPTIONS)) {
                assertThat(journal.awaitReplicas(WAIT)).isTrue();
                flaky.takeDown();
                feed.append("a", JournalTest.bytes("genuine"));
                journal.flush();
                // Once a shipment failed, the next one reads the segment afresh from the primary.
                awaitUntil(() -> journal.replicas().get(0).lastError() != null);
                String key = primaryStore.list("journal/").map(i -> i.key()).findFirst().orElseThrow();
                byte[] damaged = primaryStore.get(key);
                damaged[damaged.length / 2] ^= 1;
                primaryStore.put(key, damaged);
                flaky.bringUp();

                assertThat(journal.awaitReplicas(Duration.ofSeconds(3))).isFalse();
                assertThat(journal.replicas().get(0).lastError()).containsIgnoringCase("integrity").contains(key);
            }
            assertThat(flaky.list("journal/").count()).isZero();
        }
    }
}
