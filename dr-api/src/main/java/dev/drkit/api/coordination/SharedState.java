package dev.drkit.api.coordination;

import dev.drkit.api.DrException;
import java.util.Optional;

/**
 * A small, versioned value shared by a fleet, changed only by compare-and-set: a guard's last
 * decision, a primary's identity, a schedule's last run.
 *
 * <p>Every committed change gets the next version; two writers racing from the same version
 * cannot both commit. A write fenced with a {@link FencingToken} is refused once the backend
 * has seen a newer epoch of that lease, so a holder that lost its lease while paused cannot
 * overwrite its successor's decisions.
 */
public interface SharedState {

    /**
     * Returns the state's name.
     *
     * @return the name
     */
    String name();

    /**
     * Reads the current version from the backend.
     *
     * @return the current version, or empty when nothing was ever committed
     * @throws DrException a storage failure when the backend cannot be reached;
     *     {@code INTEGRITY} when the stored state is unreadable; {@code ILLEGAL_STATE} after
     *     the coordinator was closed
     */
    Optional<StateVersion> read();

    /**
     * Commits a new value when the current version is {@code expectedVersion}.
     *
     * @param expectedVersion the version read before, or {@code 0} to create the state
     * @param value the new value
     * @return the committed version ({@code expectedVersion + 1}), or empty when the current
     *     version differs (nothing is written then)
     * @throws DrException {@code INVALID_ARGUMENT} for a negative version or a value above the
     *     implementation's size limit; a storage failure when the backend cannot be reached;
     *     {@code ILLEGAL_STATE} after the coordinator was closed
     */
    Optional<StateVersion> compareAndSet(long expectedVersion, String value);

    /**
     * Commits a new value when the current version is {@code expectedVersion} and the
     * writer's lease epoch is still the newest.
     *
     * @param expectedVersion the version read before, or {@code 0} to create the state
     * @param value the new value
     * @param fence the writer's token from {@link Lease#tryAcquire()}
     * @return the committed version, or empty when the current version differs
     * @throws DrException {@code STALE_EPOCH} when a newer epoch of the token's lease exists
     *     or already wrote this state (nothing is written then); {@code INVALID_ARGUMENT} as
     *     {@link #compareAndSet(long, String)}; a storage failure when the backend cannot be
     *     reached; {@code ILLEGAL_STATE} after the coordinator was closed
     */
    Optional<StateVersion> compareAndSet(long expectedVersion, String value, FencingToken fence);

    /**
     * Tells a listener of the current version and then of every later committed version, in
     * order, as the coordinator polls or is notified.
     *
     * @param listener the listener
     * @return the subscription; closing it stops the calls
     * @throws DrException {@code ILLEGAL_STATE} after the coordinator was closed
     */
    Subscription watch(StateListener listener);
}
