package dev.drkit.core.rollback;

import dev.drkit.api.DrException;
import java.util.Objects;

/**
 * Settings of the sequential judge: a sequential test on the candidate's failures, plus
 * absolute limits.
 *
 * <p>The default test ({@link JudgeTest#MIXTURE}) weighs every size of regression from 1.2 to
 * 20 times the baseline rate, so it needs no tuning to the regression; {@link
 * JudgeTest#FIXED_RATIO} compares "the candidate fails at the baseline rate p" with "it fails
 * at {@code regressionRatio * p}". Either way the rollback threshold is not Wald's
 * conservative {@code ln(1/alpha)}: it is computed exactly, by dynamic programming over the
 * number of failures, as the lowest threshold whose false-rollback probability over
 * {@code horizon} candidate calls at rate p is at most {@code alpha}. The threshold of the
 * mixture on a configured baseline falls by one nat, linearly, over the horizon (its start is
 * what is computed), so that a regression whose evidence grows slowly is still caught before the
 * horizon ends. The computation is deterministic and takes milliseconds.
 *
 * @param alpha the highest allowed probability of rolling back a candidate that is no worse
 *     than the baseline, within {@code horizon} candidate calls; in (0, 1)
 * @param beta the error accepted when the judge says PROMOTE (the evidence that the candidate
 *     is not a regression of {@code regressionRatio}); in (0, 1)
 * @param baselineSource whether the baseline is configured or observed on the stable version
 * @param baselineRate the configured baseline failure rate, or the expected one when the
 *     baseline is observed (the threshold is calibrated for it); in (0, 1)
 * @param baselinePriorCalls pseudo-calls at {@code baselineRate} mixed into an observed
 *     baseline, so that a quiet stable version does not make the baseline jump; >= 0. The
 *     baseline the candidate is held to is {@code (stableFailures + priorCalls * baselineRate)
 *     / (stableCalls + priorCalls)}, raised by 1.5 standard errors, in the rollback test; PROMOTE
 *     holds it to the low end of the stable version's own rate (the lower bound of the Wilson
 *     interval of its failures at 1.5 standard errors, without the prior, so 0 while it has not
 *     failed)
 * @param regressionRatio how many times the baseline rate the {@link JudgeTest#FIXED_RATIO}
 *     test is tuned to detect, and the regression that PROMOTE says is absent; > 1 and
 *     {@code regressionRatio * baselineRate < 1}. PROMOTE holds the candidate to a baseline no
 *     lower than the rate at which such a regression takes the whole {@code horizon} to tell
 *     ({@code ln(1/alpha) / KL(ratio * r || r) = horizon}, 0.0116% by default), so that a
 *     candidate with no failures beside a stable version with none is promoted after a bounded
 *     number of its calls (about 12,700 by default, however few calls the stable version took)
 * @param horizon the number of candidate calls over which {@code alpha} holds; > 0
 * @param maxConsecutiveFailures candidate failures in a row that roll back at once, 0 for none
 * @param rollbackOnOpenCircuit whether an OPEN candidate circuit breaker rolls back at once
 * @param test the sequential test on the candidate's failures
 */
public record JudgeConfig(double alpha, double beta, BaselineSource baselineSource, double baselineRate,
        long baselinePriorCalls, double regressionRatio, long horizon, int maxConsecutiveFailures,
        boolean rollbackOnOpenCircuit, JudgeTest test) {

    /** Default {@link #alpha()}: 0.05. */
    public static final double DEFAULT_ALPHA = 0.05;
    /** Default {@link #beta()}: 0.05. */
    public static final double DEFAULT_BETA = 0.05;
    /** Default {@link #baselineRate()}: 1%. */
    public static final double DEFAULT_BASELINE_RATE = 0.01;
    /** Default {@link #baselinePriorCalls()}: 100. */
    public static final long DEFAULT_BASELINE_PRIOR_CALLS = 100;
    /** Default {@link #regressionRatio()}: 3 (a candidate failing three times as often). */
    public static final double DEFAULT_REGRESSION_RATIO = 3.0;
    /** Default {@link #horizon()}: 20,000 candidate calls. */
    public static final long DEFAULT_HORIZON = 20_000;
    /** Default {@link #maxConsecutiveFailures()}: 20. */
    public static final int DEFAULT_MAX_CONSECUTIVE_FAILURES = 20;

    /** Default {@link #test()}: the mixture over the size of the regression. */
    public static final JudgeTest DEFAULT_TEST = JudgeTest.MIXTURE;

    /** The defaults: the mixture test, observed baseline expected near 1%, alpha 0.05. */
    public static final JudgeConfig DEFAULT = new JudgeConfig(DEFAULT_ALPHA, DEFAULT_BETA, BaselineSource.OBSERVED,
            DEFAULT_BASELINE_RATE, DEFAULT_BASELINE_PRIOR_CALLS, DEFAULT_REGRESSION_RATIO, DEFAULT_HORIZON,
            DEFAULT_MAX_CONSECUTIVE_FAILURES, true, DEFAULT_TEST);

    /**
     * Validates every field.
     *
     * @throws DrException {@code INVALID_ARGUMENT} naming the first field that is out of range
     */
    public JudgeConfig {
        Objects.requireNonNull(baselineSource, "baselineSource");
        Objects.requireNonNull(test, "test");
        if (!(alpha > 0 && alpha < 1)) {
            throw DrException.invalidArgument("alpha", "must be in (0, 1)", alpha);
        }
        if (!(beta > 0 && beta < 1)) {
            throw DrException.invalidArgument("beta", "must be in (0, 1)", beta);
        }
        if (!(baselineRate > 0 && baselineRate < 1)) {
            throw DrException.invalidArgument("baselineRate", "must be in (0, 1)", baselineRate);
        }
        if (baselinePriorCalls < 0) {
            throw DrException.invalidArgument("baselinePriorCalls", "must be >= 0", baselinePriorCalls);
        }
        if (!(regressionRatio > 1) || Double.isInfinite(regressionRatio)) {
            throw DrException.invalidArgument("regressionRatio", "must be > 1", regressionRatio);
        }
        if (!(regressionRatio * baselineRate < 1)) {
            throw DrException.invalidArgument("regressionRatio",
                    "times baselineRate (" + baselineRate + ") must be < 1", regressionRatio);
        }
        if (horizon <= 0) {
            throw DrException.invalidArgument("horizon", "must be > 0", horizon);
        }
        if (maxConsecutiveFailures < 0) {
            throw DrException.invalidArgument("maxConsecutiveFailures", "must be >= 0", maxConsecutiveFailures);
        }
    }

    /**
     * Builds settings with the default test, {@link #DEFAULT_TEST}.
     *
     * @param alpha see {@link #alpha()}
     * @param beta see {@link #beta()}
     * @param baselineSource see {@link #baselineSource()}
     * @param baselineRate see {@link #baselineRate()}
     * @param baselinePriorCalls see {@link #baselinePriorCalls()}
     * @param regressionRatio see {@link #regressionRatio()}
     * @param horizon see {@link #horizon()}
     * @param maxConsecutiveFailures see {@link #maxConsecutiveFailures()}
     * @param rollbackOnOpenCircuit see {@link #rollbackOnOpenCircuit()}
     * @throws DrException {@code INVALID_ARGUMENT} naming the first field that is out of range
     */
    public JudgeConfig(double alpha, double beta, BaselineSource baselineSource, double baselineRate,
            long baselinePriorCalls, double regressionRatio, long horizon, int maxConsecutiveFailures,
            boolean rollbackOnOpenCircuit) {
        this(alpha, beta, baselineSource, baselineRate, baselinePriorCalls, regressionRatio, horizon,
                maxConsecutiveFailures, rollbackOnOpenCircuit, DEFAULT_TEST);
    }

    /**
     * Returns a copy that runs another test.
     *
     * @param value the test
     * @return the copy
     */
    public JudgeConfig withTest(JudgeTest value) {
        return new JudgeConfig(alpha, beta, baselineSource, baselineRate, baselinePriorCalls, regressionRatio, horizon,
                maxConsecutiveFailures, rollbackOnOpenCircuit, value);
    }

    /**
     * Returns a copy with another alpha.
     *
     * @param value the false-rollback budget
     * @return the copy
     * @throws DrException {@code INVALID_ARGUMENT} when the value is outside (0, 1)
     */
    public JudgeConfig withAlpha(double value) {
        return new JudgeConfig(value, beta, baselineSource, baselineRate, baselinePriorCalls, regressionRatio, horizon,
                maxConsecutiveFailures, rollbackOnOpenCircuit, test);
    }

    /**
     * Returns a copy with another beta.
     *
     * @param value the promotion error
     * @return the copy
     * @throws DrException {@code INVALID_ARGUMENT} when the value is outside (0, 1)
     */
    public JudgeConfig withBeta(double value) {
        return new JudgeConfig(alpha, value, baselineSource, baselineRate, baselinePriorCalls, regressionRatio, horizon,
                maxConsecutiveFailures, rollbackOnOpenCircuit, test);
    }

    /**
     * Returns a copy that holds the candidate to a fixed, configured failure rate.
     *
     * @param rate the baseline failure rate
     * @return the copy
     * @throws DrException {@code INVALID_ARGUMENT} when the rate is outside (0, 1)
     */
    public JudgeConfig withConfiguredBaseline(double rate) {
        return new JudgeConfig(alpha, beta, BaselineSource.CONFIGURED, rate, baselinePriorCalls, regressionRatio,
                horizon, maxConsecutiveFailures, rollbackOnOpenCircuit, test);
    }

    /**
     * Returns a copy that holds the candidate to the stable version's observed failure rate.
     *
     * @param expectedRate the rate expected of the stable version, used for calibration and as prior
     * @param priorCalls pseudo-calls at the expected rate mixed into the observed rate
     * @return the copy
     * @throws DrException {@code INVALID_ARGUMENT} when a value is out of range
     */
    public JudgeConfig withObservedBaseline(double expectedRate, long priorCalls) {
        return new JudgeConfig(alpha, beta, BaselineSource.OBSERVED, expectedRate, priorCalls, regressionRatio,
                horizon, maxConsecutiveFailures, rollbackOnOpenCircuit, test);
    }

    /**
     * Returns a copy tuned to detect another multiple of the baseline rate.
     *
     * @param value the regression ratio
     * @return the copy
     * @throws DrException {@code INVALID_ARGUMENT} when the value is not > 1
     */
    public JudgeConfig withRegressionRatio(double value) {
        return new JudgeConfig(alpha, beta, baselineSource, baselineRate, baselinePriorCalls, value, horizon,
                maxConsecutiveFailures, rollbackOnOpenCircuit, test);
    }

    /**
     * Returns a copy with another horizon.
     *
     * @param calls candidate calls over which alpha holds
     * @return the copy
     * @throws DrException {@code INVALID_ARGUMENT} when the value is not > 0
     */
    public JudgeConfig withHorizon(long calls) {
        return new JudgeConfig(alpha, beta, baselineSource, baselineRate, baselinePriorCalls, regressionRatio, calls,
                maxConsecutiveFailures, rollbackOnOpenCircuit, test);
    }

    /**
     * Returns a copy with other absolute limits.
     *
     * @param consecutiveFailures failures in a row that roll back at once, 0 for none
     * @param onOpenCircuit whether an OPEN candidate circuit rolls back at once
     * @return the copy
     * @throws DrException {@code INVALID_ARGUMENT} when the count is negative
     */
    public JudgeConfig withAbsoluteLimits(int consecutiveFailures, boolean onOpenCircuit) {
        return new JudgeConfig(alpha, beta, baselineSource, baselineRate, baselinePriorCalls, regressionRatio, horizon,
                consecutiveFailures, onOpenCircuit, test);
    }
}
