package dev.drkit.core.recovery.internal;

import dev.drkit.api.recovery.RecoveryPlan.PlannedStep;
import dev.drkit.core.recovery.StepOutcome;
import dev.drkit.core.recovery.StepState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The coordinator's view of one step. The coordinating thread owns the plain fields; the
 * attempt and approval fields are shared with workers and callers under the object's lock.
 */
final class StepRun {
    final PlannedStep planned;
    volatile StepState state = StepState.PENDING;
    int attempts;
    @Nullable Instant startedAt;
    @Nullable Instant endedAt;
    @Nullable String error;
    boolean compensated;
    @Nullable String compensationError;
    boolean resumed;
    /** Whether the journal of a resumed execution last saw the step running: it runs again. */
    boolean wasRunning;
    final List<String> notes = Collections.synchronizedList(new ArrayList<>());
    final Map<String, String> valuesPut = new ConcurrentHashMap<>();
    // attempt bookkeeping shared with the worker, guarded by this
    @Nullable Thread thread;
    @Nullable Instant attemptStartedAt;
    boolean timedOut;
    // approval
    @Nullable Instant gateOpenedAt;
    boolean escalated;
    boolean decided;
    /** How the gate was decided, for a second decision's refusal: {@code approved by alice}. */
    @Nullable String decision;
    boolean approved;
    volatile @Nullable Instant dataAsOf;

    StepRun(PlannedStep planned) {
        this.planned = planned;
    }

    String name() {
        return planned.name();
    }

    Duration duration() {
        return startedAt == null || endedAt == null ? Duration.ZERO : Duration.between(startedAt, endedAt);
    }

    StepOutcome outcome() {
        return new StepOutcome(name(), state, attempts, startedAt, endedAt, error, compensated, compensationError,
                resumed,
                new ArrayList<>(notes));
    }
}
