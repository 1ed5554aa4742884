package dev.drkit.core.recovery.internal;

import dev.drkit.api.recovery.ExecutionMode;
import dev.drkit.api.recovery.StepContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The context handed to one attempt (or the compensation) of one step: progress goes to the
 * coordinator's inbox, values to the execution's shared map and the step's journal entry.
 */
final class RunContext implements StepContext {
    private final RunState run;
    private final StepRun step;
    private final int attempt;

    RunContext(RunState run, StepRun step, int attempt) {
        this.run = run;
        this.step = step;
        this.attempt = attempt;
    }

    @Override
    public String executionId() {
        return run.id;
    }

    @Override
    public String planName() {
        return run.plan.name();
    }

    @Override
    public String stepName() {
        return step.name();
    }

    @Override
    public ExecutionMode mode() {
        return run.mode;
    }

    @Override
    public int attempt() {
        return attempt;
    }

    @Override
    public String idempotencyKey() {
        return run.id + "/" + step.name();
    }

    @Override
    public Clock clock() {
        return run.clock;
    }

    @Override
    public void progress(double fraction, String message) {
        step.notes.add(message);
        run.inbox.add(new Signal.Note(step.name(), message));
    }

    @Override
    public boolean isCancelled() {
        return run.cancelled;
    }

    @Override
    public void restoredDataAsOf(Instant dataTime) {
        step.dataAsOf = dataTime;
        run.noteDataAsOf(dataTime);
    }

    @Override
    public void plannedWait(Duration duration) {
        if (!duration.isNegative() && !duration.isZero()) {
            put(RunState.PLANNED_WAIT + step.name(), duration.toString());
        }
    }

    @Override
    public void put(String name, String value) {
        run.values.put(name, value);
        step.valuesPut.put(name, value);
    }

    @Override
    public Optional<String> get(String name) {
        return Optional.ofNullable(run.values.get(name));
    }
}
