package dev.drkit.test.coordination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.coordination.Coordinator;
import dev.drkit.api.coordination.FencingToken;
import dev.drkit.api.coordination.LeaseHolder;
import dev.drkit.api.coordination.LeaseListener;
import dev.drkit.api.coordination.SharedState;
import dev.drkit.api.coordination.StateListener;
import dev.drkit.api.coordination.StateVersion;
import dev.drkit.api.coordination.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link Coordinator} keeps, as a JUnit Jupiter suite: mutual exclusion of lease
 * holders, an epoch that grows with every new holder, expiry of a holder that stops renewing
 * (a paused JVM), fenced writes of a stale holder refused, compare-and-set, every committed
 * change seen in order by a watcher, and membership that follows joins, leaves and silence.
 *
 * <p>Subclass it and say how to open an instance's coordinator on the backend shared by the
 * test, how to let time pass, and how to pause an instance as a stopped JVM would be:
 *
 * <pre>{@code
 * class MyCoordinatorContractTest extends CoordinatorContract {
 *     protected Coordinator open(String memberId) { return MyCoordinator.open(ensemble, memberId); }
 *     protected void elapse(Duration d) { sleep(d); }
 *     protected void pause(Coordinator c) { ((MyCoordinator) c).suspendHeartbeats(); }
 *     ...
 * }
 * }</pre>
 *
 * <p>Implementations with an injectable ticker make {@link #elapse} move a manual ticker and
 * run the due work of every instance that is not paused, so that the suite does not sleep.
 */
public abstract class CoordinatorContract {

    private final List<Coordinator> opened = Collections.synchronizedList(new ArrayList<>());

    /**
     * Opens a new instance's coordinator on the backend shared by the current test; the suite
     * closes it after the test.
     *
     * @param memberId the instance's identity
     * @return the coordinator
     */
    protected abstract Coordinator openCoordinator(String memberId);

    /**
     * Lets time pass: every open instance that is not paused does the work that falls due
     * meanwhile (renewals, polls, announcements, campaigns).
     *
     * @param duration how long
     */
    protected abstract void elapse(Duration duration);

    /**
     * Stops an instance as a stopped JVM would be: it does no work until resumed, while time
     * passes for it as for the others.
     *
     * @param coordinator the instance
     */
    protected abstract void pause(Coordinator coordinator);

    /**
     * Lets a paused instance run again.
     *
     * @param coordinator the instance
     */
    protected abstract void resume(Coordinator coordinator);

    /**
     * Returns the lease TTL the coordinators use.
     *
     * @return the TTL
     */
    protected abstract Duration ttl();

    /**
     * Returns how often holders renew and candidates look.
     *
     * @return the renew interval
     */
    protected abstract Duration renewInterval();

    /**
     * Returns how often watched states are polled; implementations notified by push return
     * how long a change may take to arrive.
     *
     * @return the poll interval
     */
    protected abstract Duration pollInterval();

    /**
     * Returns how many threads race in the concurrency tests.
     *
     * @return the number of racing instances
     */
    protected int racingInstances() {
        return 6;
    }

    /**
     * Returns how long after a holder stops a campaigning instance must have replaced it: by
     * default the TTL plus 2%, one renew interval and one poll interval. Implementations whose
     * backend expires a silent holder on its own schedule (a ZooKeeper session timeout rounded
     * up to the ensemble's tick, on a loaded machine) return more.
     *
     * @return the bound
     */
    protected Duration takeoverBound() {
        return ttl().plus(ttl().dividedBy(50)).plus(renewInterval()).plus(pollInterval());
    }

    /**
     * Returns how long after a member stops announcing itself the others no longer list it: by
     * default the TTL plus 2% and one renew interval. Implementations whose backend drops a
     * silent member on its own schedule return more.
     *
     * @return the bound
     */
    protected Duration membershipExpiryBound() {
        return ttl().plus(ttl().dividedBy(50)).plus(renewInterval());
    }

    /**
     * Returns how long after a paused member resumes the others list it again: by default two
     * renew intervals. Implementations that must first reconnect and open a new session (as a
     * ZooKeeper client whose session expired) return more.
     *
     * @return the bound
     */
    protected Duration reannounceBound() {
        return renewInterval().multipliedBy(2);
    }

    /**
     * Opens a coordinator and remembers it for closing after the test.
     *
     * @param memberId the instance's identity
     * @return the coordinator
     */
    protected final Coordinator open(String memberId) {
        Coordinator c = openCoordinator(memberId);
        opened.add(c);
        return c;
    }

    @AfterEach
    void closeCoordinators() {
        synchronized (opened) {
            for (Coordinator c : opened) {
                resume(c);
                c.close();
            }
            opened.clear();
        }
    }

    // ---- leases -------------------------------------------------------------------------

    @Test
    @DisplayName("of several instances exactly one holds a lease, and keeps it while it renews")
    void exactlyOneInstanceHoldsTheLease() {
        Coordinator a = open("a");
        Coordinator b = open("b");
        Coordinator c = open("c");
        Optional<FencingToken> first = a.lease("leader").tryAcquire();
        assertThat(first).isPresent();
        assertThat(b.lease("leader").tryAcquire()).isEmpty();
        assertThat(c.lease("leader").tryAcquire()).isEmpty();
        for (int i = 0; i < 6; i++) {
            elapse(ttl().dividedBy(2));
            assertThat(b.lease("leader").tryAcquire()).as("b after %s", ttl().dividedBy(2).multipliedBy(i + 1))
                    .isEmpty();
            assertThat(c.lease("leader").tryAcquire()).isEmpty();
            assertThat(a.lease("leader").token()).isEqualTo(first);
        }
        assertThat(b.lease("leader").holder()).contains(new LeaseHolder("leader", "a", first.get().epoch()));
        assertThat(b.lease("leader").token()).isEmpty();
    }

    @Test
    @DisplayName("of instances racing for a free lease exactly one wins")
    void racingInstancesElectExactlyOneHolder() throws Exception {
        int n = racingInstances();
        List<Coordinator> racers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            racers.add(open("racer-" + i));
        }
        List<Optional<FencingToken>> results = race(racers, c -> c.lease("race").tryAcquire());
        assertThat(results.stream().filter(Optional::isPresent).count()).as("winners").isEqualTo(1);
    }

    @Test
    @DisplayName("every new holder gets a greater epoch, after a release and after an expiry")
    void epochIncreasesWithEveryNewHolder() {
        Coordinator a = open("a");
        Coordinator b = open("b");
        Coordinator watcher = open("watcher");
        List<Long> epochs = new ArrayList<>();
        epochs.add(a.lease("writer").tryAcquire().orElseThrow().epoch());
        assertThat(watcher.lease("writer").holder()).map(LeaseHolder::memberId).contains("a");
        a.lease("writer").release();
        assertThat(a.lease("writer").token()).isEmpty();
        epochs.add(b.lease("writer").tryAcquire().orElseThrow().epoch());
        assertThat(watcher.lease("writer").holder()).map(LeaseHolder::memberId).contains("b");
        b.lease("writer").release();
        epochs.add(a.lease("writer").tryAcquire().orElseThrow().epoch());
        assertThat(b.lease("writer").tryAcquire()).isEmpty();
        pause(a);
        Optional<FencingToken> taken = Optional.empty();
        for (Duration waited = Duration.ZERO; taken.isEmpty() && waited.compareTo(takeoverBound()) <= 0;
                waited = waited.plus(renewInterval())) {
            elapse(renewInterval());
            taken = b.lease("writer").tryAcquire();
        }
        assertThat(taken).as("b took the lease of the paused a").isPresent();
        epochs.add(taken.get().epoch());
        assertThat(epochs).isSorted().doesNotHaveDuplicates();
        assertThat(watcher.lease("writer").holder()).contains(new LeaseHolder("writer", "b", taken.get().epoch()));
    }

    @Test
    @DisplayName("a paused holder loses its lease to a campaigning instance after its TTL, never before")
    void aPausedHolderLosesTheLeaseAfterItsTtl() {
        Coordinator a = open("a");
        Coordinator b = open("b");
        FencingToken held = a.lease("leader").tryAcquire().orElseThrow();
        RecordingLeaseListener events = new RecordingLeaseListener();
        Subscription campaign = b.lease("leader").campaign(events);
        elapse(renewInterval());
        assertThat(events.acquired).isEmpty();
        long pausedAt = System.nanoTime();
        pause(a);
        Duration step = renewInterval().dividedBy(4);
        Duration waited = Duration.ZERO;
        while (events.acquired.isEmpty() && waited.compareTo(takeoverBound()) <= 0) {
            elapse(step);
            waited = waited.plus(step);
            assertThat(a.lease("leader").token().isPresent() && b.lease("leader").token().isPresent())
                    .as("both hold after %s", waited).isFalse();
        }
        assertThat(events.acquired).as("b acquired within %s", takeoverBound()).hasSize(1);
        // The time that passed for the instances: the total given to elapse for a manual ticker;
        // for an implementation whose time is real, the wall time, which is longer, since the
        // sleeps of a loaded machine last longer than asked (their total understates what passed).
        Duration wall = Duration.ofNanos(System.nanoTime() - pausedAt);
        Duration sincePause = waited.compareTo(wall) >= 0 ? waited : wall;
        assertThat(sincePause).as("b waited at least the TTL less one renew interval")
                .isGreaterThanOrEqualTo(ttl().minus(renewInterval()));
        assertThat(events.acquired.get(0).epoch()).isGreaterThan(held.epoch());
        resume(a);
        assertThat(a.lease("leader").token()).isEmpty();
        assertThat(a.lease("leader").renew()).isFalse();
        assertThat(a.lease("leader").tryAcquire()).isEmpty();
        elapse(ttl().multipliedBy(2));
        assertThat(b.lease("leader").token()).isEqualTo(Optional.of(events.acquired.get(0)));
        assertThat(events.lost).isEmpty();
        campaign.close();
    }

    @Test
    @DisplayName("a holder that went its TTL without renewing holds again only with a greater epoch, even when nobody else took the lease")
    void aLapsedHoldingIsNeverRenewedBackToLife() {
        Coordinator a = open("a");
        RecordingLeaseListener events = new RecordingLeaseListener();
        Subscription campaign = a.lease("writer").campaign(events);
        elapse(renewInterval());
        assertThat(events.acquired).hasSize(1);
        FencingToken first = events.acquired.get(0);
        pause(a);
        elapse(ttl().plus(renewInterval()));
        assertThat(a.lease("writer").token()).as("a's token after its TTL without a renewal").isEmpty();
        resume(a);
        Duration bound = takeoverBound().plus(reannounceBound());
        for (Duration waited = Duration.ZERO; events.acquired.size() < 2 && waited.compareTo(bound) <= 0;
                waited = waited.plus(renewInterval())) {
            elapse(renewInterval());
        }
        assertThat(events.lost).as("holdings a was told it lost").containsExactly(first);
        assertThat(events.acquired).as("holdings a was told it gained").hasSize(2);
        FencingToken second = events.acquired.get(1);
        assertThat(second.epoch()).as("the epoch of a's second holding").isGreaterThan(first.epoch());
        assertThat(a.lease("writer").token()).contains(second);
        campaign.close();
    }

    @Test
    @DisplayName("a campaigning instance is told when it acquires and when it releases")
    void campaignListenersHearOfGainsAndLosses() {
        Coordinator a = open("a");
        RecordingLeaseListener events = new RecordingLeaseListener();
        a.lease("job").campaign(events);
        elapse(renewInterval());
        assertThat(events.acquired).hasSize(1);
        a.lease("job").release();
        assertThat(events.lost).containsExactly(events.acquired.get(0));
    }

    @Test
    @DisplayName("closing a coordinator releases its leases for the next holder at once")
    void closingReleasesTheLease() {
        Coordinator a = open("a");
        Coordinator b = open("b");
        long first = a.lease("leader").tryAcquire().orElseThrow().epoch();
        a.close();
        assertThat(b.lease("leader").tryAcquire()).hasValueSatisfying(t -> assertThat(t.epoch()).isGreaterThan(first));
        assertThatThrownBy(() -> a.lease("leader"),
                "lease(\"leader\") on a closed coordinator must throw DrException with code ILLEGAL_STATE")
                .isInstanceOf(DrException.class)
                .extracting(e -> ((DrException) e).code()).isEqualTo(ErrorCode.ILLEGAL_STATE);
    }

    // ---- fencing ------------------------------------------------------------------------

    @Test
    @DisplayName("a holder paused past its TTL has its fenced writes refused, before and after its successor writes")
    void aStaleHoldersFencedWritesAreRefused() {
        Coordinator a = open("a");
        Coordinator b = open("b");
        FencingToken stale = a.lease("writer").tryAcquire().orElseThrow();
        SharedState byA = a.state("schedule");
        assertThat(byA.compareAndSet(0, "a-1", stale)).map(StateVersion::version).contains(1L);
        b.lease("writer").tryAcquire();
        pause(a);
        Optional<FencingToken> successor = Optional.empty();
        for (Duration waited = Duration.ZERO; successor.isEmpty() && waited.compareTo(takeoverBound()) <= 0;
                waited = waited.plus(renewInterval())) {
            elapse(renewInterval());
            successor = b.lease("writer").tryAcquire();
        }
        assertThat(successor).isPresent();
        resume(a);
        assertThatThrownBy(() -> byA.compareAndSet(1, "a-2", stale),
                "compareAndSet(1, \"a-2\") of \"schedule\" with the fencing token of a lost lease, before the "
                        + "successor wrote, must throw DrException with code STALE_EPOCH")
                .isInstanceOf(DrException.class).extracting(e -> ((DrException) e).code())
                .isEqualTo(ErrorCode.STALE_EPOCH);
        assertThat(b.state("schedule").compareAndSet(1, "b-2", successor.get())).map(StateVersion::version)
                .contains(2L);
        assertThatThrownBy(() -> byA.compareAndSet(2, "a-3", stale),
                "compareAndSet(2, \"a-3\") of \"schedule\" with the fencing token of a lost lease, after the "
                        + "successor wrote, must throw DrException with code STALE_EPOCH")
                .isInstanceOf(DrException.class).extracting(e -> ((DrException) e).code())
                .isEqualTo(ErrorCode.STALE_EPOCH);
        assertThat(b.state("schedule").read()).contains(new StateVersion("schedule", 2, "b-2"));
    }

    // ---- shared state -------------------------------------------------------------------

    @Test
    @DisplayName("compare-and-set commits only from the current version, whoever wrote it")
    void compareAndSetCommitsOnlyFromTheCurrentVersion() {
        SharedState byA = open("a").state("decision");
        SharedState byB = open("b").state("decision");
        assertThat(byA.read()).isEmpty();
        assertThat(byA.compareAndSet(0, "x")).contains(new StateVersion("decision", 1, "x"));
        assertThat(byB.compareAndSet(0, "y")).isEmpty();
        assertThat(byB.read()).contains(new StateVersion("decision", 1, "x"));
        assertThat(byB.compareAndSet(1, "y")).contains(new StateVersion("decision", 2, "y"));
        assertThat(byA.compareAndSet(1, "z")).isEmpty();
        assertThat(byA.compareAndSet(3, "z")).isEmpty();
        assertThat(byA.compareAndSet(2, "z")).contains(new StateVersion("decision", 3, "z"));
        assertThat(byB.read()).contains(new StateVersion("decision", 3, "z"));
        assertThatThrownBy(() -> byA.compareAndSet(-1, "w"),
                "compareAndSet(-1, \"w\") of \"decision\", a negative version, must throw DrException with "
                        + "code INVALID_ARGUMENT")
                .isInstanceOf(DrException.class)
                .extracting(e -> ((DrException) e).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    @DisplayName("racing writers commit every increment exactly once")
    void racingWritersCommitEachIncrementOnce() throws Exception {
        int n = racingInstances();
        int increments = 5;
        List<Coordinator> racers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            racers.add(open("writer-" + i));
        }
        race(racers, c -> {
            SharedState s = c.state("counter");
            for (int done = 0; done < increments; ) {
                Optional<StateVersion> cur = s.read();
                long version = cur.map(StateVersion::version).orElse(0L);
                int value = cur.map(v -> Integer.parseInt(v.value())).orElse(0);
                if (s.compareAndSet(version, Integer.toString(value + 1)).isPresent()) {
                    done++;
                }
            }
            return null;
        });
        assertThat(racers.get(0).state("counter").read())
                .contains(new StateVersion("counter", (long) n * increments, Integer.toString(n * increments)));
    }

    @Test
    @DisplayName("a watcher sees the current version and then every committed change in order")
    void aWatcherSeesEveryCommittedChangeInOrder() {
        SharedState byA = open("a").state("decision");
        SharedState byB = open("b").state("decision");
        byA.compareAndSet(0, "v1");
        RecordingStateListener seen = new RecordingStateListener();
        byB.watch(seen);
        elapse(pollInterval().multipliedBy(2));
        List<StateVersion> committed = new ArrayList<>(byA.read().stream().toList());
        long v = 1;
        for (int round = 0; round < 4; round++) {
            for (int i = 0; i <= round; i++) { // several commits between two polls
                StateVersion next = byA.compareAndSet(v, "v" + (v + 1)).orElseThrow();
                committed.add(next);
                v = next.version();
            }
            elapse(pollInterval().multipliedBy(2));
        }
        assertThat(seen.changes).containsExactlyElementsOf(committed);
        assertThat(seen.missed).isEmpty();
    }

    @Test
    @DisplayName("a watcher of racing writers sees every commit once, in version order")
    void aWatcherOfRacingWritersSeesEveryCommitInOrder() throws Exception {
        Coordinator observer = open("observer");
        RecordingStateListener seen = new RecordingStateListener();
        observer.state("flags").watch(seen);
        elapse(pollInterval().multipliedBy(2)); // the watch starts from "nothing committed yet"
        List<Coordinator> writers = List.of(open("w1"), open("w2"), open("w3"));
        List<StateVersion> committed = Collections.synchronizedList(new ArrayList<>());
        for (int round = 0; round < 3; round++) {
            race(writers, c -> {
                SharedState s = c.state("flags");
                for (int tries = 0; tries < 10; tries++) {
                    long version = s.read().map(StateVersion::version).orElse(0L);
                    Optional<StateVersion> done = s.compareAndSet(version, c.memberId() + "@" + version);
                    if (done.isPresent()) {
                        committed.add(done.get());
                        return null;
                    }
                }
                return null;
            });
            elapse(pollInterval().multipliedBy(2));
        }
        List<StateVersion> expected = new ArrayList<>(committed);
        expected.sort(Comparator.comparingLong(StateVersion::version));
        assertThat(expected).extracting(StateVersion::version).doesNotHaveDuplicates();
        assertThat(seen.changes).containsExactlyElementsOf(expected);
    }

    @Test
    @DisplayName("a cancelled watch hears nothing more")
    void aCancelledWatchHearsNothingMore() {
        SharedState byA = open("a").state("decision");
        RecordingStateListener seen = new RecordingStateListener();
        Subscription watch = open("b").state("decision").watch(seen);
        byA.compareAndSet(0, "one");
        elapse(pollInterval().multipliedBy(2));
        watch.close();
        byA.compareAndSet(1, "two");
        elapse(pollInterval().multipliedBy(2));
        assertThat(seen.changes).extracting(StateVersion::value).containsExactly("one");
    }

    // ---- membership ---------------------------------------------------------------------

    @Test
    @DisplayName("members join, leave, drop out when silent for the TTL, and come back when they announce again")
    void membershipFollowsJoinsLeavesAndSilence() {
        Coordinator a = open("a");
        Coordinator b = open("b");
        Coordinator c = open("c");
        a.membership("fleet").join();
        b.membership("fleet").join();
        c.membership("fleet").join();
        assertThat(a.membership("fleet").members()).containsExactly("a", "b", "c");
        c.membership("fleet").leave();
        assertThat(a.membership("fleet").members()).containsExactly("a", "b");
        assertThat(b.membership("fleet").members()).containsExactly("a", "b");
        elapse(ttl().multipliedBy(3));
        assertThat(a.membership("fleet").members()).as("b keeps announcing itself").containsExactly("a", "b");
        pause(b);
        elapse(membershipExpiryBound());
        assertThat(a.membership("fleet").members()).as("b paused past the TTL").containsExactly("a");
        resume(b);
        elapse(reannounceBound());
        assertThat(a.membership("fleet").members()).containsExactly("a", "b");
        assertThat(c.membership("fleet").members()).as("c, no longer a member, still sees the others")
                .containsExactly("a", "b");
    }

    // ---- bad input ----------------------------------------------------------------------

    @Test
    @DisplayName("blank and malformed names are refused with the argument named")
    void badNamesAreRefused() {
        Coordinator a = open("a");
        for (String bad : List.of("", "  ", "a/b", "-dash-first")) {
            assertThatThrownBy(() -> a.lease(bad),
                    "lease(\"%s\") must throw DrException with code INVALID_ARGUMENT naming the lease", bad)
                    .isInstanceOf(DrException.class)
                    .satisfies(e -> assertThat(((DrException) e).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                    .hasMessageContaining("lease");
            assertThatThrownBy(() -> a.state(bad),
                    "state(\"%s\") must throw DrException naming the state", bad)
                    .isInstanceOf(DrException.class).hasMessageContaining("state");
            assertThatThrownBy(() -> a.membership(bad),
                    "membership(\"%s\") must throw DrException naming the group", bad)
                    .isInstanceOf(DrException.class)
                    .hasMessageContaining("group");
        }
    }

    // ---- helpers ------------------------------------------------------------------------

    /** Runs one call per coordinator, all released at once, and returns their results in order. */
    private static <T> List<T> race(List<Coordinator> racers, ThrowingFunction<Coordinator, T> call)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(racers.size());
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (Coordinator c : racers) {
                Callable<T> task = () -> {
                    start.await();
                    return call.apply(c);
                };
                futures.add(pool.submit(task));
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get(60, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    /** A function that may throw. */
    @FunctionalInterface
    private interface ThrowingFunction<A, R> {
        R apply(A a) throws Exception;
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

    /** Records what a watch hears. */
    private static final class RecordingStateListener implements StateListener {
        final List<StateVersion> changes = Collections.synchronizedList(new ArrayList<>());
        final List<long[]> missed = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void changed(StateVersion version) {
            changes.add(version);
        }

        @Override
        public void missed(long fromVersion, long toVersion) {
            missed.add(new long[] {fromVersion, toVersion});
        }
    }
}
