package dev.drkit.api.coordination;

import java.util.Objects;

/**
 * Who holds a lease, as one instance observes it.
 *
 * @param lease the lease's name
 * @param memberId the holder's identity
 * @param epoch the epoch of the holding
 */
public record LeaseHolder(String lease, String memberId, long epoch) {
    /** Checks that no field is null. */
    public LeaseHolder {
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(memberId, "memberId");
    }

    /**
     * Returns the token of this holding.
     *
     * @return the lease name and epoch as a fencing token
     */
    public FencingToken token() {
        return new FencingToken(lease, epoch);
    }
}
