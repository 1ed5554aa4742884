package dev.drkit.api.health;

/** The answer of a {@link HealthProbe}, from best to worst. */
public enum HealthStatus {
    /** Working as expected. */
    UP,
    /** Working, but worse than expected: slow, partly failing or short of capacity. */
    DEGRADED,
    /** Not working. */
    DOWN;

    /**
     * Returns the worse of this status and another.
     *
     * @param other the other status
     * @return the one further down the list
     */
    public HealthStatus worst(HealthStatus other) {
        return compareTo(other) >= 0 ? this : other;
    }
}
