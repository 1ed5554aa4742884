package dev.drkit.test.drill;

import static dev.drkit.test.drill.DrillAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.recovery.ExecutionRequest;
import dev.drkit.core.recovery.ExecutionResult;
import dev.drkit.core.recovery.ExecutionStatus;
import dev.drkit.core.recovery.Plan;
import dev.drkit.core.recovery.StepState;
import dev.drkit.core.recovery.Steps;
import dev.drkit.testkit.ManualClock;
import dev.drkit.testkit.store.FaultInjectingStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(DrillExtension.class)
class DrillToolsTest {
    static final Duration LIMIT = Duration.ofSeconds(30);

    @Test
    void theExtensionInjectsAManualClockAtTheDrillsStart(ManualClock clock) {
        assertThat(clock.instant()).isEqualTo(Drill.START);
        clock.advance(Duration.ofMinutes(5));
        assertThat(clock.instant()).isEqualTo(Drill.START.plus(Duration.ofMinutes(5)));
    }

    @Test
    void aDrillRestoringThroughAFlakyStoreMeetsItsObjectives(Drill drill) {
        SnapshotStore backups = FaultInjectingStore.wrap(drill.store()).errors(0.5).seed(3).build();
        drill.store().put("backups/latest", drill.clock().instant().minus(Duration.ofMinutes(4)).toString()
                .getBytes(StandardCharsets.UTF_8));
        Plan plan = Plan.builder("restore-orders").objectives(Duration.ofMinutes(15), Duration.ofMinutes(5))
                .step("restore", Steps.restore("the latest backup", c -> {
                    drill.clock().advance(Duration.ofMinutes(2));
                    return Instant.parse(new String(backups.get("backups/latest"), StandardCharsets.UTF_8));
                }), s -> s.retry(10, Duration.ofMillis(1)))
                .build();
        ExecutionResult r = drill.executor().run(plan, ExecutionRequest.drill(), LIMIT);
        assertThat(r).succeeded().metRto().metRpo().recoveredWithin(Duration.ofMinutes(15))
                .stepEnded("restore", StepState.SUCCEEDED);
        assertThat(drill.audit()).verifies();
    }

    @Test
    void theAssertionsExplainWhatWasMissed(Drill drill) {
        Plan plan = Plan.builder("slow").objectives(Duration.ofMinutes(1), Duration.ofMinutes(1))
                .step("slow", c -> drill.clock().advance(Duration.ofMinutes(3))).build();
        ExecutionResult r = drill.executor().run(plan, ExecutionRequest.live(), LIMIT);
        assertThat(r).succeeded().endedWith(ExecutionStatus.SUCCEEDED);
        assertThatThrownBy(() -> assertThat(r).metRto()).isInstanceOf(AssertionError.class)
                .hasMessageContaining("to meet its RTO of 1 min, but it achieved 3 min");
        assertThatThrownBy(() -> assertThat(r).recoveredWithin(Duration.ofSeconds(90)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("to recover within 1 min 30 s, but it "
                        + "achieved 3 min");
    }

    @Test
    void aStepThatAdvancesTheClockPastItsTimeoutIsHeldToItByStepTookAtMost(Drill drill) {
        Plan plan = Plan.builder("slow").objectives(Duration.ofMinutes(10), Duration.ofMinutes(1))
                .step("slow", c -> drill.clock().advance(Duration.ofMinutes(3)), s -> s.timeout(Duration.ofMinutes(1)))
                .build();
        ExecutionResult r = drill.executor().run(plan, ExecutionRequest.drill(), LIMIT);
        // the executor checks timeouts while a step runs; this one returned before a check saw it overdue
        assertThat(r).stepEnded("slow", StepState.SUCCEEDED);
        assertThatThrownBy(() -> assertThat(r).stepTookAtMost("slow", Duration.ofMinutes(1)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("Expected step slow to take at most 1 min, "
                        + "but it took 3 min");
    }

    @Test
    void metRpoFailsOnARunThatFailedOrRestoredNothing(Drill drill) {
        Plan broken = Plan.builder("broken").objectives(Duration.ofMinutes(1), Duration.ofMinutes(1))
                .step("restore", Steps.restore("the latest backup", c -> {
                    throw new IllegalStateException("no backup");
                })).build();
        ExecutionResult failed = drill.executor().run(broken, ExecutionRequest.drill(), LIMIT);
        assertThatThrownBy(() -> assertThat(failed).metRpo()).isInstanceOf(AssertionError.class)
                .hasMessageContaining("to meet its RPO of 1 min, but it FAILED: ").hasMessageContaining("no backup");

        Plan nothing = Plan.builder("nothing").objectives(Duration.ofMinutes(1), Duration.ofMinutes(1))
                .step("check", c -> c.progress(1.0, "checked")).build();
        ExecutionResult none = drill.executor().run(nothing, ExecutionRequest.drill(), LIMIT);
        assertThat(none).succeeded();
        assertThatThrownBy(() -> assertThat(none).metRpo()).isInstanceOf(AssertionError.class)
                .hasMessageContaining("to meet its RPO of 1 min, but nothing was restored");

        Plan stale = Plan.builder("stale").objectives(Duration.ofMinutes(1), Duration.ofMinutes(1))
                .step("restore", Steps.restore("an old backup", c -> drill.clock().instant()
                        .minus(Duration.ofMinutes(29)).minusSeconds(50))).build();
        ExecutionResult old = drill.executor().run(stale, ExecutionRequest.drill(), LIMIT);
        assertThatThrownBy(() -> assertThat(old).metRpo()).isInstanceOf(AssertionError.class)
                .hasMessageContaining("but the restored data was 29 min 50 s old");
    }
}
