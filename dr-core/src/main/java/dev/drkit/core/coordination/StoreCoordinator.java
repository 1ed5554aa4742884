package dev.drkit.core.coordination;

import dev.drkit.api.Ticker;
import dev.drkit.api.DrException;
import dev.drkit.api.coordination.Coordinator;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.coordination.internal.StoreCoordinatorImpl;

/**
 * A {@link Coordinator} that keeps leases, shared state and membership in a
 * {@link SnapshotStore} by its conditional writes: no coordination service is needed beyond
 * the store the fleet backs up into ({@code file:} on a shared disk, {@code mem:} in one JVM,
 * S3, Azure Blob).
 *
 * <h2>Objects</h2>
 * Under {@link CoordinatorConfig#keyPrefix()} ({@code coordination} by default):
 * <ul>
 *   <li>{@code leases/<name>/<epoch>}: one object per holding, its epoch zero-padded to 20
 *       digits. A holder creates epoch {@code e + 1} with {@code putIfAbsent} (S3
 *       {@code If-None-Match: *}), so of two candidates exactly one wins it; it renews by
 *       {@code replace} on the etag of its last write ({@code If-Match}), and releases by
 *       marking the object released the same way. Older holdings beyond the previous one
 *       are deleted.</li>
 *   <li>{@code state/<name>}: a state's current version, value, the newest epoch that wrote
 *       it and its last {@link CoordinatorConfig#stateHistory()} versions, replaced by
 *       {@code replace} on the etag of the version it follows.</li>
 *   <li>{@code members/<group>/<memberId>}: a member's announcement, rewritten every renew
 *       interval; leaving deletes it.</li>
 * </ul>
 *
 * <h2>Safety needs no synchronized clocks</h2>
 * A holder counts its holding from its own monotonic {@link Ticker} reading taken <em>before</em>
 * the request that acquired or renewed it, and believes it holds the lease for one TTL from
 * there. Another instance takes over only after it has seen the same holding object unchanged
 * for TTL plus 1% on <em>its own</em> ticker, counted from <em>after</em> the read that showed
 * it, and then only by a conditional replace of exactly that version (marking it expired): a
 * renewal that lands first makes the takeover fail, and a takeover that lands first makes every
 * later renewal fail. So the holder's belief ends before anybody else's begins as long as the
 * two tickers' rates differ by less than 1% over one TTL; wall clocks, time zones and clock
 * steps play no part. A holder that is paused past its deadline and resumes may still act on
 * its old belief for the length of one write: that is what fencing refuses. It never renews a
 * holding past its deadline, even one nobody took over: it marks it expired and holds again,
 * if at all, with a new object of a greater epoch. A write fenced
 * with epoch {@code e} first reads holding {@code e} and refuses unless it is still held (not
 * released, not taken over), then replaces the state on the etag it read and refuses when the
 * state records an epoch above {@code e}. Once a newer holder has written the state, every
 * write of an older epoch is refused by the store's own etag check; between the takeover and
 * that write, the lease-object check refuses it (a window of one request remains, as with any
 * fencing on storage that has no multi-object transactions).
 *
 * <h2>Liveness depends on timing</h2>
 * With the defaults (TTL 15 s, renew interval 5 s, poll interval 1 s): a holder that dies or
 * stops is replaced by a campaigning instance within about TTL + 1% + one renew interval of
 * its last renewal (about 20 s); a released lease is taken at the next look (at most one renew
 * interval); a committed state change reaches a watcher within one poll interval plus the
 * request time; a member that stops announcing itself drops out of an observer's view within
 * TTL + 1% of the observer last seeing it change. A watcher that misses more than
 * {@code stateHistory} commits between two polls is told so through
 * {@link dev.drkit.api.coordination.StateListener#missed}.
 *
 * <h2>Requests per minute, with the defaults</h2>
 * <ul>
 *   <li>a held lease: 12 conditional writes (one renewal every TTL/3);</li>
 *   <li>a lease campaigned for by a non-holder: 12 reads (one look every renew interval), plus
 *       at most one read at the moment a holding would expire;</li>
 *   <li>a watched state: 60 reads (one every poll interval), nothing more when it is idle;</li>
 *   <li>a joined group: 12 writes (one announcement every renew interval); listing the
 *       members costs one list request per call.</li>
 * </ul>
 * Opening a coordinator costs four requests to check that the store honours conditional writes.
 *
 * <p>Work that falls due (renewals, polls, announcements, campaigns) is done by
 * {@link #tick()}: a coordinator from {@link #open} calls it on its own daemon thread; one from
 * {@link #manual} leaves it to the caller, which makes tests with a manual ticker
 * deterministic.
 */
public interface StoreCoordinator extends Coordinator {

    /**
     * Opens a coordinator that does its due work on its own daemon thread.
     *
     * @param store the store to coordinate through; the coordinator does not close it
     * @param config the settings
     * @return the coordinator; the caller closes it
     * @throws DrException {@code UNSUPPORTED} naming the store when it does not honour
     *     conditional writes; a storage failure when it cannot be reached
     */
    static StoreCoordinator open(SnapshotStore store, CoordinatorConfig config) {
        return StoreCoordinatorImpl.open(store, config, true);
    }

    /**
     * Opens a coordinator that does its due work only when {@link #tick()} is called.
     *
     * @param store the store to coordinate through; the coordinator does not close it
     * @param config the settings
     * @return the coordinator; the caller closes it
     * @throws DrException {@code UNSUPPORTED} naming the store when it does not honour
     *     conditional writes; a storage failure when it cannot be reached
     */
    static StoreCoordinator manual(SnapshotStore store, CoordinatorConfig config) {
        return StoreCoordinatorImpl.open(store, config, false);
    }

    /**
     * Does the work that is due by the ticker: renews held leases, tries to acquire leases
     * campaigned for, polls watched states and announces group memberships. A storage failure
     * is logged and retried at the next tick, never thrown.
     */
    void tick();

    /**
     * Returns the settings.
     *
     * @return the configuration
     */
    CoordinatorConfig config();
}
