package dev.drkit.postgres;

import dev.drkit.api.DrException;
import java.time.Duration;
import java.util.Objects;

/**
 * How WAL is streamed: over which physical replication slot, how often a chunk is made
 * durable, and how much WAL the slot may hold back before a warning.
 *
 * @param slot the physical replication slot's name
 * @param flushInterval the longest a received byte waits before its chunk is stored; the
 *     slot is acknowledged after each store, so this bounds the RPO while the stream runs
 * @param lagWarningBytes how much WAL the slot may hold back on the server before a warning
 *     is logged
 */
public record WalStreamConfig(String slot, Duration flushInterval, long lagWarningBytes) {
    /** The default flush interval: one second. */
    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(1);
    /** The default lag that draws a warning: 1 GiB. */
    public static final long DEFAULT_LAG_WARNING_BYTES = 1L << 30;

    /**
     * Validates the fields.
     *
     * @throws DrException {@code INVALID_ARGUMENT} for a slot name PostgreSQL would refuse, a
     *     flush interval that is not positive, or a lag warning that is not positive
     */
    public WalStreamConfig {
        Objects.requireNonNull(slot, "slot");
        Objects.requireNonNull(flushInterval, "flushInterval");
        if (!slot.matches("[a-z0-9_]{1,63}")) {
            throw DrException.invalidArgument("slot", "must be 1 to 63 lowercase letters, digits or '_'", slot);
        }
        if (flushInterval.isZero() || flushInterval.isNegative()) {
            throw DrException.invalidArgument("flushInterval", "must be > 0", flushInterval);
        }
        if (lagWarningBytes <= 0) {
            throw DrException.invalidArgument("lagWarningBytes", "must be > 0", lagWarningBytes);
        }
    }

    /**
     * Returns the defaults for a slot.
     *
     * @param slot the slot's name
     * @return the configuration
     */
    public static WalStreamConfig of(String slot) {
        return new WalStreamConfig(slot, DEFAULT_FLUSH_INTERVAL, DEFAULT_LAG_WARNING_BYTES);
    }

    /**
     * Returns this configuration with another flush interval.
     *
     * @param interval the interval
     * @return the configuration
     */
    public WalStreamConfig withFlushInterval(Duration interval) {
        return new WalStreamConfig(slot, interval, lagWarningBytes);
    }
}
