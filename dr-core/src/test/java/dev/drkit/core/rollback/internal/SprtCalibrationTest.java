package dev.drkit.core.rollback.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.core.rollback.JudgeConfig;
import dev.drkit.core.rollback.JudgeTest;
import org.junit.jupiter.api.Test;

class SprtCalibrationTest {
    @Test
    void calibratedThresholdSpendsTheWholeAlphaAndStaysBelowWaldsBound() {
        // the fixed-ratio test's threshold is the calibrated one (the default mixture test has its own)
        SequentialJudge judge = new SequentialJudge(JudgeConfig.DEFAULT.withConfiguredBaseline(0.01)
                .withTest(JudgeTest.FIXED_RATIO).withRegressionRatio(5));
        double b = judge.rollbackThreshold();
        double exact = SprtCalibration.crossingProbability(0.01, 0.05, b, 20_000, 1.0);
        double justBelow = SprtCalibration.crossingProbability(0.01, 0.05, b - 1e-6, 20_000, 1.0);

        assertThat(b).isLessThan(Math.log(1 / 0.05));
        assertThat(exact).isLessThanOrEqualTo(0.05);
        assertThat(justBelow).isGreaterThan(0.05);
    }
}
