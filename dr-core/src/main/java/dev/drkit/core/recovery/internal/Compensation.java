package dev.drkit.core.recovery.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.api.recovery.CompensationStrategy;
import dev.drkit.core.recovery.ExecutionEvent.Kind;
import dev.drkit.core.recovery.StepState;
import dev.drkit.core.report.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Undoes steps after an execution's step phase: on success those whose strategy is ALWAYS;
 * on failure the failed steps that ran first, then the succeeded steps with ON_FAILURE or
 * ALWAYS, latest first. Each compensation is bounded by its step's timeout; a failure is
 * recorded and the next one still runs.
 */
final class Compensation {
    private final RunState run;
    private final Recorder rec;

    Compensation(RunState run, Recorder rec) {
        this.run = run;
        this.rec = rec;
    }

    /** Returns the steps to compensate, in the order they are compensated. */
    List<StepRun> todo(boolean success) {
        List<StepRun> todo = new ArrayList<>();
        if (!success) {
            for (StepRun s : run.steps()) {
                if (s.state == StepState.FAILED && s.attempts > 0
                        && s.planned.policy().compensation() != CompensationStrategy.NEVER) {
                    todo.add(s);
                }
            }
        }
        List<String> reversed = new ArrayList<>(run.completionOrder);
        Collections.reverse(reversed);
        for (String n : reversed) {
            StepRun s = run.step(n);
            CompensationStrategy c = s.planned.policy().compensation();
            if (s.state == StepState.SUCCEEDED
                    && (c == CompensationStrategy.ALWAYS || (!success && c == CompensationStrategy.ON_FAILURE))) {
                todo.add(s);
            }
        }
        return todo;
    }

    /**
     * Compensates the steps that {@link #todo} names, recording each. A step with nothing to
     * undo ({@link dev.drkit.api.recovery.RecoveryStep#describeCompensation()} empty) is not
     * called and keeps its state, with a note: it is not reported as undone.
     */
    void compensate(boolean success) {
        for (StepRun s : todo(success)) {
            if (s.planned.step().describeCompensation().isEmpty()) {
                s.notes.add("nothing to undo");
                continue;
            }
            String error = null;
            try {
                Future<?> f = run.cfg.stepExecutor().submit(() -> {
                    s.planned.step().compensate(new RunContext(run, s, s.attempts + 1));
                    return null;
                });
                awaitBounded(f, s.planned.policy().timeout());
            } catch (Exception e) {
                error = RunState.describe(e instanceof ExecutionException ee && ee.getCause() != null ? ee.getCause() : e);
            }
            s.compensated = error == null;
            s.compensationError = error;
            if (s.state == StepState.SUCCEEDED && error == null) {
                s.state = StepState.COMPENSATED;
            }
            s.notes.add(error == null ? "compensated" : "compensation failed: " + error);
            Map<String, Object> e = rec.stepEntry(s, s.state);
            e.put("compensated", error == null);
            rec.journal(e);
            rec.auditStep("plan.compensate", s.name(), error == null ? AuditOutcome.SUCCESS : AuditOutcome.FAILURE,
                    error == null ? Map.of("step", s.name()) : Map.of("step", s.name(), "error", error));
            rec.publish(s.name(), error == null ? Kind.COMPENSATED : Kind.COMPENSATION_FAILED, s.attempts,
                    error == null ? "compensated"
                            : "compensation failed: " + error + "; the step's change may still be in place");
        }
    }

    private void awaitBounded(Future<?> f, Duration timeout) throws Exception {
        Instant deadline = run.now().plus(timeout);
        while (true) {
            try {
                f.get(run.cfg.pollInterval().toNanos(), TimeUnit.NANOSECONDS);
                return;
            } catch (TimeoutException e) {
                if (run.now().isAfter(deadline)) {
                    f.cancel(true);
                    throw new DrException(ErrorCode.TIMEOUT, "compensation timed out after " + Durations.human(timeout),
                            null);
                }
            }
        }
    }
}
