package dev.drkit.coordination.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.coordination.Coordinator;
import dev.drkit.api.coordination.FencingToken;
import dev.drkit.api.coordination.LeaseHolder;
import dev.drkit.api.coordination.LeaseListener;
import dev.drkit.api.coordination.StateListener;
import dev.drkit.api.coordination.StateVersion;
import dev.drkit.core.coordination.CoordinatorConfig;
import dev.drkit.test.coordination.CoordinatorContract;
import dev.drkit.test.fault.FaultProxy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.BoundedExponentialBackoffRetry;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The ZooKeeper coordinator keeps the coordinator contract on a real three-server ensemble, and
 * keeps its leases, states and groups through a server's death and fences a holder whose
 * session expired.
 *
 * <p>Every instance reaches each server through its own {@link FaultProxy}; pausing an instance
 * takes its proxies down, so that the ensemble hears nothing from it and expires its session
 * after the session timeout, as for a stopped JVM. Time is real: the ensemble's clock decides
 * when a session expires, so the bounds carry one extra session timeout of slack for a loaded
 * machine.
 */
class ZooKeeperCoordinatorContractTest extends CoordinatorContract {
    /** The ensemble's tick: sessions may last 2 to 20 ticks. */
    private static final int TICK_MILLIS = 500;
    private static final Duration TTL = Duration.ofSeconds(5);
    private static final Duration RENEW = Duration.ofMillis(1250);
    private static final Duration PUSH = Duration.ofSeconds(1);
    private static final AtomicInteger TESTS = new AtomicInteger();

    private static TestingCluster cluster;
    private static final List<FaultProxy> PROXIES = Collections.synchronizedList(new ArrayList<>());

    private final Map<Coordinator, List<FaultProxy>> proxiesOf = new ConcurrentHashMap<>();
    private String chroot;

    @BeforeAll
    static void startEnsemble() throws Exception {
        // The build points java.io.tmpdir at target/tmp; the servers keep their data there.
        Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
        List<InstanceSpec> specs = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            specs.add(new InstanceSpec(null, -1, -1, -1, true, i, TICK_MILLIS, -1));
        }
        cluster = new TestingCluster(specs);
        cluster.start();
    }

    @AfterAll
    static void stopEnsemble() throws IOException {
        closeProxies();
        if (cluster != null) {
            cluster.close();
        }
    }

    @BeforeEach
    void freshChroot() {
        closeProxies(); // those of the previous test, whose coordinators are closed by now
        chroot = "/contract-" + TESTS.incrementAndGet();
    }

    private static void closeProxies() {
        synchronized (PROXIES) {
            PROXIES.forEach(FaultProxy::close);
            PROXIES.clear();
        }
    }

    private CoordinatorConfig config(String memberId) {
        return CoordinatorConfig.builder(memberId).ttl(TTL).renewInterval(RENEW).pollInterval(PUSH).build();
    }

    @Override
    protected Coordinator openCoordinator(String memberId) {
        List<FaultProxy> proxies = new ArrayList<>();
        try {
            for (InstanceSpec spec : cluster.getInstances()) {
                FaultProxy proxy = new FaultProxy(spec.getPort());
                PROXIES.add(proxy);
                proxies.add(proxy);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String servers = proxies.stream().map(p -> "127.0.0.1:" + p.port()).collect(Collectors.joining(","));
        Coordinator c = ZooKeeperCoordinator.connect(servers + chroot, config(memberId));
        proxiesOf.put(c, proxies);
        return c;
    }

    @Override
    protected void elapse(Duration duration) {
        sleep(duration);
    }

    @Override
    protected void pause(Coordinator coordinator) {
        proxiesOf.getOrDefault(coordinator, List.of()).forEach(FaultProxy::down);
    }

    @Override
    protected void resume(Coordinator coordinator) {
        proxiesOf.getOrDefault(coordinator, List.of()).forEach(FaultProxy::up);
    }

    @Override
    protected Duration ttl() {
        return TTL;
    }

    @Override
    protected Duration renewInterval() {
        return RENEW;
    }

    @Override
    protected Duration pollInterval() {
        return PUSH;
    }

    @Override
    protected Duration takeoverBound() {
        return super.takeoverBound().plus(TTL);
    }

    @Override
    protected Duration membershipExpiryBound() {
        return super.membershipExpiryBound().plus(TTL);
    }

    @Override
    protected Duration reannounceBound() {
        return super.reannounceBound().plus(TTL);
    }

    // ---- beyond the contract: the ensemble's own failures -------------------------------

    @Test
    @DisplayName("a holding, its epoch, a group and a watch survive the death of the server the holder is connected to")
    void aHoldingSurvivesTheDeathOfItsServer() throws Exception {
        CuratorFramework client = CuratorFrameworkFactory.builder().connectString(cluster.getConnectString())
                .namespace(chroot.substring(1)).sessionTimeoutMs((int) TTL.toMillis())
                .connectionTimeoutMs((int) TTL.toMillis()).retryPolicy(new BoundedExponentialBackoffRetry(100, 1000, 3))
                .ensembleTracker(false).build();
        client.start();
        assertThat(client.blockUntilConnected(30, TimeUnit.SECONDS)).isTrue();
        ZooKeeperCoordinator a = ZooKeeperCoordinator.open(client, config("a"));
        Coordinator b = open("b");
        InstanceSpec killed = null;
        try {
            FencingToken held = a.lease("leader").tryAcquire().orElseThrow();
            a.membership("fleet").join();
            b.membership("fleet").join();
            RecordingStateListener seen = new RecordingStateListener();
            b.state("decision").watch(seen);
            assertThat(a.state("decision").compareAndSet(0, "before", held)).isPresent();
            await(Duration.ofSeconds(10), () -> seen.values().contains("before"));

            killed = cluster.findConnectionInstance(client.getZookeeperClient().getZooKeeper());
            assertThat(cluster.killServer(killed)).isTrue();

            Optional<StateVersion> written = retryWhileUnavailable(TTL.multipliedBy(4),
                    () -> a.state("decision").compareAndSet(1, "after", held));
            assertThat(written).as("the fenced write after the server died").map(StateVersion::version).contains(2L);
            assertThat(a.lease("leader").token()).as("a still holds, at the same epoch").contains(held);
            assertThat(a.lease("leader").renew()).isTrue();
            assertThat(retryWhileUnavailable(TTL.multipliedBy(4), () -> b.lease("leader").holder()))
                    .contains(new LeaseHolder("leader", "a", held.epoch()));
            assertThat(retryWhileUnavailable(TTL.multipliedBy(4), () -> b.lease("leader").tryAcquire())).isEmpty();
            assertThat(retryWhileUnavailable(TTL.multipliedBy(4), () -> b.membership("fleet").members()))
                    .containsExactly("a", "b");
            await(TTL.multipliedBy(4), () -> seen.values().contains("after"));
            assertThat(seen.values()).containsExactly("before", "after");
        } finally {
            a.close();
            client.close();
            if (killed != null) {
                cluster.restartServer(killed);
            }
        }
    }

    @Test
    @DisplayName("a holder whose session expired is fenced at once, before anybody else takes the lease, and campaigns back with a greater epoch")
    void aHolderWhoseSessionExpiredIsFenced() {
        Coordinator a = open("a");
        Coordinator b = open("b");
        RecordingLeaseListener events = new RecordingLeaseListener();
        a.lease("writer").campaign(events);
        assertThat(events.acquired).hasSize(1);
        FencingToken first = events.acquired.get(0);
        a.membership("fleet").join();
        assertThat(a.state("schedule").compareAndSet(0, "a-1", first)).map(StateVersion::version).contains(1L);

        pause(a);
        await(TTL.multipliedBy(4), () -> b.lease("writer").holder().isEmpty());
        assertThat(b.membership("fleet").members()).as("a's session expired").isEmpty();
        assertThat(a.lease("writer").token()).as("a's own deadline passed before its node vanished").isEmpty();
        resume(a);

        assertThatThrownBy(() -> retryWhileUnavailable(TTL.multipliedBy(4),
                () -> a.state("schedule").compareAndSet(1, "a-2", first)))
                .isInstanceOf(DrException.class).extracting(e -> ((DrException) e).code())
                .isEqualTo(ErrorCode.STALE_EPOCH);
        assertThat(b.state("schedule").read()).contains(new StateVersion("schedule", 1, "a-1"));

        await(TTL.multipliedBy(4), () -> events.acquired.size() == 2);
        FencingToken second = events.acquired.get(1);
        assertThat(events.lost).containsExactly(first);
        assertThat(second.epoch()).isGreaterThan(first.epoch());
        assertThat(a.state("schedule").compareAndSet(1, "a-2", second)).map(StateVersion::version).contains(2L);
        await(TTL.multipliedBy(2), () -> b.membership("fleet").members().contains("a"));
        assertThatThrownBy(() -> a.state("schedule").compareAndSet(2, "a-3", first))
                .isInstanceOf(DrException.class).extracting(e -> ((DrException) e).code())
                .isEqualTo(ErrorCode.STALE_EPOCH);
    }

    @Test
    @DisplayName("a holder whose deadline passed while its session lived on (a stopped JVM) is not renewed back to life: it holds again with a greater epoch")
    void aLapsedHoldingInALiveSessionTakesAGreaterEpoch() {
        AtomicLong ticker = new AtomicLong();
        Coordinator a = ZooKeeperCoordinator.connect(cluster.getConnectString() + chroot,
                CoordinatorConfig.builder("a").ttl(TTL).renewInterval(RENEW).pollInterval(PUSH).ticker(ticker::get)
                        .build());
        try {
            FencingToken first = a.lease("writer").tryAcquire().orElseThrow();
            ticker.addAndGet(TTL.multipliedBy(2).toNanos()); // the client kept the session alive meanwhile
            assertThat(a.lease("writer").token()).as("a's token past its deadline").isEmpty();
            assertThat(a.lease("writer").renew()).as("renew() of the lapsed holding").isFalse();
            FencingToken second = a.lease("writer").tryAcquire().orElseThrow();
            assertThat(second.epoch()).as("the epoch of a's next holding").isGreaterThan(first.epoch());
            assertThat(a.lease("writer").holder()).contains(new LeaseHolder("writer", "a", second.epoch()));
        } finally {
            a.close();
        }
    }

    @Test
    @DisplayName("an ensemble that does not answer at start-up is named in the error")
    void anUnreachableEnsembleIsNamed() throws IOException {
        int port = InstanceSpec.getRandomPort();
        assertThatThrownBy(() -> ZooKeeperCoordinator.connect("127.0.0.1:" + port + "/orders", config("a"),
                Duration.ofSeconds(2)))
                .isInstanceOf(DrException.class)
                .satisfies(e -> assertThat(((DrException) e).code()).isEqualTo(ErrorCode.UNAVAILABLE))
                .hasMessageContaining("127.0.0.1:" + port);
    }

    // ---- helpers ------------------------------------------------------------------------

    /** Waits, in steps of a tenth of a second, until the condition holds; fails after the bound. */
    private static void await(Duration bound, BooleanSupplier condition) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (DrException e) {
                if (e.code() != ErrorCode.UNAVAILABLE) {
                    throw e;
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + bound);
            }
            sleep(Duration.ofMillis(100));
        }
    }

    /** Calls until the ensemble answers: a client whose server died reconnects to another. */
    private static <T> T retryWhileUnavailable(Duration bound, Supplier<T> call) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (true) {
            try {
                return call.get();
            } catch (DrException e) {
                if (e.code() != ErrorCode.UNAVAILABLE || System.nanoTime() - deadline > 0) {
                    throw e;
                }
                sleep(Duration.ofMillis(100));
            }
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
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

    /** Records the values a watch hears. */
    private static final class RecordingStateListener implements StateListener {
        private final List<String> values = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void changed(StateVersion version) {
            values.add(version.value());
        }

        List<String> values() {
            synchronized (values) {
                return List.copyOf(values);
            }
        }
    }
}
