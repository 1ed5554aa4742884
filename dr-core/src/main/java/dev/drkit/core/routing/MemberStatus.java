package dev.drkit.core.routing;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One member of a {@link BalancedGroup} as the group sees it now.
 *
 * @param name the member's name
 * @param healthy false while its last probe answered DOWN
 * @param ejectedUntil when its ejection as an outlier ends, or null when it is not ejected
 * @param outstanding calls in flight on it
 * @param consecutiveFailures failed calls in a row
 * @param calls calls made on it
 * @param failures calls that failed on it
 */
public record MemberStatus(String name, boolean healthy, @Nullable Instant ejectedUntil, int outstanding,
        int consecutiveFailures, long calls, long failures) {
    /** Checks that the name is not null. */
    public MemberStatus {
        Objects.requireNonNull(name, "name");
    }

    /**
     * Returns whether calls may go to the member.
     *
     * @return true when healthy and not ejected
     */
    public boolean eligible() {
        return healthy && ejectedUntil == null;
    }
}
