package dev.drkit.core.coordination;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.coordination.Coordinator;
import dev.drkit.api.coordination.FencingToken;
import dev.drkit.api.coordination.Lease;
import dev.drkit.api.coordination.LeaseHolder;
import dev.drkit.api.coordination.LeaseListener;
import dev.drkit.api.coordination.SharedState;
import dev.drkit.api.coordination.Subscription;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The right to write for a fleet: one lease that every instance campaigns for, so that the
 * scheduled work of a service (backups, retention, prune) runs on its holder alone, and a
 * holder that dies is replaced once its lease lapses (within the coordinator's TTL plus one
 * renew interval).
 *
 * <p>Work runs through {@link #runIfWriter}, which pins the token of the holding it started
 * under; a {@link FencedStore} refuses every commit of that work once a newer holder exists,
 * even when the instance was paused (a stopped JVM, a long collection) and still believes it
 * holds the lease.
 *
 * <pre>{@code
 * WriterLease writer = WriterLease.campaign(coordinator, "backup-writer");
 * Repository repository = Repository.open(FencedStore.of(store, writer), password);
 * ScheduledBackups backups = ScheduledBackups.builder(repository).writer(writer)...build();
 * }</pre>
 */
public final class WriterLease implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WriterLease.class);

    private final Coordinator coordinator;
    private final Lease lease;
    private final SharedState fence;
    private final Subscription campaign;
    private final Object work = new Object();
    private volatile @Nullable FencingToken pinned;

    private WriterLease(Coordinator coordinator, String name) {
        this.coordinator = coordinator;
        this.lease = coordinator.lease(name);
        this.fence = coordinator.state(CoordinatorConfig.requireName("name", "fence." + name));
        this.campaign = lease.campaign(new LeaseListener() {
            @Override
            public void acquired(FencingToken token) {
                LOG.info("{} is the writer of {} (epoch {})", coordinator.memberId(), name, token.epoch());
            }

            @Override
            public void lost(FencingToken token) {
                LOG.warn("{} is no longer the writer of {} (epoch {} ended)", coordinator.memberId(), name,
                        token.epoch());
            }
        });
    }

    /**
     * Starts campaigning for the lease of a name on a coordinator.
     *
     * @param coordinator the fleet's coordinator; closing this object does not close it
     * @param name the lease's name, such as {@code backup-writer}
     * @return the writer lease; the caller closes it
     * @throws DrException {@code INVALID_ARGUMENT} for a malformed name
     */
    public static WriterLease campaign(Coordinator coordinator, String name) {
        Objects.requireNonNull(coordinator, "coordinator");
        CoordinatorConfig.requireName("name", name);
        return new WriterLease(coordinator, name);
    }

    /**
     * Returns the lease's name.
     *
     * @return the name
     */
    public String name() {
        return lease.name();
    }

    /**
     * Returns the member id this instance campaigns under.
     *
     * @return the id
     */
    public String memberId() {
        return coordinator.memberId();
    }

    /**
     * Returns whether this instance holds the lease now, by its own ticker.
     *
     * @return true while it holds the lease
     */
    public boolean isWriter() {
        return lease.token().isPresent();
    }

    /**
     * Returns this instance's holding, by its own ticker.
     *
     * @return the token, or empty when it does not hold the lease
     */
    public Optional<FencingToken> token() {
        return lease.token();
    }

    /**
     * Reads who holds the lease.
     *
     * @return the holder, or empty when nobody does
     * @throws DrException a storage failure when the coordinator cannot be reached
     */
    public Optional<LeaseHolder> holder() {
        return lease.holder();
    }

    /**
     * Runs work when this instance holds the lease, with its token pinned: every write of the
     * work through a {@link FencedStore} is fenced with that token, so it is refused once a
     * newer holder exists. Work runs one at a time.
     *
     * @param task the work
     * @param <R> its result
     * @return the result, or empty when this instance does not hold the lease (the work did not run)
     * @throws DrException {@code STALE_EPOCH} when a fenced write of the work was refused; what
     *     the work throws
     */
    public <R> Optional<R> runIfWriter(Supplier<R> task) {
        Objects.requireNonNull(task, "task");
        synchronized (work) {
            Optional<FencingToken> token = lease.token();
            if (token.isEmpty()) {
                return Optional.empty();
            }
            pinned = token.get();
            try {
                return Optional.of(task.get());
            } finally {
                pinned = null;
            }
        }
    }

    /**
     * Checks that a write may commit: fences it with the pinned token (or, outside
     * {@link #runIfWriter}, the current one) by a fenced compare-and-set of the state
     * {@code fence.<name>}, which the coordinator refuses once a newer epoch holds or wrote.
     *
     * @param what the write, such as {@code put snapshots/1a2b}, recorded in the fence state
     * @return the token the write was fenced with
     * @throws DrException {@code STALE_EPOCH} naming the lease, the epoch and the write when
     *     this instance does not hold the lease or a newer holder exists; a storage failure when
     *     the coordinator cannot be reached
     */
    FencingToken fence(String what) {
        FencingToken token = pinned;
        if (token == null) {
            token = lease.token().orElseThrow(() -> new DrException(ErrorCode.STALE_EPOCH, "Write refused: "
                    + coordinator.memberId() + " does not hold lease " + lease.name() + " (" + what + ")",
                    "lease=" + lease.name()));
        }
        while (true) {
            long version = fence.read().map(v -> v.version()).orElse(0L);
            String value = "epoch=" + token.epoch() + " member=" + coordinator.memberId() + " " + what;
            try {
                if (fence.compareAndSet(version, value, token).isPresent()) {
                    return token;
                }
            } catch (DrException e) {
                if (e.code() == ErrorCode.STALE_EPOCH) {
                    throw new DrException(ErrorCode.STALE_EPOCH, "Write refused (" + what + "): "
                            + coordinator.memberId() + " wrote under epoch " + token.epoch() + " of lease "
                            + lease.name() + ", and a newer holder exists: " + e.getMessage(), e.input(), e);
                }
                throw e;
            }
        }
    }

    /** Stops campaigning and releases the lease when held. */
    @Override
    public void close() {
        campaign.close();
        try {
            lease.release();
        } catch (DrException e) {
            LOG.warn("Could not release lease {}: {}", lease.name(), e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "WriterLease[" + lease.name() + " of " + coordinator.memberId() + "]";
    }
}
