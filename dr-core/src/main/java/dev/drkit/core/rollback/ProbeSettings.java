package dev.drkit.core.rollback;

import dev.drkit.api.DrException;
import java.time.Duration;
import java.util.Objects;

/**
 * How a guard polls its health probes.
 *
 * <p>A probe that does not answer within {@code timeout} is interrupted, and one whose
 * previous poll is still running (it ignored the interrupt) is not polled again; either way the
 * poll has no answer, which counts as the guard's {@link GuardedReleaseBuilder#probeNoAnswer}
 * says: {@link MissingData#HOLD} (the default) holds the step and never rolls back, however
 * long the probe hangs; {@link MissingData#IGNORE} counts it as UP; {@link MissingData#FAIL}
 * counts it as DOWN, so {@code downThreshold} polls without an answer in a row roll back. Under
 * every setting an operator's promotion without force is refused until the probe answers UP.
 * {@link RollbackCondition}s are held to the same timeout; one that gives no answer counts as
 * not holding.
 *
 * @param interval time between polls (and between the guard's other scheduled checks), > 0
 * @param timeout how long a probe or a condition may take before its poll has no answer, > 0
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
