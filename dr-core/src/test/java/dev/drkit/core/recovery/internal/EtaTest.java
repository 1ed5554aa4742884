package dev.drkit.core.recovery.internal;

import static dev.drkit.core.recovery.internal.Runs.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.core.recovery.ExecutionHistory;
import dev.drkit.core.recovery.Plan;
import dev.drkit.core.recovery.StepState;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class EtaTest {
    // a -> b, and c alongside: the critical path is a then b
    final Plan plan = Runs.plan().step("a", c -> {
    }).step("b", c -> {
    }, s -> s.dependsOn("a")).step("c", c -> {
    }).build();
    final Runs runs = new Runs(plan);
    final ExecutionHistory history = runs.history;

    void learn(String step, Duration d) {
        history.record("p", step, d);
    }

    StepRun step(String name) {
        return runs.run.step(name);
    }

    Duration eta() {
        return Eta.left("p", runs.run.steps(), history, T0.plus(Duration.ofMinutes(1)));
    }

    @Test
    void theEtaIsTheLongestPathThroughTheStepsNotDone() {
        learn("a", Duration.ofMinutes(2));
        learn("b", Duration.ofMinutes(3));
        learn("c", Duration.ofMinutes(4));
        assertThat(eta()).isEqualTo(Duration.ofMinutes(5));
        step("a").state = StepState.SUCCEEDED;
        assertThat(eta()).isEqualTo(Duration.ofMinutes(4));
    }

    @Test
    void aRunningStepCountsOnlyWhatIsLeftOfItsDuration() {
        learn("a", Duration.ofMinutes(2));
        learn("b", Duration.ofMinutes(3));
        learn("c", Duration.ofSeconds(30));
        step("a").state = StepState.RUNNING;
        step("a").startedAt = T0;
        // a has run one minute of its two
        assertThat(eta()).isEqualTo(Duration.ofMinutes(4));
        step("a").startedAt = T0.minus(Duration.ofMinutes(10));
        assertThat(eta()).isEqualTo(Duration.ofMinutes(3));
    }

    @Test
    void theEtaIsUnknownWhileAStepNotDoneHasNoHistory() {
        learn("a", Duration.ofMinutes(2));
        learn("b", Duration.ofMinutes(3));
        assertThat(eta()).isNull();
        step("c").state = StepState.SKIPPED;
        assertThat(eta()).isEqualTo(Duration.ofMinutes(5));
    }
}
