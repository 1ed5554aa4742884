package dev.drkit.core.incident;

import dev.drkit.api.DrException;
import dev.drkit.api.incident.Severity;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Who is told when an incident is not acknowledged in time: after {@code ackWithin} the first
 * of the chain, after twice that the second, and so on; SEV1 incidents wait half as long.
 *
 * @param ackWithin how long an incident may stay unacknowledged before each escalation
 * @param chain who is escalated to, in order
 */
public record EscalationPolicy(Duration ackWithin, List<String> chain) {
    /**
     * Validates the policy.
     *
     * @throws DrException {@code INVALID_ARGUMENT} for a non-positive duration
     */
    public EscalationPolicy {
        Objects.requireNonNull(ackWithin, "ackWithin");
        if (ackWithin.isNegative() || ackWithin.isZero()) {
            throw DrException.invalidArgument("ackWithin", "must be > 0", ackWithin);
        }
        chain = List.copyOf(chain);
    }

    /**
     * Returns a policy.
     *
     * @param ackWithin how long before each escalation
     * @param chain who is escalated to, in order
     * @return the policy
     */
    public static EscalationPolicy of(Duration ackWithin, String... chain) {
        return new EscalationPolicy(ackWithin, List.of(chain));
    }

    /**
     * Returns how long an incident of a severity waits before each escalation.
     *
     * @param severity the severity
     * @return the wait
     */
    public Duration waitFor(Severity severity) {
        return severity == Severity.SEV1 ? ackWithin.dividedBy(2) : ackWithin;
    }
}
