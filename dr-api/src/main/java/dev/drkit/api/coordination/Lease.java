package dev.drkit.api.coordination;

import dev.drkit.api.DrException;
import java.util.Optional;

/**
 * A named lease: at most one instance holds it at a time, for a time-to-live that the holder
 * extends by renewing, and every new holder gets a greater fencing epoch.
 *
 * <p>A holder judges its own holding with its own monotonic ticker, from before the request
 * that acquired or last renewed the lease; other instances judge it expired only after
 * observing no renewal for the TTL on their own tickers. So a holder never believes it holds
 * a lease that another instance holds, whatever the wall clocks say; a holder that was paused
 * (a stopped JVM, a long collection) may however act on a belief that ended while it was
 * paused, which is why writes that matter carry its {@link FencingToken}. A holding whose
 * deadline passed is over for good, even when nobody else took the lease meanwhile: it is
 * never renewed back to life, and the holder's next holding, like anybody's, has a greater
 * epoch, so that an epoch that listeners were told was lost is never handed out again.
 */
public interface Lease {

    /**
     * Returns the lease's name.
     *
     * @return the name
     */
    String name();

    /**
     * Tries once to become the holder: succeeds when nobody holds the lease, when its holder
     * released it, or when its holder has not renewed it for the TTL as this instance
     * observed it. An instance that holds the lease already gets its current token.
     *
     * @return the token of this instance's holding, or empty when another instance holds it
     * @throws DrException a storage failure when the backend cannot be reached;
     *     {@code ILLEGAL_STATE} after the coordinator was closed
     */
    Optional<FencingToken> tryAcquire();

    /**
     * Extends this instance's holding by one TTL, counted from just before the request.
     *
     * @return true when this instance holds the lease after the call; false when it did not
     *     hold it, lost it to another instance, or its deadline had passed (the holding is then
     *     ended, and {@link #tryAcquire()} takes a greater epoch)
     * @throws DrException a storage failure when the backend cannot be reached (the holding
     *     then lasts until its deadline); {@code ILLEGAL_STATE} after the coordinator was closed
     */
    boolean renew();

    /**
     * Gives the lease up, so that another instance may acquire it at once; does nothing when
     * this instance does not hold it. This instance stops believing it holds the lease before
     * the request is sent.
     *
     * @throws DrException a storage failure when the backend cannot be reached (the lease then
     *     expires after its TTL); {@code ILLEGAL_STATE} after the coordinator was closed
     */
    void release();

    /**
     * Returns this instance's current holding, judged by its own ticker without a request.
     *
     * @return the token while this instance holds the lease and its deadline has not passed,
     *     otherwise empty
     */
    Optional<FencingToken> token();

    /**
     * Reads who holds the lease now, as this instance observes it.
     *
     * @return the holder, or empty when nobody holds it, its holder released it, or this
     *     instance observed no renewal for the TTL
     * @throws DrException a storage failure when the backend cannot be reached;
     *     {@code ILLEGAL_STATE} after the coordinator was closed
     */
    Optional<LeaseHolder> holder();

    /**
     * Keeps trying to acquire the lease in the background while this instance does not hold
     * it, and keeps renewing it while it does, telling the listener of every gain and loss.
     *
     * @param listener told when this instance acquires or loses the lease
     * @return the subscription; closing it stops the campaign but does not release the lease
     * @throws DrException {@code ILLEGAL_STATE} after the coordinator was closed
     */
    Subscription campaign(LeaseListener listener);
}
