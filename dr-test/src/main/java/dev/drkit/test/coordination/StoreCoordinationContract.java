package dev.drkit.test.coordination;

import dev.drkit.api.Ticker;
import dev.drkit.api.coordination.Coordinator;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.coordination.CoordinatorConfig;
import dev.drkit.core.coordination.StoreCoordinator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The {@link CoordinatorContract} run against {@link StoreCoordinator} on a store: subclass it
 * and say how to make a fresh store, to check that the store carries leases, shared state and
 * membership.
 *
 * <pre>{@code
 * class MyStoreCoordinationTest extends StoreCoordinationContract {
 *     @Override
 *     protected SnapshotStore createStore() {
 *         return MyStore.open(freshBucket());
 *     }
 * }
 * }</pre>
 *
 * <p>Time is a manual ticker that {@link #elapse} moves in steps of a quarter of the poll
 * interval, calling {@link StoreCoordinator#tick()} on every instance that is not paused after
 * each step, so the suite never sleeps. Each instance reads the ticker with its own large
 * offset, as separate JVMs would: only differences between readings of one ticker may matter.
 */
public abstract class StoreCoordinationContract extends CoordinatorContract {

    /** The store shared by the instances of the current test. */
    protected SnapshotStore store;

    private final AtomicLong ticker = new AtomicLong();
    private final List<StoreCoordinator> instances = new ArrayList<>();
    private final Set<Coordinator> paused = ConcurrentHashMap.newKeySet();

    /**
     * Returns a new, empty store; called before each test.
     *
     * @return the store
     */
    protected abstract SnapshotStore createStore();

    /**
     * Returns the settings of an instance; the default is the defaults of
     * {@link CoordinatorConfig} with the given member id and ticker.
     *
     * @param memberId the instance's identity
     * @param ticker the instance's ticker
     * @return the builder to build the settings from
     */
    protected CoordinatorConfig.Builder config(String memberId, Ticker ticker) {
        return CoordinatorConfig.builder(memberId).ticker(ticker);
    }

    @BeforeEach
    void openStore() {
        store = createStore();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    @Override
    protected Coordinator openCoordinator(String memberId) {
        long offset = (instances.size() % 2 == 0 ? 1 : -1) * (Long.MAX_VALUE / 3) * (instances.size() + 1);
        StoreCoordinator c = StoreCoordinator.manual(store, config(memberId, () -> ticker.get() + offset).build());
        synchronized (instances) {
            instances.add(c);
        }
        return c;
    }

    @Override
    protected void elapse(Duration duration) {
        long step = pollInterval().toNanos() / 4;
        for (long left = duration.toNanos(); left > 0; left -= step) {
            ticker.addAndGet(Math.min(step, left));
            List<StoreCoordinator> running;
            synchronized (instances) {
                running = new ArrayList<>(instances);
            }
            for (StoreCoordinator c : running) {
                if (!paused.contains(c)) {
                    c.tick();
                }
            }
        }
    }

    @Override
    protected void pause(Coordinator coordinator) {
        paused.add(coordinator);
    }

    @Override
    protected void resume(Coordinator coordinator) {
        paused.remove(coordinator);
    }

    @Override
    protected Duration ttl() {
        return CoordinatorConfig.DEFAULT_TTL;
    }

    @Override
    protected Duration renewInterval() {
        return CoordinatorConfig.DEFAULT_TTL.dividedBy(3);
    }

    @Override
    protected Duration pollInterval() {
        return CoordinatorConfig.DEFAULT_POLL_INTERVAL;
    }
}
