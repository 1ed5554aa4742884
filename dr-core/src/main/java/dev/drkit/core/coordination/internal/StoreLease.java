package dev.drkit.core.coordination.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.coordination.FencingToken;
import dev.drkit.api.coordination.Lease;
import dev.drkit.api.coordination.LeaseHolder;
import dev.drkit.api.coordination.LeaseListener;
import dev.drkit.api.coordination.Subscription;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.StoredObject;
import dev.drkit.core.coordination.internal.LeaseRecord.Status;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * A lease kept as one object per holding, {@code leases/<name>/<epoch>}: created with
 * {@code putIfAbsent}, renewed, released and taken over with {@code replace} on an etag. See
 * {@link dev.drkit.core.coordination.StoreCoordinator} for why this is safe without clocks.
 */
final class StoreLease implements Lease {
    /** Epochs are zero-padded so that keys sort as numbers. */
    private static final String EPOCH_FORMAT = "%020d";

    private final StoreCoordinatorImpl c;
    private final String name;
    private final String prefix;
    private final List<Campaign> campaigns = new CopyOnWriteArrayList<>();

    // What this instance last saw: the newest holding object and when (its ticker, after the
    // read) it first saw that exact content.
    private long seenEpoch;
    private @Nullable LeaseRecord seen;
    private long seenSince;

    // This instance's holding: its epoch (0 when none), the etag of its last write, and the
    // ticker reading from before the request that acquired or last renewed it.
    private long heldEpoch;
    private String heldEtag = "";
    private long heldFrom;
    private @Nullable LeaseRecord heldRecord;
    // A renewal whose outcome is unknown (the request failed): it may have landed.
    private @Nullable LeaseRecord inFlight;
    private long inFlightFrom;

    private long nextRenew;
    private long nextLook;

    StoreLease(StoreCoordinatorImpl c, String name) {
        this.c = c;
        this.name = name;
        this.prefix = c.key("leases", name) + "/";
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
        boolean held;
        synchronized (this) {
            held = heldEpoch != 0 && renewLocked();
        }
        notifyCampaigns();
        return held;
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
    public synchronized Optional<FencingToken> token() {
        return holding() ? Optional.of(new FencingToken(name, heldEpoch)) : Optional.empty();
    }

    @Override
    public synchronized Optional<LeaseHolder> holder() {
        c.ensureOpen();
        if (holding()) {
            return Optional.of(new LeaseHolder(name, c.memberId(), heldEpoch));
        }
        look();
        LeaseRecord r = seen;
        if (r == null || r.status() != Status.HELD || c.now() - seenSince >= c.expiryNanos()) {
            return Optional.empty();
        }
        return Optional.of(new LeaseHolder(name, r.holder(), seenEpoch));
    }

    @Override
    public Subscription campaign(LeaseListener listener) {
        c.ensureOpen();
        Campaign campaign = new Campaign(listener);
        campaigns.add(campaign);
        synchronized (this) {
            nextLook = c.now();
        }
        return () -> campaigns.remove(campaign);
    }

    /** Renews when due, and campaigns when not holding; failures are logged and retried. */
    void tick() {
        synchronized (this) {
            long now = c.now();
            try {
                if (heldEpoch != 0) {
                    if (now - nextRenew >= 0) {
                        nextRenew = now + c.renewNanos() / 5; // retry soon if the renewal fails
                        renewLocked();
                    }
                } else if (!campaigns.isEmpty() && now - nextLook >= 0) {
                    nextLook = now + c.renewNanos();
                    acquireLocked();
                    LeaseRecord r = seen;
                    if (heldEpoch == 0 && r != null && r.status() == Status.HELD) {
                        long expiresAt = seenSince + c.expiryNanos();
                        if (expiresAt - nextLook < 0) {
                            nextLook = expiresAt; // look again exactly when the holding would expire
                        }
                    }
                }
            } catch (DrException e) {
                StoreCoordinatorImpl.LOG.warn("Lease {} of {}: {}", name, c.memberId(), e.getMessage());
            }
        }
        notifyCampaigns();
    }

    /** Gives up a holding when the coordinator closes; a failure leaves it to expire. */
    void closing() {
        try {
            releaseLocked();
        } catch (DrException e) {
            StoreCoordinatorImpl.LOG.warn("Lease {} of {} could not be released; it expires after its TTL: {}",
                    name, c.memberId(), e.getMessage());
        }
        notifyCampaigns();
        campaigns.clear();
    }

    private boolean holding() {
        return heldEpoch != 0 && c.now() - heldFrom < c.ttlNanos();
    }

    private Optional<FencingToken> acquireLocked() {
        if (heldEpoch != 0 && (holding() || renewLocked())) {
            return Optional.of(new FencingToken(name, heldEpoch));
        }
        if (!look()) {
            return Optional.empty();
        }
        LeaseRecord r = seen;
        if (r == null || r.status() != Status.HELD) {
            return create(seenEpoch + 1);
        }
        if (c.now() - seenSince >= c.expiryNanos()) {
            return takeOver(r);
        }
        return Optional.empty();
    }

    /**
     * Reads the newest holding object, listing the holdings when this instance knows of none.
     *
     * @return false when the holding objects changed under every look (the newest listed was
     *     pruned before it could be read), so that nothing is known for certain
     */
    private boolean look() {
        if (seenEpoch == 0 || !read(seenEpoch)) {
            return findNewest();
        }
        // A holding that ended may have a successor already: follow the epochs to the newest.
        boolean successor = true;
        while (successor && seen != null && seen.status() != Status.HELD) {
            successor = read(seenEpoch + 1);
        }
        return true;
    }

    /** Reads one holding object into what this instance has seen; false when it does not exist. */
    private boolean read(long epoch) {
        String key = key(epoch);
        try {
            see(epoch, LeaseRecord.decode(key, c.store().get(key)));
            return true;
        } catch (DrException e) {
            if (e.code() != ErrorCode.NOT_FOUND) {
                throw e;
            }
            return false;
        }
    }

    /**
     * Lists the holdings and reads the newest. An empty listing means no holding was ever made;
     * a newest one that is gone by the time it is read was pruned by a still newer holding, and
     * the listing is made again: taking that for "none" would hand out epoch 1 a second time.
     */
    private boolean findNewest() {
        for (int attempt = 0; attempt < 3; attempt++) {
            long newest = 0;
            for (ObjectInfo info : c.store().list(prefix).toList()) {
                String rest = info.key().substring(prefix.length());
                if (rest.length() == 20 && rest.chars().allMatch(Character::isDigit)) {
                    newest = Math.max(newest, Long.parseLong(rest));
                }
            }
            if (newest == 0) {
                seenEpoch = 0;
                seen = null;
                return true;
            }
            if (read(newest)) {
                return true;
            }
        }
        seen = null; // pruned under every listing: look again next time
        seenEpoch = 0;
        return false;
    }

    private void see(long epoch, LeaseRecord r) {
        if (epoch != seenEpoch || !r.equals(seen)) {
            seenEpoch = epoch;
            seen = r;
            seenSince = c.now();
        }
    }

    /** Ends a holding that showed no renewal for the TTL, by a replace on exactly the version seen. */
    private Optional<FencingToken> takeOver(LeaseRecord stale) {
        String key = key(seenEpoch);
        Optional<StoredObject> read = c.store().getObject(key);
        if (read.isEmpty()) {
            seenEpoch = 0;
            seen = null;
            return Optional.empty();
        }
        LeaseRecord current = LeaseRecord.decode(key, read.get().data());
        if (!current.equals(stale)) {
            // Renewed, released or taken over since: the etag read belongs to another version.
            see(seenEpoch, current);
            return current.status() == Status.HELD ? Optional.empty() : create(seenEpoch + 1);
        }
        // The etag is the one of the stale content read: the replace fails if anything was written since.
        LeaseRecord ended = stale.with(Status.EXPIRED, c.memberId());
        if (c.store().replace(key, ended.encode(), read.get().etag()).isEmpty()) {
            return Optional.empty();
        }
        see(seenEpoch, ended);
        return create(seenEpoch + 1);
    }

    private Optional<FencingToken> create(long epoch) {
        long start = c.now();
        LeaseRecord r = LeaseRecord.held(c.memberId(), epoch, c.config().ttl().toMillis());
        String key = key(epoch);
        Optional<ObjectInfo> made = c.store().putIfAbsent(key, r.encode());
        if (made.isEmpty()) {
            read(epoch);
            return Optional.empty();
        }
        heldEpoch = epoch;
        heldEtag = made.get().etag();
        heldFrom = start;
        heldRecord = r;
        inFlight = null;
        nextRenew = start + c.renewNanos();
        see(epoch, r);
        if (epoch > 2) {
            try {
                c.store().delete(key(epoch - 2));
            } catch (DrException e) {
                StoreCoordinatorImpl.LOG.debug("Could not prune holding {} of lease {}", epoch - 2, name, e);
            }
        }
        return Optional.of(new FencingToken(name, epoch));
    }

    /** Renews the holding on the etag of its last write; false (and the holding dropped) when it was taken over. */
    private boolean renewLocked() {
        return renewLocked(true);
    }

    private boolean renewLocked(boolean mayRecover) {
        LeaseRecord held = heldRecord;
        if (heldEpoch == 0 || held == null) {
            return false;
        }
        if (!holding()) {
            endLapsedHolding(held);
            return false;
        }
        String key = key(heldEpoch);
        long start = c.now();
        // A retry of a renewal whose request failed sends the same bytes and keeps the earlier
        // start: the earlier request may have landed.
        LeaseRecord next = inFlight;
        if (next == null) {
            next = held.renewed();
            inFlight = next;
            inFlightFrom = start;
        }
        Optional<ObjectInfo> done = c.store().replace(key, next.encode(), heldEtag);
        if (done.isPresent()) {
            renewed(next, done.get().etag(), start);
            return true;
        }
        if (mayRecover && recoverLandedRenewal(key)) {
            return renewLocked(false);
        }
        dropHolding();
        return false;
    }

    /**
     * After a refused renewal, checks whether an earlier renewal whose request failed had in
     * fact landed: then the object holds exactly its content, its etag is the current one, and
     * the holding counts from before that earlier request.
     */
    private boolean recoverLandedRenewal(String key) {
        LeaseRecord landed = inFlight;
        if (landed == null) {
            return false;
        }
        Optional<StoredObject> read = c.store().getObject(key);
        if (read.isEmpty()) {
            return false;
        }
        LeaseRecord current = LeaseRecord.decode(key, read.get().data());
        if (!current.equals(landed)) {
            see(heldEpoch, current);
            return false;
        }
        renewed(landed, read.get().etag(), inFlightFrom);
        return true;
    }

    /**
     * Ends a holding that went a TTL without a successful renewal (the store refused or failed
     * the renewals, or this instance was stopped): its listeners were or will be told it was
     * lost, and other instances may have taken it over meanwhile, so it is never renewed back to
     * life. The object is marked expired when it is still this instance's last write, and the
     * next acquisition takes a greater epoch.
     */
    private void endLapsedHolding(LeaseRecord held) {
        long epoch = heldEpoch;
        String etag = heldEtag;
        dropHolding();
        StoreCoordinatorImpl.LOG.info("Lease {} of {}: the holding of epoch {} went the TTL without a renewal and "
                + "has ended; a new holding takes a greater epoch", name, c.memberId(), epoch);
        LeaseRecord ended = held.with(Status.EXPIRED, c.memberId());
        try {
            if (c.store().replace(key(epoch), ended.encode(), etag).isPresent()) {
                see(epoch, ended);
            }
        } catch (DrException e) {
            // Left as it is: another instance ends it after its TTL, and so does this one.
            StoreCoordinatorImpl.LOG.debug("Could not mark holding {} of lease {} expired", epoch, name, e);
        }
    }

    private void renewed(LeaseRecord next, String etag, long start) {
        heldRecord = next;
        heldEtag = etag;
        heldFrom = start;
        inFlight = null;
        nextRenew = start + c.renewNanos();
        see(heldEpoch, next);
    }

    private void releaseLocked() {
        long epoch;
        String etag;
        LeaseRecord held;
        synchronized (this) {
            held = heldRecord;
            epoch = heldEpoch;
            etag = heldEtag;
            if (epoch == 0 || held == null) {
                return;
            }
            dropHolding();
            LeaseRecord released = held.with(Status.RELEASED, c.memberId());
            // Refused when another instance took the holding over already: nothing left to give up.
            if (c.store().replace(key(epoch), released.encode(), etag).isPresent()) {
                see(epoch, released);
            }
        }
    }

    private void dropHolding() {
        heldEpoch = 0;
        heldRecord = null;
        heldEtag = "";
        inFlight = null;
    }

    private String key(long epoch) {
        return prefix + String.format(EPOCH_FORMAT, epoch);
    }

    /** Tells every campaign of a holding gained or lost since it was last told; outside the lock. */
    private void notifyCampaigns() {
        long epoch;
        synchronized (this) {
            epoch = holding() ? heldEpoch : 0;
        }
        for (Campaign campaign : campaigns) {
            campaign.tell(name, epoch);
        }
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
                StoreCoordinatorImpl.runListener(lease, () -> listener.lost(lost));
            }
            told = epoch;
            if (epoch != 0) {
                FencingToken gained = new FencingToken(lease, epoch);
                StoreCoordinatorImpl.runListener(lease, () -> listener.acquired(gained));
            }
        }
    }
}
