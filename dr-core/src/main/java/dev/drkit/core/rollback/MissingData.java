package dev.drkit.core.rollback;

/**
 * What a guard does when a signal it is configured with has no data: a probe that does not
 * answer in time, or a version without the calls a comparison needs.
 */
public enum MissingData {
    /** Hold the rollout step: neither promote nor roll back until the signal reports (the default). */
    HOLD,
    /** Go on without the signal, as if it had reported healthy. */
    IGNORE,
    /** Count the silence as a failure of the signal (for a probe: as DOWN). */
    FAIL
}
