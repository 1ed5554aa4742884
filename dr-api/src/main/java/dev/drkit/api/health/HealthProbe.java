package dev.drkit.api.health;

import java.util.Objects;


/**
 * Checks one thing a service depends on or offers, and says whether it works.
 *
 * <p>A probe is called from a scheduler thread, possibly concurrently with itself; it should
 * answer quickly and must be thread-safe. A probe that throws is counted as
 * {@link HealthStatus#DOWN} with the exception as detail; callers apply their own timeout
 * and count a probe that does not answer in time as DOWN.
 */
@FunctionalInterface
public interface HealthProbe {

    /**
     * Runs the check.
     *
     * @return the result; its latency may be left at zero for the caller to measure
     * @throws Exception when the check itself fails, which counts as DOWN
     */
    ProbeResult check() throws Exception;

    /**
     * Returns the probe's name, for logs, metrics and reports.
     *
     * @return the name; by default the implementing class's simple name
     */
    default String name() {
        String simple = getClass().getSimpleName();
        return simple.isEmpty() ? "probe" : simple;
    }

    /**
     * Returns a probe with a name around a check.
     *
     * @param name the probe's name
     * @param check the check to run
     * @return the named probe
     */
    static HealthProbe named(String name, HealthProbe check) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(check, "check");
        return new HealthProbe() {
            @Override
            public ProbeResult check() throws Exception {
                return check.check();
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public String toString() {
                return "HealthProbe[" + name + "]";
            }
        };
    }
}
