package dev.drkit.core.recovery.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.recovery.CompensationStrategy;
import dev.drkit.api.recovery.RecoveryStep;
import dev.drkit.api.recovery.StepContext;
import dev.drkit.core.recovery.ExecutionEvent.Kind;
import dev.drkit.core.recovery.StepState;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CompensationTest {
    final List<String> undone = new CopyOnWriteArrayList<>();

    RecoveryStep undoing(String name) {
        return new RecoveryStep() {
            @Override
            public void execute(StepContext c) {
            }

            @Override
            public void compensate(StepContext c) {
                if (name.equals("broken")) {
                    throw new IllegalStateException("cannot undo");
                }
                undone.add(name + " #" + c.attempt());
            }
        };
    }

    final Runs runs = new Runs(Runs.plan()
            .step("always", undoing("always"), s -> s.compensation(CompensationStrategy.ALWAYS))
            .step("onFailure", undoing("onFailure"))
            .step("never", undoing("never"), s -> s.compensation(CompensationStrategy.NEVER))
            .step("broken", undoing("broken"))
            .step("failed", undoing("failed"))
            .step("failedBeforeRunning", undoing("failedBeforeRunning")).build());
    final Compensation compensation = new Compensation(runs.run, runs.rec);

    @AfterEach
    void close() {
        runs.executor.shutdownNow();
    }

    void succeeded(String... names) {
        for (String n : names) {
            StepRun s = runs.run.step(n);
            s.state = StepState.SUCCEEDED;
            s.attempts = 1;
            runs.run.completionOrder.add(n);
        }
    }

    void failed(String name, int attempts) {
        StepRun s = runs.run.step(name);
        s.state = StepState.FAILED;
        s.attempts = attempts;
    }

    List<String> todo(boolean success) {
        return compensation.todo(success).stream().map(StepRun::name).toList();
    }

    @Test
    void onSuccessOnlyStepsThatAlwaysCompensateAreUndone() {
        succeeded("onFailure", "always", "never");
        assertThat(todo(true)).containsExactly("always");
    }

    @Test
    void onFailureTheFailedStepsComeFirstThenTheSucceededLatestFirst() {
        succeeded("always", "broken", "onFailure", "never");
        failed("failed", 2);
        failed("failedBeforeRunning", 0);
        assertThat(todo(false)).containsExactly("failed", "onFailure", "broken", "always");
    }

    @Test
    void eachCompensationIsRecordedAndAFailureDoesNotStopTheNext() {
        succeeded("always", "broken", "onFailure");
        compensation.compensate(false);
        assertThat(undone).containsExactly("onFailure #2", "always #2");
        assertThat(runs.run.step("always").state).isEqualTo(StepState.COMPENSATED);
        StepRun broken = runs.run.step("broken");
        assertThat(broken.state).isEqualTo(StepState.SUCCEEDED);
        assertThat(broken.compensated).isFalse();
        assertThat(broken.notes).containsExactly("compensation failed: IllegalStateException: cannot undo");
        assertThat(broken.compensationError).isEqualTo("IllegalStateException: cannot undo");
        assertThat(runs.kinds()).containsExactly(Kind.COMPENSATED, Kind.COMPENSATION_FAILED, Kind.COMPENSATED);
        assertThat(runs.audit).extracting(a -> a.outcome().name()).containsExactly("SUCCESS", "FAILURE", "SUCCESS");
    }
}
