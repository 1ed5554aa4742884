package dev.drkit.core.recovery;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How one step of an execution ended.
 *
 * @param name the step
 * @param state its final state
 * @param attempts how many attempts ran (0 when it never ran)
 * @param startedAt when its first attempt started, or {@code null}
 * @param endedAt when it finished, or {@code null}
 * @param error why it failed, or {@code null}
 * @param compensated whether its compensation ran and succeeded
 * @param compensationError why its compensation failed, or {@code null} when it succeeded or
 *     did not run; a step whose compensation failed keeps its state (SUCCEEDED or FAILED) and
 *     its change may still be in place
 * @param resumed whether it had finished before the execution was resumed and was not rerun
 * @param notes what it reported while it ran (in a drill, what it would do)
 */
public record StepOutcome(String name, StepState state, int attempts, @Nullable Instant startedAt,
        @Nullable Instant endedAt, @Nullable String error, boolean compensated, @Nullable String compensationError,
        boolean resumed, List<String> notes) {
    /** Copies the notes so that the outcome is immutable. */
    public StepOutcome {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
        notes = List.copyOf(notes);
    }

    /**
     * Creates an outcome whose compensation did not fail.
     *
     * @param name the step
     * @param state its final state
     * @param attempts how many attempts ran
     * @param startedAt when its first attempt started, or {@code null}
     * @param endedAt when it finished, or {@code null}
     * @param error why it failed, or {@code null}
     * @param compensated whether its compensation ran
     * @param resumed whether it had finished before the execution was resumed
     * @param notes what it reported while it ran
     */
    public StepOutcome(String name, StepState state, int attempts, @Nullable Instant startedAt,
            @Nullable Instant endedAt, @Nullable String error, boolean compensated, boolean resumed,
            List<String> notes) {
        this(name, state, attempts, startedAt, endedAt, error, compensated, null, resumed, notes);
    }

    /**
     * Returns whether the step's compensation ran and failed, so that its change may still be in place.
     *
     * @return true when {@link #compensationError} is set
     */
    public boolean compensationFailed() {
        return compensationError != null;
    }

    /**
     * Returns how long the step took, from its first attempt to its end.
     *
     * @return the duration, or empty when it never ran
     */
    public Optional<Duration> duration() {
        return startedAt == null || endedAt == null ? Optional.empty() : Optional.of(Duration.between(startedAt, endedAt));
    }
}
