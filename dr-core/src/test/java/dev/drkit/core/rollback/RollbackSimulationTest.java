package dev.drkit.core.rollback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.rollback.Judge;
import org.junit.jupiter.api.Test;

class RollbackSimulationTest {
    private static final Judge JUDGE = Judges.sequential(JudgeConfig.DEFAULT.withConfiguredBaseline(0.01));

    @Test
    void aCandidateBetterThanTheBaselineHasNothingToDetectAndIsRarelyRolledBack() {
        RollbackSimulation simulation = RollbackSimulation.of(0.01, 0.005, 20_000, 1_000, 1);
        RollbackSimulation.Result result = simulation.run(JUDGE, 0.05);

        assertThat(simulation.regression()).isFalse();
        assertThat(result.missedRollbackRate()).as("nothing to miss").isNaN();
        assertThat(result.meanCallsToRollback()).isNaN();
        assertThat(result.informationLimit()).isNaN();
        assertThat(result.falseRollbackRate()).as("%s", result).isBetween(0.0, 0.01);
    }

    @Test
    void aCandidateAsGoodAsTheBaselineIsRolledBackAtMostAlphaOfTheTime() {
        RollbackSimulation simulation = RollbackSimulation.of(0.01, 0.01, 20_000, 1_000, 1);
        RollbackSimulation.Result result = simulation.run(JUDGE, 0.05);

        assertThat(simulation.regression()).isFalse();
        assertThat(result.falseRollbackRate()).as("%s", result).isBetween(0.0, 0.07);
    }

    @Test
    void aWorseCandidateIsARegression() {
        RollbackSimulation simulation = RollbackSimulation.of(0.01, 0.05, 20_000, 500, 1);
        RollbackSimulation.Result result = simulation.run(JUDGE, 0.05);

        assertThat(simulation.regression()).isTrue();
        assertThat(result.missedRollbackRate()).isZero();
        assertThat(result.meanCallsToRollback()).isPositive();
    }
}
