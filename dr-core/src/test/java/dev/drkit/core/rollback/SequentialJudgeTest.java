package dev.drkit.core.rollback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.rollback.Decision;
import dev.drkit.api.rollback.Judge;
import dev.drkit.api.rollback.Observation;
import dev.drkit.api.rollback.VariantStats;
import dev.drkit.api.rollback.Verdict;
import dev.drkit.core.rollback.internal.SequentialJudge;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SequentialJudgeTest {
    private static final JudgeConfig ONE_PERCENT = JudgeConfig.DEFAULT.withConfiguredBaseline(0.01);
    private static final JudgeConfig FIXED_ONE_PERCENT = ONE_PERCENT.withTest(JudgeTest.FIXED_RATIO);

    private static VariantStats stats(long calls, long failures, long consecutive, boolean open) {
        return new VariantStats(calls, failures, 0, consecutive, Duration.ZERO, Duration.ZERO, open);
    }

    private static Verdict judge(Judge judge, VariantStats stable, VariantStats candidate) {
        return judge.judge(new Observation("g", stable, candidate, 0.05, Duration.ZERO));
    }

    @Test
    void aFivefoldRegressionIsRolledBackNearTheInformationLimitWithoutExceedingAlpha() {
        Judge judge = Judges.sequential(FIXED_ONE_PERCENT.withRegressionRatio(5));
        RollbackSimulation.Result result = RollbackSimulation.of(0.01, 0.05, 20_000, 4_000, 7).run(judge, 0.05);

        assertThat(result.informationLimit()).isCloseTo(72.55, org.assertj.core.data.Offset.offset(0.01));
        assertThat(result.ratioToInformationLimit()).as("%s", result).isLessThan(1.25);
        assertThat(result.missedRollbackRate()).as("%s", result).isLessThanOrEqualTo(0.01);
        assertThat(result.falseRollbackRate()).as("%s", result).isLessThanOrEqualTo(0.06);
    }

    @Test
    void theFixedTestTunedThreefoldStillMeetsTheTargetForAFivefoldRegression() {
        Judge judge = Judges.sequential(FIXED_ONE_PERCENT);
        RollbackSimulation.Result result = RollbackSimulation.of(0.01, 0.05, 20_000, 4_000, 3).run(judge, 0.05);

        assertThat(result.ratioToInformationLimit()).as("%s", result).isLessThan(1.25);
        assertThat(result.missedRollbackRate()).as("%s", result).isZero();
    }

    @Test
    void anObservedBaselineKeepsFalseRollbacksWithinAlphaWhenTheStableIsLittleObserved() {
        Judge judge = Judges.sequential(JudgeConfig.DEFAULT);
        for (double stablePerCandidate : new double[] {19, 1}) {
            RollbackSimulation.Result result = new RollbackSimulation(0.01, 0.05, 20_000, 3_000, 11, stablePerCandidate)
                    .run(judge, 0.05);

            assertThat(result.falseRollbackRate()).as("%s stable calls per candidate call: %s", stablePerCandidate,
                    result).isLessThanOrEqualTo(0.05);
            assertThat(result.missedRollbackRate()).isZero();
        }
    }

    @Test
    void noTrafficGivesNoVerdictButContinue() {
        Verdict verdict = judge(Judges.sequential(), VariantStats.EMPTY, VariantStats.EMPTY);

        assertThat(verdict.decision()).isEqualTo(Decision.CONTINUE);
        assertThat(verdict.evidence().candidateCalls()).isZero();
    }

    @Test
    void aRollbackVerdictCarriesCountsRatesStatisticThresholdsAndCallsTaken() {
        Verdict verdict = judge(Judges.sequential(ONE_PERCENT), stats(10_000, 100, 0, false), stats(40, 6, 1, false));

        assertThat(verdict.decision()).isEqualTo(Decision.ROLLBACK);
        assertThat(verdict.evidence().candidateCalls()).isEqualTo(40);
        assertThat(verdict.evidence().candidateFailures()).isEqualTo(6);
        assertThat(verdict.evidence().candidateRate()).isEqualTo(0.15);
        assertThat(verdict.evidence().baselineRate()).isEqualTo(0.01);
        assertThat(verdict.evidence().statistic()).isGreaterThanOrEqualTo(verdict.evidence().rollbackThreshold());
        assertThat(verdict.evidence().extra()).containsEntry("callsTaken", "40").containsEntry("rule", "sequentialTest");
        assertThat(verdict.reason()).contains("15.00%").contains("6/40");
    }

    @Test
    void aLongRunOfHealthyCallsEarnsPromotion() {
        Verdict verdict = judge(Judges.sequential(ONE_PERCENT), stats(10_000, 100, 0, false), stats(400, 3, 0, false));

        assertThat(verdict.decision()).isEqualTo(Decision.PROMOTE);
    }

    @Test
    void aCandidateWithNoFailuresBesideAStableWithNoneIsPromotedAfterABoundedNumberOfItsCalls() {
        SequentialJudge judge = new SequentialJudge(JudgeConfig.DEFAULT);
        // ln(1/alpha) / KL(3r || r) = horizon: 0.0116% for alpha 0.05 over 20,000 calls.
        assertThat(judge.promoteFloor()).isCloseTo(1.156e-4, org.assertj.core.data.Offset.offset(0.01e-4));
        long enough = (long) Math.ceil(-Math.log(0.05 / 0.95)
                / Math.log((1 - judge.promoteFloor()) / (1 - 3 * judge.promoteFloor())));

        for (long stableCalls : new long[] {1_000_000, 100_000_000}) {
            Verdict before = judge(judge, stats(stableCalls, 0, 0, false), stats(enough - 1, 0, 0, false));
            Verdict after = judge(judge, stats(stableCalls, 0, 0, false), stats(enough, 0, 0, false));

            assertThat(before.decision()).isEqualTo(Decision.CONTINUE);
            assertThat(after.decision()).isEqualTo(Decision.PROMOTE);
            assertThat(after.evidence().extra()).containsEntry("promoteRate", Double.toString(judge.promoteFloor()));
            assertThat(after.reason()).contains("within its horizon of 20000 calls");
        }
        assertThat(enough).isBetween(12_000L, 13_500L);
    }

    @Test
    void aCandidateWithNoFailuresIsNotRolledBackAtATinyShareOfTheCalls() {
        Verdict verdict = judge(Judges.sequential(), stats(100_000_000, 0, 0, false), stats(100, 0, 0, false));

        assertThat(verdict.decision()).as(verdict.reason()).isEqualTo(Decision.CONTINUE);
    }

    @Test
    void theFloorDoesNotPromoteACandidateFailingAboveIt() {
        SequentialJudge judge = new SequentialJudge(JudgeConfig.DEFAULT);

        for (long calls = 1_000; calls <= 20_000; calls += 1_000) {
            Verdict verdict = judge(judge, stats(1_000_000, 0, 0, false), stats(calls, calls / 2_000, 0, false));
            assertThat(verdict.decision()).as("%d calls", calls).isNotEqualTo(Decision.PROMOTE);
        }
    }

    @Test
    void consecutiveFailuresRollBackWhateverTheStatisticSays() {
        JudgeConfig config = ONE_PERCENT.withAbsoluteLimits(3, true).withConfiguredBaseline(0.3);
        Verdict verdict = judge(Judges.sequential(config), VariantStats.EMPTY, stats(1000, 300, 3, false));

        assertThat(verdict.decision()).isEqualTo(Decision.ROLLBACK);
        assertThat(verdict.evidence().extra()).containsEntry("rule", "consecutiveFailures");
    }

    @Test
    void anOpenCandidateCircuitRollsBackAtOnce() {
        Verdict verdict = judge(Judges.sequential(ONE_PERCENT), VariantStats.EMPTY, stats(3, 0, 0, true));

        assertThat(verdict.decision()).isEqualTo(Decision.ROLLBACK);
        assertThat(verdict.evidence().extra()).containsEntry("rule", "circuitOpen");
    }

    @Test
    void anObservedBaselineHoldsTheCandidateToTheStablesRate() {
        Judge judge = Judges.sequential(JudgeConfig.DEFAULT);
        VariantStats candidate = stats(200, 10, 0, false);

        Verdict againstNoisyStable = judge(judge, stats(100_000, 10_000, 0, false), candidate);
        Verdict againstCleanStable = judge(judge, stats(100_000, 100, 0, false), candidate);

        assertThat(againstNoisyStable.evidence().baselineRate()).isCloseTo(0.1, org.assertj.core.data.Offset.offset(0.002));
        assertThat(againstNoisyStable.decision()).isNotEqualTo(Decision.ROLLBACK);
        assertThat(againstCleanStable.decision()).isEqualTo(Decision.ROLLBACK);
    }

    @Test
    void alphaOutsideTheOpenUnitIntervalIsRejectedNamingTheField() {
        assertThatThrownBy(() -> JudgeConfig.DEFAULT.withAlpha(1.5))
                .isInstanceOf(DrException.class).hasMessage("alpha must be in (0, 1), but was 1.5");
        assertThatThrownBy(() -> JudgeConfig.DEFAULT.withRegressionRatio(0.5))
                .hasMessage("regressionRatio must be > 1, but was 0.5");
        assertThatThrownBy(() -> JudgeConfig.DEFAULT.withHorizon(0)).hasMessage("horizon must be > 0, but was 0");
    }

    @Test
    void theInformationLimitMatchesTheClosedForm() {
        assertThat(Judges.informationLimit(0.01, 0.05, 0.05)).isCloseTo(72.55, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void theLearntLimitAddsWhatLearningTheBaselineCostsAndShrinksToTheKnownOneWithMoreStableCalls() {
        // Minimum over the common rate of KL(q || r) + 19 KL(p || r), found independently by a grid.
        assertThat(Judges.informationLimit(0.05, 0.075, 0.05, 19)).isCloseTo(553.2, org.assertj.core.data.Offset.offset(0.1));
        assertThat(Judges.informationLimit(0.01, 0.05, 0.05, 19)).isCloseTo(79.9, org.assertj.core.data.Offset.offset(0.1));
        assertThat(Judges.informationLimit(0.01, 0.05, 0.05, 1e6))
                .isCloseTo(Judges.informationLimit(0.01, 0.05, 0.05), org.assertj.core.data.Offset.offset(0.01));
        assertThat(Judges.informationLimit(0.01, 0.05, 0.05, 1)).isGreaterThan(Judges.informationLimit(0.01, 0.05,
                0.05, 19));
        assertThatThrownBy(() -> Judges.informationLimit(0.01, 0.05, 0.05, 0))
                .hasMessage("stableCallsPerCandidateCall must be > 0, but was 0.0");
    }
}
