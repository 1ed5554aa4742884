package dev.drkit.core.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.recovery.RecoveryPlan.PlannedStep;
import dev.drkit.api.recovery.RecoveryStep;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PlanTest {
    static final RecoveryStep NOOP = c -> {
    };

    static Plan.Builder plan() {
        return Plan.builder("p").objectives(Duration.ofMinutes(10), Duration.ofMinutes(5));
    }

    @Test
    void stepNamesWithBlanksAtTheEndsOrControlCharactersAreRefusedNamingTheStepsIndex() {
        assertThatThrownBy(() -> plan().step("a", NOOP).step(" a ", NOOP))
                .isInstanceOf(DrException.class).hasMessage("plan p: steps[1].name must not start or end with a blank, "
                        + "but was \" a \"");
        assertThatThrownBy(() -> plan().step("restore\n## pwned", NOOP))
                .hasMessage("plan p: steps[0].name must not hold a control character (U+000A), "
                        + "but was \"restore\\n## pwned\"");
        assertThatThrownBy(() -> plan().step("a", NOOP).step("b", NOOP).step("tab\there", NOOP))
                .hasMessageContaining("steps[2].name must not hold a control character (U+0009)");
        assertThatThrownBy(() -> Plan.builder("orders\tprod")).hasMessageContaining("name must not hold a control character");
        assertThatThrownBy(() -> Plan.builder("orders ")).hasMessageContaining("name must not start or end with a blank");
        assertThat(plan().step("a | b *c* d", NOOP).build().steps()).extracting(PlannedStep::name)
                .as("markup characters are allowed: the runbook escapes them").containsExactly("a | b *c* d");
    }

    @Test
    void duplicateStepNamesAreRejectedNamingThem() {
        assertThatThrownBy(() -> plan().step("a", NOOP).step("b", NOOP).step("a", NOOP).build())
                .isInstanceOf(DrException.class).hasMessageContaining("duplicate step names: a");
    }

    @Test
    void unknownDependenciesAreRejectedNamingTheStepAndTheDependency() {
        assertThatThrownBy(() -> plan().step("a", NOOP).step("b", NOOP, s -> s.dependsOn("a", "ghost")).build())
                .isInstanceOf(DrException.class).hasMessageContaining("unknown steps: b -> ghost");
    }

    @Test
    void cyclesAreRejectedNamingTheStepsOfTheCycle() {
        assertThatThrownBy(() -> plan().step("a", NOOP, s -> s.dependsOn("c")).step("b", NOOP, s -> s.dependsOn("a"))
                .step("c", NOOP, s -> s.dependsOn("b")).step("d", NOOP).build())
                .isInstanceOf(DrException.class).hasMessageContaining("dependency cycle: a -> c -> b -> a");
    }

    @Test
    void aStepThatDependsOnItselfIsACycle() {
        assertThatThrownBy(() -> plan().step("a", NOOP, s -> s.dependsOn("a")).build())
                .hasMessageContaining("dependency cycle: a -> a");
    }

    @Test
    void settingAnOptionTwiceIsRejected() {
        assertThatThrownBy(() -> plan().step("a", NOOP, s -> s.timeout(Duration.ofSeconds(1)).timeout(Duration.ofSeconds(2))))
                .isInstanceOf(DrException.class).hasMessageContaining("step a: timeout is set twice");
    }

    @Test
    void invalidStepOptionsNameTheStep() {
        assertThatThrownBy(() -> plan().step("restore", NOOP, s -> s.retry(0, Duration.ofSeconds(1))))
                .hasMessageContaining("step restore: maxAttempts must be >= 1, but was 0");
    }

    @Test
    void aPlanWithoutObjectivesIsRejected() {
        assertThatThrownBy(() -> Plan.builder("x").step("a", NOOP).build()).hasMessageContaining("has no objectives");
    }

    @Test
    void structuralErrorsAreReportedBeforeMissingObjectives() {
        assertThatThrownBy(() -> Plan.builder("x").step("a", NOOP, s -> s.dependsOn("b"))
                .step("b", NOOP, s -> s.dependsOn("a")).build())
                .hasMessageContaining("dependency cycle").hasMessageNotContaining("objectives");
        assertThatThrownBy(() -> Plan.builder("x").step("a", NOOP, s -> s.dependsOn("ghost")).build())
                .hasMessageContaining("unknown steps: a -> ghost");
        assertThatThrownBy(() -> Plan.builder("x").step("a", NOOP).step("a", NOOP).build())
                .hasMessageContaining("duplicate step names: a");
    }

    @Test
    void stepsComeInATopologicalOrderStableInTheOrderAdded() {
        Plan p = plan().step("unfence", NOOP, s -> s.dependsOn("switch")).step("fence", NOOP)
                .step("restore", NOOP, s -> s.dependsOn("fence")).step("notify", NOOP)
                .step("switch", NOOP, s -> s.dependsOn("restore")).build();
        assertThat(p.steps()).extracting(PlannedStep::name)
                .containsExactly("fence", "restore", "notify", "switch", "unfence");
    }
}
