package dev.drkit.core.rollback;

import dev.drkit.api.DrException;
import java.time.Duration;
import java.util.Objects;

/**
 * How a guard polls its health probes.
 *
 * @param interval time between polls (and between the guard's other scheduled checks), > 0
 * @param timeout how long a probe may take before it counts as DOWN, > 0
 * @param downThreshold consecutive DOWN polls of a candidate probe that roll back, > 0
 */
public record ProbeSettings(Duration interval, Duration timeout, int downThreshold) {

    /** Defaults: every 5 s, 2 s timeout, 3 DOWN polls in a row roll back. */
    public static final ProbeSettings DEFAULT = new ProbeSettings(Duration.ofSeconds(5), Duration.ofSeconds(2), 3);

    /**
     * Validates the fields.
     *
     * @throws DrException {@code INVALID_ARGUMENT} naming the field that is out of range
     */
    public ProbeSettings {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(timeout, "timeout");
        if (interval.isNegative() || interval.isZero()) {
            throw DrException.invalidArgument("interval", "must be > 0", interval);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw DrException.invalidArgument("timeout", "must be > 0", timeout);
        }
        if (downThreshold <= 0) {
            throw DrException.invalidArgument("downThreshold", "must be > 0", downThreshold);
        }
    }
}
