package dev.drkit.coordination.zookeeper.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.coordination.FencingToken;
import dev.drkit.api.coordination.Lease;
import dev.drkit.api.coordination.LeaseHolder;
import dev.drkit.api.coordination.LeaseListener;
import dev.drkit.api.coordination.Subscription;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;

/**
 * A lease as an epoch counter ({@code leases/<name>/epoch}, whose data version is the newest
 * epoch) and the holder's ephemeral node ({@code leases/<name>/holder}), created together
 * in one transaction. See {@link dev.drkit.coordination.zookeeper.ZooKeeperCoordinator}.
 */
final class ZkLease implements Lease {
    /** How many times an acquisition that lost a race on the counter looks again. */
    private static final int ATTEMPTS = 10;
    private static final VarHandle HELD;

    static {
        try {
            HELD = MethodHandles.lookup().findVarHandle(ZkLease.class, "held", Held.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ZkCoordinator c;
    private final String name;
    private final String epochPath;
    private final String holderPath;
    private final List<Campaign> campaigns = new CopyOnWriteArrayList<>();
    private final Watcher holderWatcher;

    // This instance's holding, or null: read without the lock (token() must not wait for a
    // renewal that waits for the ensemble), replaced whole under it.
    private volatile @Nullable Held held;
    // The greatest epoch of a holding of this instance that lapsed: never held again.
    private long lapsedEpoch;
    private long nextRenew;
    private long nextLook;

    ZkLease(ZkCoordinator c, String name) {
        this.c = c;
        this.name = name;
        this.epochPath = c.path("leases", name, "epoch");
        this.holderPath = c.path("leases", name, "holder");
        this.holderWatcher = event -> c.run(() -> tick(true));
    }

    static String epochPath(ZkCoordinator c, String lease) {
        return c.path("leases", lease, "epoch");
    }

    static String holderPath(ZkCoordinator c, String lease) {
        return c.path("leases", lease, "holder");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Optional<FencingToken> tryAcquire() {
        c.ensureOpen();
        Optional<FencingToken> result;
        synchronized (this) {
            result = acquireLocked();
        }
        notifyCampaigns();
        return result;
    }

    @Override
    public boolean renew() {
        c.ensureOpen();
        boolean result;
        synchronized (this) {
            result = held != null && renewLocked();
        }
        notifyCampaigns();
        return result;
    }

    @Override
    public void release() {
        c.ensureOpen();
        try {
            releaseLocked();
        } finally {
            notifyCampaigns();
        }
    }

    @Override
    public Optional<FencingToken> token() {
        Held h = current();
        return h == null ? Optional.empty() : Optional.of(new FencingToken(name, h.epoch()));
    }

    @Override
    public Optional<LeaseHolder> holder() {
        c.ensureOpen();
        Held h = current();
        if (h != null) {
            return Optional.of(new LeaseHolder(name, c.memberName(), h.epoch()));
        }
        try {
            c.sync(holderPath); // the holder now, not the one a lagging follower still shows
            byte[] data = c.client().getData().forPath(holderPath);
            return Optional.of(parseHolder(data));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (Exception e) {
            throw c.failure("read the holder of lease " + name, e);
        }
    }

    @Override
    public Subscription campaign(LeaseListener listener) {
        c.ensureOpen();
        Campaign campaign = new Campaign(listener);
        campaigns.add(campaign);
        tick(true);
        return () -> campaigns.remove(campaign);
    }

    /**
     * Renews a holding when due, and tries to acquire when campaigning; failures are logged and
     * retried later.
     *
     * @param now whether to look at once rather than when due (a watch fired, a reconnection)
     */
    void tick(boolean now) {
        if (c.closed()) {
            return;
        }
        synchronized (this) {
            long t = c.now();
            try {
                if (held != null) {
                    if (now || t - nextRenew >= 0) {
                        nextRenew = t + c.renewNanos() / 5; // retried soon when the renewal fails
                        if (renewLocked()) {
                            nextRenew = t + c.renewNanos();
                        }
                    }
                } else if (!campaigns.isEmpty() && (now || t - nextLook >= 0)) {
                    nextLook = t + c.renewNanos();
                    acquireLocked();
                }
            } catch (DrException e) {
                ZkCoordinator.LOG.warn("Lease {} of {}: {}", name, c.memberName(), e.getMessage());
            }
        }
        notifyCampaigns();
    }

    /**
     * Forgets the holding at once when the session that held its node is gone. Curator tells of
     * a lost session on its own thread, possibly after the client has opened a new session and
     * this lease was acquired again in it: that holding stays.
     */
    void sessionLost() {
        Held h = held;
        if (h != null && !c.liveSession(h.session())) {
            HELD.compareAndSet(this, h, null); // unless the coordinator's thread replaced it meanwhile
        }
        notifyCampaigns();
    }

    /** Gives up a holding when the coordinator closes; a failure leaves it to its session. */
    void closing() {
        try {
            releaseLocked();
        } catch (DrException e) {
            ZkCoordinator.LOG.warn("Lease {} of {} could not be released; it ends with the session: {}",
                    name, c.memberName(), e.getMessage());
        }
        notifyCampaigns();
        campaigns.clear();
    }

    /** Returns the holding while its deadline has not passed, judged by this instance's ticker alone. */
    private @Nullable Held current() {
        Held h = held;
        return h != null && c.now() - h.from() < c.holdNanos() ? h : null;
    }

    private Optional<FencingToken> acquireLocked() {
        Held h = held;
        if (h != null && (current() != null || renewLocked())) {
            return Optional.of(new FencingToken(name, h.epoch()));
        }
        CuratorFramework client = c.client();
        // The reads below decide whether the lease is free. The server this client reads from may
        // be a follower that has not yet applied another member's release (ZooKeeper's reads are
        // in order per session, not across them), and would show a holder that is gone.
        c.sync(holderPath);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            long from = c.now();
            try {
                long session = c.sessionId();
                Stat counter = new Stat();
                try {
                    client.getData().storingStatIn(counter).forPath(epochPath);
                } catch (KeeperException.NoNodeException e) {
                    createCounter();
                    continue;
                }
                Stat holder = new Stat();
                byte[] data;
                try {
                    data = client.getData().storingStatIn(holder).forPath(holderPath);
                } catch (KeeperException.NoNodeException e) {
                    data = null;
                }
                if (data != null) {
                    if (holder.getEphemeralOwner() == session && parseHolder(data).epoch() <= lapsedEpoch) {
                        // this session's node of a holding that lapsed: remove it and take a new epoch
                        endLapsedNode(holder, counter);
                        continue;
                    }
                    if (holder.getEphemeralOwner() == session) {
                        // this session holds it already (an acquisition whose answer was lost)
                        long epoch = parseHolder(data).epoch();
                        hold(epoch, session, from);
                        return Optional.of(new FencingToken(name, epoch));
                    }
                    if (!campaigns.isEmpty()) {
                        watchHolder();
                    }
                    return Optional.empty();
                }
                long epoch = counter.getVersion() + 1L;
                try {
                    client.transaction().forOperations(
                            client.transactionOp().setData().withVersion(counter.getVersion())
                                    .forPath(epochPath, ZkCoordinator.bytes(Long.toString(epoch))),
                            client.transactionOp().create().withMode(CreateMode.EPHEMERAL)
                                    .forPath(holderPath, ZkCoordinator.bytes(c.memberName() + "\n" + epoch)));
                    // The client may have opened a new session between the read of the session id
                    // and the transaction: the holding belongs to the session that owns the node.
                    // Only this transaction made a holder node of this epoch.
                    try {
                        Stat created = new Stat();
                        byte[] made = client.getData().storingStatIn(created).forPath(holderPath);
                        if (parseHolder(made).epoch() == epoch) {
                            session = created.getEphemeralOwner();
                        }
                    } catch (KeeperException.NoNodeException gone) {
                        // gone with its session already: the next renewal forgets the holding
                    }
                    hold(epoch, session, from);
                    ZkCoordinator.LOG.debug("{} acquired lease {} at epoch {} in session {}", c.memberName(), name,
                            epoch, Long.toHexString(session));
                    return Optional.of(new FencingToken(name, epoch));
                } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException e) {
                    // another candidate won the counter or the holder node: look again
                }
            } catch (DrException e) {
                throw e;
            } catch (Exception e) {
                throw c.failure("acquire lease " + name, e);
            }
        }
        return Optional.empty();
    }

    private void hold(long epoch, long session, long from) {
        c.sessionTimeoutGranted();
        held = new Held(epoch, session, from);
        nextRenew = from + c.renewNanos();
    }

    private void createCounter() throws Exception {
        try {
            c.client().create().creatingParentsIfNeeded().forPath(epochPath, ZkCoordinator.bytes("0"));
        } catch (KeeperException.NodeExistsException e) {
            // another candidate made it
        }
    }

    private void watchHolder() throws Exception {
        c.client().checkExists().usingWatcher(holderWatcher).forPath(holderPath);
    }

    /**
     * Removes this session's holder node of a holding that lapsed, unless a newer holding was
     * made meanwhile (the counter moved) or the node changed.
     */
    private void endLapsedNode(Stat holder, Stat counter) throws Exception {
        CuratorFramework client = c.client();
        try {
            client.transaction().forOperations(
                    client.transactionOp().check().withVersion(counter.getVersion()).forPath(epochPath),
                    client.transactionOp().delete().withVersion(holder.getVersion()).forPath(holderPath));
        } catch (KeeperException.BadVersionException | KeeperException.NoNodeException e) {
            // a newer holding was made, or the node is gone already: look again
        }
    }

    /**
     * Confirms that this session's holder node of the held epoch still exists; forgets the holding
     * if not, and ends it when it went past its deadline without a confirmation: its listeners
     * were told it was lost, so it is never renewed back to life, and the next acquisition takes a
     * greater epoch.
     */
    private boolean renewLocked() {
        Held h = held;
        if (h == null) {
            return false;
        }
        if (current() == null) {
            endLapsedHolding(h);
            return false;
        }
        long from = c.now();
        try {
            Stat stat = new Stat();
            byte[] data = c.client().getData().storingStatIn(stat).forPath(holderPath);
            if (stat.getEphemeralOwner() == h.session() && parseHolder(data).epoch() == h.epoch()) {
                if (held == h) {
                    held = new Held(h.epoch(), h.session(), from);
                }
                return true;
            }
        } catch (KeeperException.NoNodeException e) {
            // gone with its session, or released
        } catch (Exception e) {
            throw c.failure("renew lease " + name, e);
        }
        ZkCoordinator.LOG.debug("{} lost lease {} of epoch {}", c.memberName(), name, h.epoch());
        if (held == h) {
            held = null;
        }
        return false;
    }

    private void endLapsedHolding(Held h) {
        lapsedEpoch = Math.max(lapsedEpoch, h.epoch());
        if (held == h) {
            held = null;
        }
        ZkCoordinator.LOG.info("Lease {} of {}: the holding of epoch {} went past its deadline without a renewal "
                + "and has ended; a new holding takes a greater epoch", name, c.memberName(), h.epoch());
        CuratorFramework client = c.client();
        try {
            client.transaction().forOperations(
                    client.transactionOp().check().withVersion((int) h.epoch()).forPath(epochPath),
                    client.transactionOp().delete().forPath(holderPath));
        } catch (KeeperException.BadVersionException | KeeperException.NoNodeException e) {
            // taken over already, or gone with the session
        } catch (Exception e) {
            // Left to the next acquisition, which removes this session's node of a lapsed epoch.
            ZkCoordinator.LOG.debug("Could not remove the holder node of lapsed epoch {} of lease {}", h.epoch(), name, e);
        }
    }

    private void releaseLocked() {
        Held h;
        synchronized (this) {
            h = held;
            held = null;
        }
        if (h == null) {
            return;
        }
        long epoch = h.epoch();
        ZkCoordinator.LOG.debug("{} releases lease {} of epoch {}", c.memberName(), name, epoch);
        CuratorFramework client = c.client();
        try {
            client.transaction().forOperations(
                    client.transactionOp().check().withVersion((int) epoch).forPath(epochPath),
                    client.transactionOp().delete().forPath(holderPath));
        } catch (KeeperException.BadVersionException | KeeperException.NoNodeException e) {
            // already taken over or gone with the session
        } catch (Exception e) {
            throw c.failure("release lease " + name, e);
        }
    }

    private LeaseHolder parseHolder(byte @Nullable [] data) {
        String text = ZkCoordinator.text(data);
        int nl = text.lastIndexOf('\n');
        try {
            return new LeaseHolder(name, text.substring(0, Math.max(0, nl)), Long.parseLong(text.substring(nl + 1)));
        } catch (NumberFormatException e) {
            throw new DrException(dev.drkit.api.ErrorCode.INTEGRITY, "The holder node of lease " + name
                    + " is unreadable: '" + text + "'", holderPath, e);
        }
    }

    private void notifyCampaigns() {
        Held h = current();
        long epoch = h == null ? 0 : h.epoch();
        for (Campaign campaign : campaigns) {
            campaign.tell(name, epoch);
        }
    }

    /**
     * A holding: its epoch, the session whose ephemeral node carries it, and the ticker reading
     * from before the request that acquired or last confirmed it.
     */
    private record Held(long epoch, long session, long from) {
    }

    /** A listener and the epoch it was last told it holds (0: none). */
    private static final class Campaign {
        private final LeaseListener listener;
        private long told;

        Campaign(LeaseListener listener) {
            this.listener = listener;
        }

        synchronized void tell(String lease, long epoch) {
            if (told == epoch) {
                return;
            }
            if (told != 0) {
                FencingToken lost = new FencingToken(lease, told);
                ZkCoordinator.runListener(lease, () -> listener.lost(lost));
            }
            told = epoch;
            if (epoch != 0) {
                FencingToken gained = new FencingToken(lease, epoch);
                ZkCoordinator.runListener(lease, () -> listener.acquired(gained));
            }
        }
    }
}
