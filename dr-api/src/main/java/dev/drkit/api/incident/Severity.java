package dev.drkit.api.incident;

/** How bad an incident is; SEV1 is the worst. */
public enum Severity {
    /** Critical: the service is down or data is being lost; all hands. */
    SEV1,
    /** Major: a core function is impaired for many users. */
    SEV2,
    /** Minor: a function is degraded or a few users are affected. */
    SEV3,
    /** Low: no user impact yet; a risk to follow up. */
    SEV4;

    /**
     * Returns whether this severity is at least as bad as another.
     *
     * @param other the severity to compare with
     * @return true when this is the same or worse
     */
    public boolean atLeast(Severity other) {
        return compareTo(other) <= 0;
    }
}
