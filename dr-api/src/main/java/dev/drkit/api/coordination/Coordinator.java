package dev.drkit.api.coordination;

import dev.drkit.api.DrException;

/**
 * One instance's handle on the coordination of its fleet: the leases it may hold, the shared
 * states it reads and writes, and the groups it is a member of.
 *
 * <p>Implementations are thread-safe and return the same {@link Lease}, {@link SharedState}
 * or {@link Membership} object for the same name. Methods that reach the backend throw
 * {@link DrException} with {@code UNAVAILABLE} (worth retrying) or another storage code when
 * it fails; nothing is lost then, and a held lease stays held until its own deadline.
 */
public interface Coordinator extends AutoCloseable {

    /**
     * Returns the identity this instance holds leases and joins groups under.
     *
     * @return the member id, never blank
     */
    String memberId();

    /**
     * Returns the lease of a name, for this instance to acquire, renew and release.
     *
     * @param name the lease's name, such as {@code backup-writer}
     * @return the lease
     * @throws DrException {@code INVALID_ARGUMENT} for a blank or malformed name;
     *     {@code ILLEGAL_STATE} after {@link #close()}
     */
    Lease lease(String name);

    /**
     * Returns the shared state of a name.
     *
     * @param name the state's name, such as {@code guard.checkout}
     * @return the state
     * @throws DrException {@code INVALID_ARGUMENT} for a blank or malformed name;
     *     {@code ILLEGAL_STATE} after {@link #close()}
     */
    SharedState state(String name);

    /**
     * Returns a membership group, for this instance to join, leave and list.
     *
     * @param group the group's name, such as {@code orders-service}
     * @return the group
     * @throws DrException {@code INVALID_ARGUMENT} for a blank or malformed name;
     *     {@code ILLEGAL_STATE} after {@link #close()}
     */
    Membership membership(String group);

    /**
     * Releases the leases this instance holds, leaves its groups, cancels its watches and
     * stops its background work; closing twice has no further effect. A failure to reach the
     * backend while releasing is not thrown: the leases then expire after their TTL.
     */
    @Override
    void close();
}
