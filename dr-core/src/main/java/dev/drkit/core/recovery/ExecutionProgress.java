package dev.drkit.core.recovery;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Where an execution stands: each step's state, the share done and the estimated time left.
 *
 * @param executionId the execution
 * @param steps each step's state, in plan order
 * @param percentDone the share of steps that completed (SUCCEEDED, or COMPENSATED after they
 *     did), 0 to 100: a failed, skipped or running step is not done, so a run that failed ends
 *     below 100
 * @param elapsed time since the execution started
 * @param eta the estimated time left from earlier runs' step durations, or {@code null} when unknown
 */
public record ExecutionProgress(String executionId, Map<String, StepState> steps, double percentDone,
        Duration elapsed, @Nullable Duration eta) {
    /** Copies the map so that the progress is immutable. */
    public ExecutionProgress {
        steps = Collections.unmodifiableMap(new LinkedHashMap<>(steps));
    }

    /**
     * Returns the estimated time left.
     *
     * @return the estimate, or empty when earlier runs do not tell
     */
    public Optional<Duration> etaIfKnown() {
        return Optional.ofNullable(eta);
    }
}
