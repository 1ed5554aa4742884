package dev.drkit.coordination.zookeeper.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.coordination.FencingToken;
import dev.drkit.api.coordination.SharedState;
import dev.drkit.api.coordination.StateListener;
import dev.drkit.api.coordination.StateVersion;
import dev.drkit.api.coordination.Subscription;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;

/**
 * A state as a node whose data version plus one is the state's version, with one child per
 * recent version ({@code states/<name>/<version>}) created in the same transaction, so that a
 * watcher woken once after several commits reads each of them.
 */
final class ZkSharedState implements SharedState {
    /** The largest value, in UTF-8 bytes. */
    static final int MAX_VALUE_BYTES = 16 * 1024;
    private static final String VERSION_FORMAT = "%020d";

    private final ZkCoordinator c;
    private final String name;
    private final String path;
    private final List<Watch> watches = new CopyOnWriteArrayList<>();
    private final Watcher watcher;
    private long nextFallback;

    ZkSharedState(ZkCoordinator c, String name) {
        this.c = c;
        this.name = name;
        this.path = c.path("states", name);
        this.watcher = event -> c.run(this::check);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Optional<StateVersion> read() {
        c.ensureOpen();
        return onNewSession(() -> {
            try {
                c.sync(path); // the current version, not the one a lagging follower has
                Stat stat = new Stat();
                byte[] data = c.client().getData().storingStatIn(stat).forPath(path);
                return Optional.of(new StateVersion(name, stat.getVersion() + 1L, ZkCoordinator.text(data)));
            } catch (KeeperException.NoNodeException e) {
                return Optional.empty();
            } catch (Exception e) {
                throw c.failure("read state " + name, e);
            }
        });
    }

    @Override
    public Optional<StateVersion> compareAndSet(long expectedVersion, String value) {
        return commit(expectedVersion, value, null);
    }

    @Override
    public Optional<StateVersion> compareAndSet(long expectedVersion, String value, FencingToken fence) {
        return commit(expectedVersion, value, java.util.Objects.requireNonNull(fence, "fence"));
    }

    private Optional<StateVersion> commit(long expected, String value, @Nullable FencingToken fence) {
        c.ensureOpen();
        if (expected < 0) {
            throw DrException.invalidArgument("expectedVersion", "must be >= 0", expected);
        }
        if (expected >= Integer.MAX_VALUE) {
            return Optional.empty();
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_VALUE_BYTES) {
            throw DrException.invalidArgument("value", "must be at most " + MAX_VALUE_BYTES + " bytes in UTF-8",
                    bytes.length + " bytes");
        }
        long next = expected + 1;
        String nonce = UUID.randomUUID().toString();
        CuratorFramework client = c.client();
        List<CuratorOp> ops = new ArrayList<>();
        int fenceOps = 0;
        try {
            if (fence != null) {
                ops.add(client.transactionOp().check().withVersion((int) Math.min(Integer.MAX_VALUE, fence.epoch()))
                        .forPath(ZkLease.epochPath(c, fence.lease())));
                ops.add(client.transactionOp().check().forPath(ZkLease.holderPath(c, fence.lease())));
                fenceOps = ops.size();
            }
            if (expected == 0) {
                ops.add(client.transactionOp().create().forPath(path, bytes));
            } else {
                ops.add(client.transactionOp().setData().withVersion((int) (expected - 1)).forPath(path, bytes));
            }
            ops.add(client.transactionOp().create().forPath(historyPath(next),
                    ZkCoordinator.bytes(nonce + "\n" + value)));
            client.transaction().forOperations(ops);
        } catch (KeeperException e) {
            if (fence != null && e.code() == KeeperException.Code.SESSIONEXPIRED) {
                // The holder's lease node lived in the expired session, so that holding ended;
                // unless the transaction landed before the session expired, the write is refused.
                if (!onNewSession(() -> committedBy(next, nonce))) {
                    throw staleEpoch(fence, "that holding ended with its ZooKeeper session");
                }
            } else {
                if (isConnectionFailure(e)) {
                    throw c.failure("write state " + name, e);
                }
                int failed = firstFailure(e.getResults());
                if (fence != null && failed >= 0 && failed < fenceOps) {
                    throw staleEpoch(fence, "that holding ended");
                }
                if (!committedBy(next, nonce)) {
                    return Optional.empty();
                }
            }
        } catch (Exception e) {
            throw c.failure("write state " + name, e);
        }
        trim(next);
        return Optional.of(new StateVersion(name, next, value));
    }

    @Override
    public Subscription watch(StateListener listener) {
        c.ensureOpen();
        Watch w = new Watch(listener);
        watches.add(w);
        c.run(this::check);
        return () -> {
            w.cancelled = true;
            watches.remove(w);
        };
    }

    /** Reads the state when its fallback interval passed, in case a notification was lost. */
    void tick() {
        if (watches.isEmpty()) {
            return;
        }
        long now = c.now();
        if (now - nextFallback >= 0) {
            check();
        }
    }

    /** Reads the current version, sets the watch again, and tells every watcher what it has not seen. */
    synchronized void check() {
        if (watches.isEmpty() || c.closed()) {
            return;
        }
        nextFallback = c.now() + c.ttlNanos();
        Stat stat = new Stat();
        byte[] data;
        try {
            while (true) {
                try {
                    data = c.client().getData().storingStatIn(stat).usingWatcher(watcher).forPath(path);
                    break;
                } catch (KeeperException.NoNodeException e) {
                    if (c.client().checkExists().usingWatcher(watcher).forPath(path) != null) {
                        continue; // created between the two reads: read it
                    }
                    for (Watch w : watches) {
                        if (w.seen < 0) {
                            w.seen = 0; // nothing committed yet: the first version will be news
                        }
                    }
                    return;
                }
            }
        } catch (Exception e) {
            ZkCoordinator.LOG.warn("Watch of state {} by {}: {}", name, c.memberName(), c.failure("read", e).getMessage());
            return;
        }
        StateVersion current = new StateVersion(name, stat.getVersion() + 1L, ZkCoordinator.text(data));
        for (Watch w : watches) {
            deliver(w, current);
        }
    }

    private void deliver(Watch w, StateVersion current) {
        if (w.seen >= current.version()) {
            return;
        }
        if (w.seen >= 0) {
            long missedFrom = 0;
            for (long v = w.seen + 1; v < current.version() && !w.cancelled; v++) {
                Optional<String> value = history(v);
                if (value.isEmpty()) {
                    if (missedFrom == 0) {
                        missedFrom = v;
                    }
                    continue;
                }
                if (missedFrom != 0) {
                    long from = missedFrom;
                    long to = v - 1;
                    ZkCoordinator.runListener(name, () -> w.listener.missed(from, to));
                    missedFrom = 0;
                }
                StateVersion earlier = new StateVersion(name, v, value.get());
                ZkCoordinator.runListener(name, () -> w.listener.changed(earlier));
            }
            if (missedFrom != 0 && !w.cancelled) {
                long from = missedFrom;
                long to = current.version() - 1;
                ZkCoordinator.runListener(name, () -> w.listener.missed(from, to));
            }
        }
        if (!w.cancelled) {
            ZkCoordinator.runListener(name, () -> w.listener.changed(current));
        }
        w.seen = current.version();
    }

    private Optional<String> history(long version) {
        try {
            String text = ZkCoordinator.text(c.client().getData().forPath(historyPath(version)));
            int nl = text.indexOf('\n');
            return Optional.of(text.substring(nl + 1));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (Exception e) {
            throw c.failure("read version " + version + " of state " + name, e);
        }
    }

    private DrException staleEpoch(FencingToken fence, String why) {
        return new DrException(ErrorCode.STALE_EPOCH, "State " + name + " refuses the write of epoch "
                + fence.epoch() + " of lease " + fence.lease() + ": " + why, name);
    }

    /**
     * Runs a read once more when it meets an expired session: the client has learnt of the
     * expiry and the next request runs in a new session.
     */
    private static <T> T onNewSession(Supplier<T> read) {
        try {
            return read.get();
        } catch (DrException e) {
            if (e.getCause() instanceof KeeperException.SessionExpiredException) {
                return read.get();
            }
            throw e;
        }
    }

    /** Whether the version's child carries this writer's nonce: its commit landed though its answer was lost. */
    private boolean committedBy(long version, String nonce) {
        try {
            String text = ZkCoordinator.text(c.client().getData().forPath(historyPath(version)));
            return text.startsWith(nonce + "\n");
        } catch (KeeperException.NoNodeException e) {
            return false;
        } catch (Exception e) {
            throw c.failure("read version " + version + " of state " + name, e);
        }
    }

    private void trim(long committed) {
        long old = committed - c.settings().stateHistory();
        if (old < 1) {
            return;
        }
        try {
            c.client().delete().quietly().inBackground().forPath(historyPath(old));
        } catch (Exception e) {
            ZkCoordinator.LOG.debug("Version {} of state {} stays for now: {}", old, name, e.toString());
        }
    }

    void closing() {
        for (Watch w : watches) {
            w.cancelled = true;
        }
        watches.clear();
    }

    private String historyPath(long version) {
        return path + "/" + String.format(VERSION_FORMAT, version);
    }

    private static boolean isConnectionFailure(KeeperException e) {
        return switch (e.code()) {
            case CONNECTIONLOSS, SESSIONEXPIRED, OPERATIONTIMEOUT, SESSIONMOVED, REQUESTTIMEOUT -> true;
            default -> false;
        };
    }

    /** Returns the index of the operation that failed a transaction, or -1 when none says so. */
    private static int firstFailure(@Nullable List<OpResult> results) {
        if (results == null) {
            return -1;
        }
        for (int i = 0; i < results.size(); i++) {
            if (results.get(i) instanceof OpResult.ErrorResult err) {
                int code = err.getErr();
                if (code != KeeperException.Code.OK.intValue()
                        && code != KeeperException.Code.RUNTIMEINCONSISTENCY.intValue()) {
                    return i;
                }
            }
        }
        return -1;
    }

    /** A listener and the newest version it was told of (-1: none yet, so it starts at the current one). */
    private static final class Watch {
        final StateListener listener;
        volatile long seen = -1;
        volatile boolean cancelled;

        Watch(StateListener listener) {
            this.listener = listener;
        }
    }
}
