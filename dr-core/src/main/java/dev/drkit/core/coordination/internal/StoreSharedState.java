package dev.drkit.core.coordination.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.coordination.FencingToken;
import dev.drkit.api.coordination.SharedState;
import dev.drkit.api.coordination.StateListener;
import dev.drkit.api.coordination.StateVersion;
import dev.drkit.api.coordination.Subscription;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.StoredObject;
import dev.drkit.core.coordination.CoordinatorConfig;
import dev.drkit.core.coordination.internal.LeaseRecord.Status;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * A shared state kept as one object, {@code state/<name>}, replaced on the etag of the version
 * it follows. The object carries its latest versions, so that a watcher polling once sees each
 * version committed since its previous poll.
 */
final class StoreSharedState implements SharedState {
    /** The largest value, in UTF-8 bytes: the state is for decisions, not data. */
    static final int MAX_VALUE_BYTES = 16 * 1024;

    private final StoreCoordinatorImpl c;
    private final String name;
    private final String key;
    private final List<Watcher> watchers = new CopyOnWriteArrayList<>();

    // The last version this instance wrote, with its etag: the next compare-and-set from it
    // needs one request.
    private @Nullable StateRecord known;
    private String knownEtag = "";
    private long nextPoll;

    StoreSharedState(StoreCoordinatorImpl c, String name) {
        this.c = c;
        this.name = name;
        this.key = c.key("state", name);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Optional<StateVersion> read() {
        c.ensureOpen();
        return load().map(this::current);
    }

    @Override
    public Optional<StateVersion> compareAndSet(long expectedVersion, String value) {
        return commit(expectedVersion, value, null);
    }

    @Override
    public Optional<StateVersion> compareAndSet(long expectedVersion, String value, FencingToken fence) {
        return commit(expectedVersion, value, Objects.requireNonNull(fence, "fence"));
    }

    @Override
    public Subscription watch(StateListener listener) {
        Objects.requireNonNull(listener, "listener");
        c.ensureOpen();
        Watcher w = new Watcher(listener);
        watchers.add(w);
        synchronized (this) {
            nextPoll = c.now();
        }
        return () -> {
            w.closed = true;
            watchers.remove(w);
        };
    }

    /** Polls when a watcher waits and the poll is due; a failure is logged and retried. */
    synchronized void tick() {
        if (watchers.isEmpty() || c.now() - nextPoll < 0) {
            return;
        }
        nextPoll = c.now() + c.pollNanos();
        Optional<StateRecord> r;
        try {
            r = load();
        } catch (DrException e) {
            StoreCoordinatorImpl.LOG.warn("State {} of {}: {}", name, c.memberId(), e.getMessage());
            return;
        }
        for (Watcher w : watchers) {
            w.deliver(name, r.orElse(null));
        }
    }

    void closing() {
        watchers.forEach(w -> w.closed = true);
        watchers.clear();
    }

    private synchronized Optional<StateVersion> commit(long expectedVersion, String value,
            @Nullable FencingToken fence) {
        Objects.requireNonNull(value, "value");
        if (expectedVersion < 0) {
            throw DrException.invalidArgument("expectedVersion", "must be >= 0", expectedVersion);
        }
        int bytes = value.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_VALUE_BYTES) {
            throw DrException.invalidArgument("value", "must be at most " + MAX_VALUE_BYTES + " bytes in UTF-8",
                    bytes + " bytes");
        }
        c.ensureOpen();
        if (fence != null) {
            requireHolding(fence);
        }
        if (expectedVersion == 0) {
            StateRecord first = StateRecord.first(value, fence, c.memberId());
            Optional<ObjectInfo> made = c.store().putIfAbsent(key, first.encode());
            return made.map(info -> remember(first, info));
        }
        StateRecord current = known;
        String etag = knownEtag;
        if (current == null || current.version() != expectedVersion) {
            Optional<StoredObject> stored = c.store().getObject(key);
            if (stored.isEmpty()) {
                return Optional.empty();
            }
            StateRecord read = StateRecord.decode(key, stored.get().data());
            if (read.version() != expectedVersion) {
                return Optional.empty();
            }
            // The etag is the one of the version read: the replace fails if a write came since.
            current = read;
            etag = stored.get().etag();
        }
        if (fence != null) {
            requireNewestEpoch(current, fence);
        }
        StateRecord next = current.next(value, fence, c.config().stateHistory(), c.memberId());
        Optional<ObjectInfo> done = c.store().replace(key, next.encode(), etag);
        if (done.isEmpty()) {
            known = null;
            return Optional.empty();
        }
        return Optional.of(remember(next, done.get()));
    }

    private StateVersion remember(StateRecord r, ObjectInfo info) {
        known = r;
        knownEtag = info.etag();
        return current(r);
    }

    /** Refuses a token whose holding was released or taken over: a newer epoch exists or is being created. */
    private void requireHolding(FencingToken fence) {
        String leaseKey = c.key("leases", CoordinatorConfig.requireName("fence.lease", fence.lease()), String.format("%020d", fence.epoch()));
        LeaseRecord holding;
        try {
            holding = LeaseRecord.decode(leaseKey, c.store().get(leaseKey));
        } catch (DrException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                throw stale(fence, "its holding object is gone");
            }
            throw e;
        }
        if (holding.status() != Status.HELD) {
            throw stale(fence, "its holding was " + holding.status().name().toLowerCase(Locale.ROOT));
        }
    }

    private void requireNewestEpoch(StateRecord current, FencingToken fence) {
        if (!current.fenceLease().isEmpty() && !current.fenceLease().equals(fence.lease())) {
            throw DrException.invalidArgument("fence", "must be a token of lease " + current.fenceLease()
                    + ", which fences state " + name, fence.lease());
        }
        if (current.fenceEpoch() > fence.epoch()) {
            throw stale(fence, "state " + name + " was written under epoch " + current.fenceEpoch());
        }
    }

    private DrException stale(FencingToken fence, String why) {
        return new DrException(ErrorCode.STALE_EPOCH, "Write to state " + name + " refused: epoch " + fence.epoch()
                + " of lease " + fence.lease() + " is stale (" + why + ")", "lease=" + fence.lease() + ", epoch="
                + fence.epoch());
    }

    private Optional<StateRecord> load() {
        try {
            return Optional.of(StateRecord.decode(key, c.store().get(key)));
        } catch (DrException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private StateVersion current(StateRecord r) {
        return new StateVersion(name, r.version(), r.value());
    }

    /** A listener and the last version it was given (-1 before its first poll). */
    private static final class Watcher {
        private final StateListener listener;
        private long delivered = -1;
        private volatile boolean closed;

        Watcher(StateListener listener) {
            this.listener = listener;
        }

        void deliver(String state, @Nullable StateRecord r) {
            if (closed) {
                return;
            }
            if (r == null) {
                delivered = Math.max(delivered, 0);
                return;
            }
            if (delivered < 0) {
                delivered = r.version();
                StateVersion v = new StateVersion(state, r.version(), r.value());
                StoreCoordinatorImpl.runListener(state, () -> listener.changed(v));
                return;
            }
            if (r.version() <= delivered) {
                return;
            }
            List<StateRecord.Entry> entries = r.entries();
            long oldest = entries.get(entries.size() - 1).version();
            if (oldest > delivered + 1) {
                long from = delivered + 1;
                StoreCoordinatorImpl.runListener(state, () -> listener.missed(from, oldest - 1));
            }
            for (int i = entries.size() - 1; i >= 0 && !closed; i--) {
                StateRecord.Entry e = entries.get(i);
                if (e.version() > delivered) {
                    StateVersion v = new StateVersion(state, e.version(), e.value());
                    StoreCoordinatorImpl.runListener(state, () -> listener.changed(v));
                }
            }
            delivered = r.version();
        }
    }
}
