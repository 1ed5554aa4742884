package dev.drkit.coordination.zookeeper.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.coordination.Lease;
import dev.drkit.api.coordination.Membership;
import dev.drkit.api.coordination.SharedState;
import dev.drkit.coordination.zookeeper.ZooKeeperCoordinator;
import dev.drkit.core.coordination.CoordinatorConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.curator.retry.BoundedExponentialBackoffRetry;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The ZooKeeper coordinator: owns the leases, states and groups, and runs their background work. */
public final class ZkCoordinator implements ZooKeeperCoordinator {
    static final Logger LOG = LoggerFactory.getLogger(ZooKeeperCoordinator.class);

    private final CuratorFramework client;
    private final boolean ownsClient;
    private final String display;
    private final CoordinatorConfig config;
    private final String base;
    private final long ttlNanos;
    private final long renewNanos;
    private final Map<String, ZkLease> leases = new ConcurrentHashMap<>();
    private final Map<String, ZkSharedState> states = new ConcurrentHashMap<>();
    private final Map<String, ZkMembership> groups = new ConcurrentHashMap<>();
    private final ScheduledExecutorService executor;
    private final ConnectionStateListener connectionListener = this::connectionChanged;
    private volatile long holdNanos;
    private volatile boolean closed;

    private ZkCoordinator(CuratorFramework client, boolean ownsClient, String display, CoordinatorConfig config) {
        this.client = client;
        this.ownsClient = ownsClient;
        this.display = display;
        this.config = config;
        this.base = "/" + config.keyPrefix();
        this.ttlNanos = config.ttl().toNanos();
        this.renewNanos = config.renewInterval().toNanos();
        this.holdNanos = ttlNanos - ttlNanos / 100;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dr-zookeeper-coordinator-" + config.memberId());
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(10, config.renewInterval().toMillis() / 4);
        executor.scheduleWithFixedDelay(this::tick, period, period, TimeUnit.MILLISECONDS);
        client.getConnectionStateListenable().addListener(connectionListener);
    }

    /**
     * Builds and starts a Curator client for an ensemble and opens a coordinator that owns it.
     *
     * @param target the ensemble
     * @param config the settings
     * @param connectTimeout how long to wait for the first connection
     * @return the coordinator
     * @throws DrException {@code UNAVAILABLE} naming the ensemble when no server answers in time
     */
    public static ZkCoordinator connect(ZkUri target, CoordinatorConfig config, Duration connectTimeout) {
        Objects.requireNonNull(config, "config");
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw DrException.invalidArgument("connectTimeout", "must be > 0", connectTimeout);
        }
        int sessionMillis = (int) Math.min(Integer.MAX_VALUE, config.ttl().toMillis());
        // A request waits this long for a connection (a server failing over) before it fails;
        // half the TTL at most, so that a health check does not hang on a lost ensemble.
        int connectionMillis = (int) Math.max(1000, Math.min(5000, config.ttl().toMillis() / 2));
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder()
                .connectString(target.servers())
                .sessionTimeoutMs(sessionMillis)
                .connectionTimeoutMs(connectionMillis)
                .retryPolicy(new BoundedExponentialBackoffRetry(100, 1000, 1))
                // The servers given are the ones to use: behind proxies, NAT or service names the
                // addresses in the ensemble's own configuration may not be reachable.
                .ensembleTracker(false);
        if (target.namespace() != null) {
            builder.namespace(target.namespace());
        }
        CuratorFramework client = builder.build();
        client.start();
        boolean connected;
        try {
            connected = client.blockUntilConnected((int) Math.max(1, connectTimeout.toMillis()), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            connected = false;
        }
        if (!connected) {
            client.close();
            throw new DrException(ErrorCode.UNAVAILABLE, "No ZooKeeper server of " + target.connectString()
                    + " answered within " + connectTimeout, target.display());
        }
        ZkCoordinator c = new ZkCoordinator(client, true, target.connectString(), config);
        c.sessionTimeoutGranted();
        c.ensureBase();
        return c;
    }

    /**
     * Opens a coordinator on a client the caller manages.
     *
     * @param client a started client
     * @param config the settings
     * @return the coordinator
     * @throws DrException {@code ILLEGAL_STATE} when the client was not started
     */
    public static ZkCoordinator open(CuratorFramework client, CoordinatorConfig config) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(config, "config");
        if (client.getState() != CuratorFrameworkState.STARTED) {
            throw new DrException(ErrorCode.ILLEGAL_STATE, "The Curator client must be started before a coordinator"
                    + " is opened on it, but it is " + client.getState(), "client");
        }
        String display = client.getZookeeperClient().getCurrentConnectionString();
        ZkCoordinator c = new ZkCoordinator(client, false, display == null ? "zookeeper" : display, config);
        c.sessionTimeoutGranted();
        c.ensureBase();
        return c;
    }

    private void ensureBase() {
        for (String dir : new String[] {"leases", "states", "members"}) {
            String path = path(dir);
            try {
                client.create().creatingParentsIfNeeded().forPath(path);
            } catch (KeeperException.NodeExistsException e) {
                // made by an earlier instance
            } catch (Exception e) {
                close();
                throw failure("prepare " + path, e);
            }
        }
    }

    @Override
    public String memberId() {
        return config.memberId();
    }

    @Override
    public Lease lease(String name) {
        CoordinatorConfig.requireName("lease", name);
        ensureOpen();
        return leases.computeIfAbsent(name, n -> new ZkLease(this, n));
    }

    @Override
    public SharedState state(String name) {
        CoordinatorConfig.requireName("state", name);
        ensureOpen();
        return states.computeIfAbsent(name, n -> new ZkSharedState(this, n));
    }

    @Override
    public Membership membership(String group) {
        CoordinatorConfig.requireName("group", group);
        ensureOpen();
        return groups.computeIfAbsent(group, g -> new ZkMembership(this, g));
    }

    @Override
    public CoordinatorConfig config() {
        return config;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        executor.shutdownNow();
        client.getConnectionStateListenable().removeListener(connectionListener);
        if (client.getZookeeperClient().isConnected()) {
            for (ZkLease lease : leases.values()) {
                lease.closing();
            }
            for (ZkMembership group : groups.values()) {
                group.closing();
            }
        } else {
            // Unreachable: waiting for it would hold the caller for every node; the ensemble
            // deletes them when the session ends (at once when this coordinator owns the client).
            LOG.warn("ZooKeeper {} is unreachable as {} closes; its leases and memberships end with its session",
                    display, config.memberId());
            leases.values().forEach(ZkLease::sessionLost);
        }
        for (ZkSharedState state : states.values()) {
            state.closing();
        }
        if (ownsClient) {
            client.close();
        }
    }

    /** Does the background work: renewals, campaigns, announcements and fallback reads of watched states. */
    private void tick() {
        if (closed) {
            return;
        }
        try {
            leases.values().forEach(l -> l.tick(false));
            groups.values().forEach(ZkMembership::tick);
            states.values().forEach(ZkSharedState::tick);
        } catch (RuntimeException e) {
            LOG.warn("Coordination work of {} failed; retrying at the next tick", config.memberId(), e);
        }
    }

    private void connectionChanged(CuratorFramework ignored, ConnectionState state) {
        if (state == ConnectionState.LOST) {
            LOG.warn("ZooKeeper session of {} on {} is lost; its leases are given up", config.memberId(), display);
            leases.values().forEach(ZkLease::sessionLost);
        } else if (state == ConnectionState.RECONNECTED || state == ConnectionState.CONNECTED) {
            sessionTimeoutGranted();
            run(() -> {
                leases.values().forEach(l -> l.tick(true));
                groups.values().forEach(ZkMembership::tick);
                states.values().forEach(ZkSharedState::check);
            });
        }
    }

    /** Runs work on the coordinator's thread, unless it is closed. */
    void run(Runnable work) {
        if (closed) {
            return;
        }
        try {
            executor.execute(() -> {
                if (closed) {
                    return;
                }
                try {
                    work.run();
                } catch (RuntimeException e) {
                    LOG.warn("Coordination work of {} failed", config.memberId(), e);
                }
            });
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    void ensureOpen() {
        if (closed) {
            throw new DrException(ErrorCode.ILLEGAL_STATE, "The coordinator of " + config.memberId() + " is closed",
                    config.memberId());
        }
    }

    boolean closed() {
        return closed;
    }

    CuratorFramework client() {
        return client;
    }

    CoordinatorConfig settings() {
        return config;
    }

    String path(String... parts) {
        return base + "/" + String.join("/", parts);
    }

    long now() {
        return config.ticker().read();
    }

    long renewNanos() {
        return renewNanos;
    }

    long ttlNanos() {
        return ttlNanos;
    }

    /**
     * Returns how long a holder may believe in a holding after the start of its last successful
     * renewal: the smaller of the TTL and the negotiated session timeout, less 1% for ticker rates.
     */
    long holdNanos() {
        return holdNanos;
    }

    /**
     * Reads the session timeout the ensemble granted; called while connected, so that
     * {@link #holdNanos()} never waits for the client.
     */
    void sessionTimeoutGranted() {
        long hold = ttlNanos;
        try {
            if (client.getZookeeperClient().isConnected()) {
                int negotiated = client.getZookeeperClient().getZooKeeper().getSessionTimeout();
                if (negotiated > 0) {
                    hold = Math.min(hold, TimeUnit.MILLISECONDS.toNanos(negotiated));
                }
            }
        } catch (Exception e) {
            return; // not connected after all: keep the last value
        }
        holdNanos = hold - hold / 100;
    }

    /**
     * Returns the id of the current session, as the client knows it.
     *
     * @throws DrException {@code UNAVAILABLE} when there is no connection
     */
    long sessionId() {
        try {
            ZooKeeper zk = client.getZookeeperClient().getZooKeeper();
            return zk.getSessionId();
        } catch (Exception e) {
            throw failure("read the session", e);
        }
    }

    /**
     * Whether the client is connected in the given session now.
     *
     * @param session a session id
     * @return true when that session is the client's current one and the client is connected
     */
    boolean liveSession(long session) {
        try {
            return client.getZookeeperClient().isConnected()
                    && client.getZookeeperClient().getZooKeeper().getSessionId() == session;
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * Brings the server this client reads from up to date with the leader as to a path, so that
     * a read after it sees every write committed before the sync began, whichever client made
     * it (a follower may lag behind otherwise). Best effort: when the sync fails or has no answer
     * within the connection timeout (the client is reconnecting, its session expired), the read
     * that follows goes ahead and meets the failure itself, as it would without the sync.
     *
     * @param path the path
     */
    void sync(String path) {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        try {
            client.sync().inBackground((ignored, event) -> done.complete(event.getResultCode())).forPath(path);
            int rc = done.get(client.getZookeeperClient().getConnectionTimeoutMs(), TimeUnit.MILLISECONDS);
            if (rc != KeeperException.Code.OK.intValue()) {
                LOG.debug("Sync of {} for {} failed: {}", path, config.memberId(), KeeperException.Code.get(rc));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.debug("Sync of {} for {} did not complete: {}", path, config.memberId(), e.toString());
        }
    }

    String memberName() {
        return config.memberId();
    }

    /** Turns a ZooKeeper or Curator failure into a {@link DrException} naming the ensemble. */
    DrException failure(String what, Exception e) {
        if (e instanceof DrException de) {
            return de;
        }
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        ErrorCode code = ErrorCode.UNAVAILABLE;
        if (e instanceof KeeperException ke) {
            switch (ke.code()) {
                case NOAUTH, AUTHFAILED -> code = ErrorCode.ACCESS_DENIED;
                case CONNECTIONLOSS, SESSIONEXPIRED, OPERATIONTIMEOUT, SESSIONMOVED, REQUESTTIMEOUT,
                        NOTREADONLY -> code = ErrorCode.UNAVAILABLE;
                default -> code = ErrorCode.IO_FAILURE;
            }
        }
        return new DrException(code, "Could not " + what + " on ZooKeeper " + display + ": " + e, display, e);
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte @Nullable [] data) {
        return data == null ? "" : new String(data, StandardCharsets.UTF_8);
    }

    static void runListener(String what, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("A coordination listener failed on {}", what, e);
        }
    }
}
