package dev.drkit.api;

/**
 * A source of nanoseconds for measuring durations (as Caffeine's {@code Ticker}), injectable
 * so that tests measure latencies without real time passing.
 */
@FunctionalInterface
public interface Ticker {

    /**
     * Returns the number of nanoseconds elapsed since some fixed but arbitrary origin.
     *
     * @return the reading
     */
    long read();

    /**
     * Returns the ticker backed by {@link System#nanoTime()}.
     *
     * @return the system ticker
     */
    static Ticker system() {
        return System::nanoTime;
    }
}
