package dev.drkit.core.rollback;

/** Which sequential test the judge runs on the candidate's failures. */
public enum JudgeTest {
    /**
     * A mixture sequential probability ratio test over the size of the regression, from 1.2 to
     * 20 times the baseline rate, with no alternative chosen in advance (the default). With a
     * {@linkplain BaselineSource#CONFIGURED configured} baseline it compares the candidate's
     * failures with the baseline rate; with an {@linkplain BaselineSource#OBSERVED observed}
     * one it asks of each failure whether it fell on the candidate more often than the
     * candidate's share of the calls says, which needs no estimate of the baseline rate.
     * {@link JudgeConfig#regressionRatio()} is used only for promotion.
     */
    MIXTURE,
    /**
     * A one-sided sequential probability ratio test against one alternative,
     * {@link JudgeConfig#regressionRatio()} times the baseline rate: the fastest test for that
     * regression, slower for others (about 1.9 times the information limit for a regression of
     * two thirds of the tuning).
     */
    FIXED_RATIO
}
