package dev.drkit.core.coordination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.coordination.FencingToken;
import dev.drkit.api.coordination.LeaseListener;
import dev.drkit.api.coordination.StateListener;
import dev.drkit.api.coordination.StateVersion;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.store.SnapshotStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The store-backed coordinator's own guarantees, on the {@code mem:} and {@code file:} stores:
 * its request costs, its object layout, its refusal of bad settings and of stores without
 * conditional writes, and the timing rules of {@link StoreCoordinator}'s Javadoc.
 */
class StoreCoordinatorTest {
    private static final Duration STEP = Duration.ofMillis(100);

    @TempDir
    Path dir;

    private final AtomicLong ticker = new AtomicLong();
    private final List<StoreCoordinator> opened = new ArrayList<>();
    private SnapshotStore shared;

    @AfterEach
    void closeAll() {
        opened.forEach(StoreCoordinator::close);
        if (shared != null) {
            shared.close();
        }
    }

    private SnapshotStore store(String kind) {
        shared = kind.equals("mem") ? SnapshotStores.memory()
                : SnapshotStores.open(dir.resolve(UUID.randomUUID().toString()).toUri() + "?create=true");
        return shared;
    }

    @Test
    @DisplayName("on a file store whose directory was moved away, the holder loses its lease and nobody gets epoch 1 again in a new empty directory")
    void aVanishedDirectoryHandsOutNoEpochAgain() throws Exception {
        Path root = dir.resolve("fleet").resolve("store");
        shared = SnapshotStores.open("file:" + root);
        StoreCoordinator a = manual(shared, "a");
        StoreCoordinator b = manual(shared, "b");
        assertThat(root).as("the directory the first coordinator's open made").isDirectory();
        FencingToken first = a.lease("writer").tryAcquire().orElseThrow();
        assertThat(a.state("counter").compareAndSet(0, "1", first)).isPresent();
        RecordingLeaseListener events = new RecordingLeaseListener();
        b.lease("writer").campaign(events);

        Files.move(root, dir.resolve("fleet").resolve("gone"));
        run(Duration.ofSeconds(60), a, b);

        assertThat(a.lease("writer").token()).as("a's token once its renewals failed for the TTL").isEmpty();
        assertThat(events.acquired).as("holdings b gained while the directory was gone").isEmpty();
        assertThatThrownBy(() -> b.lease("writer").tryAcquire())
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND))
                .hasMessageContaining(root.toString());
        assertThatThrownBy(() -> a.state("counter").compareAndSet(1, "2"))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThat(root).doesNotExist();
    }

    private StoreCoordinator manual(SnapshotStore store, String memberId) {
        return manual(store, CoordinatorConfig.builder(memberId).ticker(ticker::get));
    }

    private StoreCoordinator manual(SnapshotStore store, CoordinatorConfig.Builder config) {
        StoreCoordinator c = StoreCoordinator.manual(store, config.build());
        opened.add(c);
        return c;
    }

    /** Moves the ticker in steps of 100 ms, ticking the given coordinators after each step. */
    private void run(Duration d, StoreCoordinator... running) {
        for (long left = d.toNanos(); left > 0; left -= STEP.toNanos()) {
            ticker.addAndGet(STEP.toNanos());
            for (StoreCoordinator c : running) {
                c.tick();
            }
        }
    }

    @ParameterizedTest(name = "{0}:")
    @ValueSource(strings = {"mem", "file"})
    @DisplayName("with the defaults a held lease costs 12 writes a minute, a campaign 12 reads, a watch 60, a member 12")
    void requestsPerMinuteWithTheDefaults(String kind) {
        SnapshotStore store = store(kind);
        CountingStore byHolder = new CountingStore(store);
        CountingStore byCandidate = new CountingStore(store);
        CountingStore byWatcher = new CountingStore(store);
        CountingStore byMember = new CountingStore(store);
        StoreCoordinator holder = manual(byHolder, "holder");
        StoreCoordinator candidate = manual(byCandidate, "candidate");
        StoreCoordinator watcher = manual(byWatcher, "watcher");
        StoreCoordinator member = manual(byMember, "member");
        assertThat(holder.lease("leader").tryAcquire()).isPresent();
        candidate.lease("leader").campaign(new RecordingLeaseListener());
        holder.state("decision").compareAndSet(0, "stable");
        watcher.state("decision").watch(v -> { });
        member.membership("fleet").join();
        run(Duration.ofMinutes(1), holder, candidate, watcher, member);
        List.of(byHolder, byCandidate, byWatcher, byMember).forEach(CountingStore::reset);

        run(Duration.ofMinutes(1), holder, candidate, watcher, member);

        assertThat(byHolder.counts()).isEqualTo(Map.of("replace", 12));
        assertThat(byCandidate.counts()).isEqualTo(Map.of("get", 12));
        assertThat(byWatcher.counts()).isEqualTo(Map.of("get", 60));
        assertThat(byMember.counts()).isEqualTo(Map.of("put", 12));
        assertThat(holder.lease("leader").token()).isPresent();
    }

    @ParameterizedTest(name = "{0}:")
    @ValueSource(strings = {"mem", "file"})
    @DisplayName("holdings are objects numbered by epoch, created once each, and only the last two are kept")
    void holdingsAreEpochNumberedObjects(String kind) {
        SnapshotStore store = store(kind);
        StoreCoordinator a = manual(store, "a");
        StoreCoordinator b = manual(store, "b");
        for (int i = 0; i < 4; i++) {
            StoreCoordinator next = i % 2 == 0 ? a : b;
            assertThat(next.lease("leader").tryAcquire()).map(FencingToken::epoch).contains(i + 1L);
            next.lease("leader").release();
        }
        assertThat(store.list("coordination/leases/leader/").map(ObjectInfo::key).toList()).containsExactly(
                "coordination/leases/leader/00000000000000000003", "coordination/leases/leader/00000000000000000004");
        assertThat(new String(store.get("coordination/leases/leader/00000000000000000004")))
                .contains("holder=b", "epoch=4", "status=RELEASED");
    }

    @ParameterizedTest(name = "{0}:")
    @ValueSource(strings = {"mem", "file"})
    @DisplayName("the state refuses an older epoch than the newest that wrote it, even when that epoch's holding looks held")
    void theStateRefusesAnOlderEpochThanItsNewestWriter(String kind) {
        SnapshotStore store = store(kind);
        StoreCoordinator a = manual(store, "a");
        StoreCoordinator b = manual(store, "b");
        FencingToken stale = a.lease("writer").tryAcquire().orElseThrow();
        String staleKey = "coordination/leases/writer/00000000000000000001";
        byte[] heldByA = store.get(staleKey);
        assertThat(a.state("plan").compareAndSet(0, "a", stale)).isPresent();
        Optional<FencingToken> successor = Optional.empty();
        for (int i = 0; i < 10 && successor.isEmpty(); i++) {
            successor = b.lease("writer").tryAcquire();
            run(Duration.ofSeconds(5), b); // a is paused: it neither ticks nor renews
        }
        assertThat(b.state("plan").compareAndSet(1, "b", successor.orElseThrow())).isPresent();
        // As if a's check of its holding had read it just before b's takeover.
        store.put(staleKey, heldByA);

        assertThatThrownBy(() -> a.state("plan").compareAndSet(2, "a again", stale)).isInstanceOf(DrException.class)
                .hasMessageContaining("written under epoch 2")
                .extracting(e -> ((DrException) e).code()).isEqualTo(ErrorCode.STALE_EPOCH);
        assertThat(b.state("plan").read()).contains(new StateVersion("plan", 2, "b"));
    }

    @ParameterizedTest(name = "{0}:")
    @ValueSource(strings = {"mem", "file"})
    @DisplayName("a watcher that falls further behind than the kept history is told which versions it missed")
    void aWatcherTooFarBehindIsToldWhatItMissed(String kind) {
        SnapshotStore store = store(kind);
        StoreCoordinator writer = manual(store, CoordinatorConfig.builder("writer").ticker(ticker::get).stateHistory(2));
        StoreCoordinator watcher = manual(store, "watcher");
        writer.state("s").compareAndSet(0, "v1");
        List<String> heard = Collections.synchronizedList(new ArrayList<>());
        watcher.state("s").watch(new StateListener() {
            @Override
            public void changed(StateVersion version) {
                heard.add(version.value());
            }

            @Override
            public void missed(long fromVersion, long toVersion) {
                heard.add("missed " + fromVersion + ".." + toVersion);
            }
        });
        run(Duration.ofSeconds(1), watcher);
        for (long v = 1; v < 6; v++) {
            writer.state("s").compareAndSet(v, "v" + (v + 1));
        }
        run(Duration.ofSeconds(1), watcher);
        assertThat(heard).containsExactly("v1", "missed 2..4", "v5", "v6");
    }

    @Test
    @DisplayName("a holding counts from before the acquire request: a slow request shortens it, never lengthens it")
    void aHoldingCountsFromBeforeTheAcquireRequest() {
        CountingStore store = new CountingStore(store("mem"));
        StoreCoordinator a = manual(store, "a");
        store.beforePutIfAbsent = () -> ticker.addAndGet(Duration.ofSeconds(4).toNanos());
        long before = ticker.get();
        assertThat(a.lease("leader").tryAcquire()).isPresent();
        store.beforePutIfAbsent = null;
        ticker.set(before + CoordinatorConfig.DEFAULT_TTL.toNanos() - 1);
        assertThat(a.lease("leader").token()).isPresent();
        ticker.set(before + CoordinatorConfig.DEFAULT_TTL.toNanos());
        assertThat(a.lease("leader").token()).isEmpty();
    }

    @Test
    @DisplayName("a holder's write that lands between a takeover's read and its write makes the takeover fail; a holder past its TTL "
            + "ends its holding rather than renewing it, and the next holder takes a greater epoch")
    void aHoldersWriteRacingATakeoverWins() {
        SnapshotStore base = store("mem");
        CountingStore byCandidate = new CountingStore(base);
        StoreCoordinator holder = manual(base, "holder");
        StoreCoordinator candidate = manual(byCandidate, "candidate");
        FencingToken held = holder.lease("leader").tryAcquire().orElseThrow();
        assertThat(candidate.lease("leader").tryAcquire()).isEmpty();
        ticker.addAndGet(Duration.ofSeconds(16).toNanos()); // the holder was paused past its TTL
        List<Boolean> renewed = new ArrayList<>();
        byCandidate.beforeReplace = () -> renewed.add(holder.lease("leader").renew());

        assertThat(candidate.lease("leader").tryAcquire()).as("the takeover raced by the holder's write").isEmpty();
        assertThat(renewed).as("renew() of a holding past its TTL").containsExactly(false);
        assertThat(holder.lease("leader").token()).isEmpty();
        byCandidate.beforeReplace = null;
        assertThat(candidate.lease("leader").tryAcquire()).map(FencingToken::epoch).contains(held.epoch() + 1);
        assertThat(holder.lease("leader").tryAcquire()).isEmpty();
    }

    @Test
    @DisplayName("two writers racing from one version with the same value never both commit, even on a store that "
            + "settles a refused write by comparing bytes")
    void racingWritersOfTheSameValueNeverBothCommit() {
        SnapshotStore base = store("mem");
        CountingStore byB = new CountingStore(base);
        byB.settleByBytes = true;
        StoreCoordinator a = manual(base, "a");
        StoreCoordinator b = manual(byB, "b");
        a.state("decision").compareAndSet(0, "stable");
        List<Optional<StateVersion>> byA = new ArrayList<>();
        byB.beforeReplace = () -> byA.add(a.state("decision").compareAndSet(1, "rollback"));

        Optional<StateVersion> mine = b.state("decision").compareAndSet(1, "rollback");

        assertThat(byA).containsExactly(Optional.of(new StateVersion("decision", 2, "rollback")));
        assertThat(mine).isEmpty();
        assertThat(a.state("decision").read()).map(StateVersion::version).contains(2L);
    }

    @Test
    @DisplayName("a renewal that landed but whose answer was lost is recognised, and the holder keeps its lease")
    void aRenewalWhoseAnswerWasLostStillCounts() {
        SnapshotStore base = store("mem");
        CountingStore byHolder = new CountingStore(base);
        StoreCoordinator holder = manual(byHolder, "holder");
        StoreCoordinator candidate = manual(base, "candidate");
        FencingToken held = holder.lease("leader").tryAcquire().orElseThrow();
        RecordingLeaseListener campaign = new RecordingLeaseListener();
        candidate.lease("leader").campaign(campaign);
        byHolder.loseNextReplaceAnswer = true;
        run(Duration.ofMinutes(1), holder, candidate);
        assertThat(holder.lease("leader").token()).contains(held);
        assertThat(campaign.acquired).isEmpty();
    }

    @Test
    @DisplayName("a holder cut off from the store stops believing at its deadline, and holds again only with a greater epoch, "
            + "also when nobody took over")
    void aHolderCutOffFromTheStoreStopsAtItsDeadline() {
        CountingStore store = new CountingStore(store("mem"));
        StoreCoordinator a = manual(store, "a");
        RecordingLeaseListener events = new RecordingLeaseListener();
        a.lease("leader").campaign(events);
        run(STEP, a);
        FencingToken held = events.acquired.get(0);
        store.down = true;
        run(Duration.ofMillis(14_800), a);
        assertThat(a.lease("leader").token()).contains(held);
        run(Duration.ofMillis(200), a);
        assertThat(a.lease("leader").token()).isEmpty();
        assertThat(events.lost).containsExactly(held);
        store.down = false;
        run(Duration.ofSeconds(2), a);
        FencingToken again = new FencingToken("leader", held.epoch() + 1);
        assertThat(a.lease("leader").token()).contains(again);
        assertThat(events.acquired).containsExactly(held, again);
        assertThat(events.lost).containsExactly(held);
    }

    @Test
    @DisplayName("settings out of range are refused naming the setting")
    void badSettingsAreRefusedNamingTheSetting() {
        assertRefused(() -> CoordinatorConfig.builder("a").ttl(Duration.ofSeconds(5)).renewInterval(Duration.ofSeconds(5))
                .build(), "ttl must be longer than renewInterval (PT5S)", "ttl=PT5S");
        assertRefused(() -> CoordinatorConfig.builder("a").ttl(Duration.ofSeconds(3)).renewInterval(Duration.ofSeconds(5))
                .build(), "ttl must be longer than renewInterval", "ttl=PT3S");
        assertRefused(() -> CoordinatorConfig.builder(null).build(), "memberId must not be null", "memberId=null");
        assertRefused(() -> CoordinatorConfig.builder("  ").build(), "memberId must not be blank", "memberId=\"  \"");
        assertRefused(() -> CoordinatorConfig.builder("").build(), "memberId must not be blank", "memberId=\"\"");
        assertRefused(() -> CoordinatorConfig.builder("pod 7").build(), "memberId must be 1 to 128", "memberId=\"pod 7\"");
        assertRefused(() -> CoordinatorConfig.builder("a").pollInterval(Duration.ZERO).build(),
                "pollInterval must be > 0", "pollInterval=PT0S");
        assertRefused(() -> CoordinatorConfig.builder("a").ttl(Duration.ofSeconds(-1)).build(), "ttl must be > 0",
                "ttl=PT-1S");
        assertRefused(() -> CoordinatorConfig.builder("a").stateHistory(0).build(), "stateHistory must be between",
                "stateHistory=0");
        assertRefused(() -> CoordinatorConfig.builder("a").keyPrefix("/abs").build(), "keyPrefix must be a valid",
                "keyPrefix=/abs");
        assertThat(CoordinatorConfig.builder("a").ttl(Duration.ofSeconds(6)).build().renewInterval())
                .isEqualTo(Duration.ofSeconds(2));
    }

    private static void assertRefused(Runnable build, String message, String input) {
        assertThatThrownBy(build::run).isInstanceOf(DrException.class).hasMessageContaining(message)
                .satisfies(e -> assertThat(((DrException) e).input()).isEqualTo(input))
                .extracting(e -> ((DrException) e).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    @DisplayName("a store that ignores conditional writes is refused at start-up, naming the store")
    void aStoreIgnoringConditionsIsRefused() {
        CountingStore store = new CountingStore(store("mem"));
        store.ignoreConditions = true;
        assertThatThrownBy(() -> manual(store, "a")).isInstanceOf(DrException.class)
                .hasMessageContaining("does not honour conditional writes (putIfAbsent overwrote an existing object)")
                .satisfies(e -> assertThat(((DrException) e).input()).isEqualTo("store=" + store.describe()))
                .extracting(e -> ((DrException) e).code()).isEqualTo(ErrorCode.UNSUPPORTED);
        assertThat(shared.list("").toList()).as("the probe is cleaned up").isEmpty();
    }

    @Test
    @DisplayName("a store that refuses conditional writes is refused at start-up, naming the store")
    void aStoreRefusingConditionsIsRefused() {
        CountingStore store = new CountingStore(store("mem"));
        store.beforePutIfAbsent = () -> {
            throw new DrException(ErrorCode.UNSUPPORTED, "The server ignores If-None-Match", "s3://bucket");
        };
        assertThatThrownBy(() -> manual(store, "a")).isInstanceOf(DrException.class)
                .hasMessageContaining("The store " + store.describe() + " does not honour conditional writes")
                .hasMessageContaining("If-None-Match")
                .extracting(e -> ((DrException) e).code()).isEqualTo(ErrorCode.UNSUPPORTED);
    }

    @Test
    @DisplayName("a coordinator from open() renews and campaigns on its own thread")
    void openCoordinatorsWorkInTheBackground() throws InterruptedException {
        SnapshotStore store = store("mem");
        CoordinatorConfig.Builder fast = CoordinatorConfig.builder("a").ttl(Duration.ofMillis(900))
                .renewInterval(Duration.ofMillis(300)).pollInterval(Duration.ofMillis(50));
        StoreCoordinator a = StoreCoordinator.open(store, fast.build());
        StoreCoordinator b = StoreCoordinator.open(store, CoordinatorConfig.builder("b").ttl(Duration.ofMillis(900))
                .renewInterval(Duration.ofMillis(300)).pollInterval(Duration.ofMillis(50)).build());
        opened.add(a);
        opened.add(b);
        LatchListener byA = new LatchListener();
        LatchListener byB = new LatchListener();
        a.lease("job").campaign(byA);
        assertThat(byA.acquired.await(10, TimeUnit.SECONDS)).isTrue();
        b.lease("job").campaign(byB);
        CountDownLatch seen = new CountDownLatch(1);
        b.state("decision").watch(v -> seen.countDown());
        a.state("decision").compareAndSet(0, "rollback");
        assertThat(seen.await(10, TimeUnit.SECONDS)).isTrue();
        a.close();
        assertThat(byB.acquired.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(b.lease("job").token()).hasValueSatisfying(t -> assertThat(t.epoch()).isEqualTo(2));
    }

    /** Records what a campaign hears. */
    private static final class RecordingLeaseListener implements LeaseListener {
        final List<FencingToken> acquired = Collections.synchronizedList(new ArrayList<>());
        final List<FencingToken> lost = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void acquired(FencingToken token) {
            acquired.add(token);
        }

        @Override
        public void lost(FencingToken token) {
            lost.add(token);
        }
    }

    /** Counts down when the lease is acquired. */
    private static final class LatchListener implements LeaseListener {
        final CountDownLatch acquired = new CountDownLatch(1);

        @Override
        public void acquired(FencingToken token) {
            acquired.countDown();
        }

        @Override
        public void lost(FencingToken token) {
        }
    }
}
