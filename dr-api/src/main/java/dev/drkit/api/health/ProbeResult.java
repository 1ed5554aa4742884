package dev.drkit.api.health;

import dev.drkit.api.DrException;
import java.time.Duration;
import java.util.Objects;

/**
 * The outcome of one {@link HealthProbe#check()}.
 *
 * @param status UP, DEGRADED or DOWN
 * @param detail a short explanation for a person, possibly empty
 * @param latency how long the check took
 */
public record ProbeResult(HealthStatus status, String detail, Duration latency) {
    /**
     * Validates the fields.
     *
     * @throws DrException {@code INVALID_ARGUMENT} for a negative latency
     */
    public ProbeResult {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(latency, "latency");
        if (latency.isNegative()) {
            throw DrException.invalidArgument("latency", "must be >= 0", latency);
        }
    }

    /**
     * Returns an UP result with no detail and no latency (the caller that timed the probe
     * fills it in with {@link #withLatency(Duration)}).
     *
     * @return the result
     */
    public static ProbeResult up() {
        return new ProbeResult(HealthStatus.UP, "", Duration.ZERO);
    }

    /**
     * Returns an UP result.
     *
     * @param detail a short explanation
     * @return the result
     */
    public static ProbeResult up(String detail) {
        return new ProbeResult(HealthStatus.UP, detail, Duration.ZERO);
    }

    /**
     * Returns a DEGRADED result.
     *
     * @param detail what is wrong
     * @return the result
     */
    public static ProbeResult degraded(String detail) {
        return new ProbeResult(HealthStatus.DEGRADED, detail, Duration.ZERO);
    }

    /**
     * Returns a DOWN result.
     *
     * @param detail what is wrong
     * @return the result
     */
    public static ProbeResult down(String detail) {
        return new ProbeResult(HealthStatus.DOWN, detail, Duration.ZERO);
    }

    /**
     * Returns a copy with the given latency.
     *
     * @param latency how long the check took
     * @return the copy
     */
    public ProbeResult withLatency(Duration latency) {
        return new ProbeResult(status, detail, latency);
    }
}
