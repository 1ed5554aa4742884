package dev.drkit.core.rollback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.drkit.api.DrException;
import dev.drkit.api.rollback.Decision;
import dev.drkit.api.rollback.Judge;
import dev.drkit.api.rollback.Observation;
import dev.drkit.api.rollback.VariantStats;
import dev.drkit.api.rollback.Verdict;
import dev.drkit.core.rollback.internal.RatioMixture;
import dev.drkit.core.rollback.internal.SequentialJudge;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class MixtureJudgeTest {
    private static final JudgeConfig ONE_PERCENT = JudgeConfig.DEFAULT.withConfiguredBaseline(0.01);

    private static VariantStats stats(long calls, long failures) {
        return new VariantStats(calls, failures, 0, 0, Duration.ZERO, Duration.ZERO, false);
    }

    @Test
    void theMixtureIsTheDefaultTest() {
        assertThat(JudgeConfig.DEFAULT.test()).isEqualTo(JudgeTest.MIXTURE);
    }

    @Test
    void theMixtureThresholdSpendsTheWholeAlphaAndStaysBelowVillesBound() {
        SequentialJudge judge = new SequentialJudge(ONE_PERCENT);
        double b = judge.rollbackThreshold();
        RatioMixture mixture = new RatioMixture(0.01, RatioMixture.Scale.RATE);

        assertThat(b).isLessThan(Math.log(1 / 0.05));
        assertThat(mixture.crossingProbability(b, 1.0, 20_000, 1.0)).isLessThanOrEqualTo(0.05);
        assertThat(mixture.crossingProbability(b - 1e-4, 1.0, 20_000, 1.0)).isGreaterThan(0.05);
    }

    @Test
    void theThresholdFallsByOneNatOverTheHorizonAndLateEvidenceIsEnough() {
        JudgeConfig rare = JudgeConfig.DEFAULT.withConfiguredBaseline(0.0005);
        SequentialJudge judge = new SequentialJudge(rare);
        double start = judge.rollbackThreshold();
        RatioMixture mixture = new RatioMixture(0.0005, RatioMixture.Scale.RATE);
        // the least failure count that rolls back after 19,000 calls, with the threshold where it fell to
        long late = 0;
        while (mixture.statistic(19_000, late) < start - 0.95) {
            late++;
        }

        Verdict early = judge.judge(new Observation("g", stats(0, 0), stats(10, 0), 0.05, Duration.ZERO));
        Verdict caught = judge.judge(new Observation("g", stats(0, 0), stats(19_000, late), 0.05, Duration.ZERO));

        assertThat(early.evidence().rollbackThreshold()).isCloseTo(start - 0.0005, within(1e-9));
        assertThat(caught.evidence().rollbackThreshold()).isCloseTo(start - 0.95, within(1e-9));
        // a constant threshold would have kept the candidate with these counts
        assertThat(mixture.statistic(19_000, late)).isLessThan(start);
        assertThat(caught.decision()).isEqualTo(Decision.ROLLBACK);
        // the budget holds over the horizon with the fall, and the start is the lowest that keeps it
        assertThat(mixture.crossingProbability(start, 1.0, 20_000, 1.0)).isLessThanOrEqualTo(0.05);
        assertThat(mixture.crossingProbability(start - 1e-4, 1.0, 20_000, 1.0)).isGreaterThan(0.05);
        // and it stays where it fell after the horizon
        assertThat(RatioMixture.thresholdAfter(start, 1.0, 50_000, 20_000)).isEqualTo(start - 1);
    }

    @Test
    void oneConfigurationRollsBackSmallAndLargeRegressionsNearTheInformationLimit() {
        Judge judge = Judges.sequential(ONE_PERCENT);
        for (double candidate : new double[] {0.02, 0.1}) {
            RollbackSimulation.Result result = RollbackSimulation.of(0.01, candidate, 20_000, 2_000, 5)
                    .run(judge, 0.05);

            assertThat(result.ratioToInformationLimit()).as("%s: %s", candidate, result).isLessThan(1.35);
            assertThat(result.missedRollbackRate()).as("%s: %s", candidate, result).isLessThanOrEqualTo(0.01);
            assertThat(result.falseRollbackRate()).as("%s: %s", candidate, result).isLessThanOrEqualTo(0.06);
        }
    }

    @Test
    void aLearntBaselineKeepsFalseRollbacksWithinAlphaAndStillCatchesATwofoldRegression() {
        Judge judge = Judges.sequential(JudgeConfig.DEFAULT);
        for (double stablePerCandidate : new double[] {19, 1}) {
            RollbackSimulation.Result result = new RollbackSimulation(0.02, 0.04, 20_000, 2_000, 13,
                    stablePerCandidate).run(judge, 0.05);

            // alpha plus two standard errors of 2,000 trials
            assertThat(result.falseRollbackRate()).as("%s: %s", stablePerCandidate, result)
                    .isLessThanOrEqualTo(0.06);
            assertThat(result.missedRollbackRate()).as("%s: %s", stablePerCandidate, result)
                    .isLessThanOrEqualTo(0.01);
        }
    }

    @Test
    void aLearntBaselineComparesTheCandidatesShareOfTheFailuresWithItsShareOfTheCalls() {
        Judge judge = Judges.sequential(JudgeConfig.DEFAULT);
        Observation fair = new Observation("g", stats(19_000, 190), stats(1_000, 10), 0.05, Duration.ZERO);
        Observation unfair = new Observation("g", stats(19_000, 190), stats(1_000, 30), 0.05, Duration.ZERO);

        Verdict kept = judge.judge(fair);
        Verdict rolledBack = judge.judge(unfair);

        assertThat(kept.decision()).isNotEqualTo(Decision.ROLLBACK);
        assertThat(rolledBack.decision()).isEqualTo(Decision.ROLLBACK);
        assertThat(rolledBack.evidence().extra()).containsEntry("test", "MIXTURE")
                .containsEntry("candidateShare", "0.05").containsKey("likeliestRatio");
        assertThat(rolledBack.reason()).contains("30 of 220 failures");
    }

    @Test
    void theSweepCoversTheGridAndSummarizesTheCellsTheHorizonCanJudge() {
        RollbackSweep sweep = new RollbackSweep(List.of(0.01, 0.05), List.of(2.0, 10.0), 20_000, 300, 3, 19);

        RollbackSweep.Report report = sweep.run(JudgeConfig.DEFAULT);

        assertThat(report.cells()).hasSize(4);
        assertThat(report.cells().get(1).baselineRate()).isEqualTo(0.01);
        assertThat(report.cells().get(1).ratio()).isEqualTo(10.0);
        assertThat(report.cells()).allSatisfy(c -> {
            assertThat(c.known().informationLimit()).isEqualTo(c.observed().informationLimit());
            assertThat(c.known().missedRollbackRate()).isLessThanOrEqualTo(0.01);
        });
        // 5% x 10 has a limit under 10 calls and stays out of the summary.
        assertThat(sweep.summarized(report.cells().get(3).known().informationLimit())).isFalse();
        assertThat(report.worstKnown()).isGreaterThanOrEqualTo(report.medianKnown()).isLessThan(1.6);
        assertThat(report.worstObserved()).isGreaterThanOrEqualTo(report.medianObserved());
        assertThat(report.cells()).allSatisfy(c -> assertThat(c.observedToLearntLimit())
                .isLessThan(c.observed().ratioToInformationLimit()));
        assertThat(report.worstObservedToLearntLimit()).isLessThan(report.worstObserved());
    }

    @Test
    void aSweepWithInvalidRangesIsRejectedNamingTheField() {
        assertThatThrownBy(() -> new RollbackSweep(List.of(0.01, 1.5), List.of(2.0), 100, 10, 1, 19))
                .isInstanceOf(DrException.class).hasMessage("baselines must each be in (0, 1), but was 1.5");
        assertThatThrownBy(() -> new RollbackSweep(List.of(0.2), List.of(0.5), 100, 10, 1, 19))
                .hasMessage("ratios must each be > 1, but was 0.5");
        assertThatThrownBy(() -> new RollbackSweep(List.of(0.2), List.of(6.0), 100, 10, 1, 19))
                .hasMessage("ratios times the largest baseline (0.2) must be < 1, but was 6.0");
        assertThatThrownBy(() -> new RollbackSweep(List.of(), List.of(2.0), 100, 10, 1, 19))
                .hasMessageStartingWith("baselines must name at least one rate");
        assertThatThrownBy(() -> new RollbackSweep(List.of(0.01), List.of(2.0), 100, 10, 1, 0))
                .hasMessage("stableCallsPerCandidateCall must be > 0, but was 0.0");
    }

    @Test
    void theTestIsReadFromTheConfigFile() {
        RollbackConfig config = RollbackConfigJson.parse("{\"guards\": {\"a\": {\"judge\": {\"test\": \"fixed-ratio\"}}}}");

        assertThat(config.guards().get("a").judge().test()).isEqualTo(JudgeTest.FIXED_RATIO);
        assertThat(RollbackConfigJson.write(config)).contains("\"test\" : \"FIXED_RATIO\"");
    }
}
