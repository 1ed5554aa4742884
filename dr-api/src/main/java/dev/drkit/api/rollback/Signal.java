package dev.drkit.api.rollback;

import java.util.Optional;

/**
 * A custom metric that can roll a candidate back: a count of bad events among events, for
 * each version (checkouts abandoned among checkouts started, refunds among orders, timeouts of
 * a downstream call among its calls). The guard tests whether the candidate's bad events are
 * more frequent than the stable version's, within its share of the false-rollback budget.
 *
 * <p>Read off the call path, at most once per read interval, with a timeout: a signal may do
 * I/O (ask a metrics system). One that throws, or does not answer in time, has no data: the
 * rollout holds (never promotes) until it answers again, and it never rolls back on silence.
 */
public interface Signal {

    /**
     * Returns the signal's name, recorded with the rollbacks it causes and the holds it makes.
     *
     * @return the name
     */
    String name();

    /**
     * Reads the signal's cumulative counts (they only grow, as a counter's); the guard judges
     * what they grew by since its first reading in the rollout.
     *
     * @param observation what each version has done in the rollout, for signals that need it
     * @return the counts, or empty when there is no data
     * @throws Exception when the signal cannot be read; counted as no data
     */
    Optional<SignalCounts> read(Observation observation) throws Exception;
}
