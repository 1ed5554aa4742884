package dev.drkit.core.routing;

import java.time.Instant;
import java.util.Objects;

/**
 * One switch of a {@link FailoverRouter} between its primary and its standby.
 *
 * @param router the router's name
 * @param from the target calls went to before
 * @param to the target calls go to now
 * @param epoch the switch's epoch, handed to the {@link dev.drkit.api.recovery.Failover};
 *     greater than every earlier switch's and than the epoch of any primary lease observed
 * @param trigger what caused it: {@code lease-lapsed}, {@code probes}, {@code policy} or {@code operator}
 * @param actor {@code system} or the operator
 * @param reason why, in words
 * @param at when
 */
public record RouterSwitch(String router, String from, String to, long epoch, String trigger, String actor,
        String reason, Instant at) {
    /** Checks that no field is null. */
    public RouterSwitch {
        Objects.requireNonNull(router, "router");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(trigger, "trigger");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(at, "at");
    }
}
