package dev.drkit.core.coordination.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.coordination.Lease;
import dev.drkit.api.coordination.Membership;
import dev.drkit.api.coordination.SharedState;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.coordination.CoordinatorConfig;
import dev.drkit.core.coordination.StoreCoordinator;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The store-backed coordinator: owns the leases, states and groups, and drives their due work. */
public final class StoreCoordinatorImpl implements StoreCoordinator {
    static final Logger LOG = LoggerFactory.getLogger(StoreCoordinator.class);

    private final SnapshotStore store;
    private final CoordinatorConfig config;
    private final long ttlNanos;
    private final long expiryNanos;
    private final long renewNanos;
    private final long pollNanos;
    private final Map<String, StoreLease> leases = new ConcurrentHashMap<>();
    private final Map<String, StoreSharedState> states = new ConcurrentHashMap<>();
    private final Map<String, StoreMembership> groups = new ConcurrentHashMap<>();
    private final @Nullable ScheduledExecutorService scheduler;
    private volatile boolean closed;

    private StoreCoordinatorImpl(SnapshotStore store, CoordinatorConfig config, boolean background) {
        this.store = store;
        this.config = config;
        this.ttlNanos = config.ttl().toNanos();
        this.expiryNanos = ttlNanos + ttlNanos / 100;
        this.renewNanos = config.renewInterval().toNanos();
        this.pollNanos = config.pollInterval().toNanos();
        if (background) {
            Duration shortest = config.pollInterval().compareTo(config.renewInterval()) < 0
                    ? config.pollInterval() : config.renewInterval();
            long period = Math.max(10, shortest.toMillis() / 10);
            this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "dr-coordinator-" + config.memberId());
                t.setDaemon(true);
                return t;
            });
            scheduler.scheduleWithFixedDelay(this::tick, period, period, TimeUnit.MILLISECONDS);
        } else {
            this.scheduler = null;
        }
    }

    /**
     * Checks that the store honours conditional writes and opens a coordinator on it. The
     * directory of a file store is created here when it is missing (a fleet's first start);
     * once open, a directory that disappears is an error on every write, never made again.
     *
     * @param store the store
     * @param config the settings
     * @param background whether a daemon thread calls {@link #tick()}
     * @return the coordinator
     * @throws DrException {@code UNSUPPORTED} naming the store when it ignores conditional writes
     */
    public static StoreCoordinatorImpl open(SnapshotStore store, CoordinatorConfig config, boolean background) {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(config, "config");
        if (store.createLocationIfMissing()) {
            LOG.info("Created the directory of the coordination store {}", store.describe());
        }
        ConditionalWrites.verify(store, config.keyPrefix() + "/probe/" + config.memberId());
        return new StoreCoordinatorImpl(store, config, background);
    }

    @Override
    public String memberId() {
        return config.memberId();
    }

    @Override
    public Lease lease(String name) {
        CoordinatorConfig.requireName("lease", name);
        ensureOpen();
        return leases.computeIfAbsent(name, n -> new StoreLease(this, n));
    }

    @Override
    public SharedState state(String name) {
        CoordinatorConfig.requireName("state", name);
        ensureOpen();
        return states.computeIfAbsent(name, n -> new StoreSharedState(this, n));
    }

    @Override
    public Membership membership(String group) {
        CoordinatorConfig.requireName("group", group);
        ensureOpen();
        return groups.computeIfAbsent(group, g -> new StoreMembership(this, g));
    }

    @Override
    public void tick() {
        if (closed) {
            return;
        }
        try {
            leases.values().forEach(StoreLease::tick);
            states.values().forEach(StoreSharedState::tick);
            groups.values().forEach(StoreMembership::tick);
        } catch (RuntimeException e) {
            LOG.warn("Coordination work of {} failed; retrying at the next tick", config.memberId(), e);
        }
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
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        for (StoreLease lease : leases.values()) {
            lease.closing();
        }
        for (StoreMembership group : groups.values()) {
            group.closing();
        }
        for (StoreSharedState state : states.values()) {
            state.closing();
        }
    }

    void ensureOpen() {
        if (closed) {
            throw new DrException(ErrorCode.ILLEGAL_STATE, "The coordinator of " + config.memberId() + " is closed",
                    config.memberId());
        }
    }

    SnapshotStore store() {
        return store;
    }

    String key(String... parts) {
        return config.keyPrefix() + "/" + String.join("/", parts);
    }

    long now() {
        return config.ticker().read();
    }

    long ttlNanos() {
        return ttlNanos;
    }

    /** How long an observer waits without seeing a change: the TTL plus 1% for ticker rate differences. */
    long expiryNanos() {
        return expiryNanos;
    }

    long renewNanos() {
        return renewNanos;
    }

    long pollNanos() {
        return pollNanos;
    }

    static void runListener(String what, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("A coordination listener failed on {}", what, e);
        }
    }
}
