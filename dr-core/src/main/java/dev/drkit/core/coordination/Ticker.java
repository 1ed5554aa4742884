package dev.drkit.core.coordination;

/**
 * A monotonic source of nanoseconds, as Caffeine's {@code Ticker}: only differences between
 * two readings of the same ticker mean anything. Leases are timed with it, never with a wall
 * clock, so that a wall clock set back or forward changes no lease.
 */
@FunctionalInterface
public interface Ticker {

    /**
     * Reads the ticker.
     *
     * @return nanoseconds since an arbitrary origin; never less than an earlier reading
     */
    long read();

    /**
     * Returns the JVM's monotonic ticker, {@link System#nanoTime()}.
     *
     * @return the system ticker
     */
    static Ticker system() {
        return System::nanoTime;
    }
}
