package dev.drkit.api.rollback;

import java.util.Map;
import java.util.Objects;

/**
 * The numbers behind a {@link Verdict}, kept with every rollback so that a person can see
 * why it happened.
 *
 * @param candidateCalls candidate calls considered
 * @param candidateFailures candidate failures among them
 * @param baselineCalls stable calls considered (0 when the baseline rate is configured)
 * @param baselineFailures stable failures among them
 * @param candidateRate the candidate's observed failure rate
 * @param baselineRate the failure rate the candidate was held to; the sequential judge, with
 *     a baseline learnt from the stable version, takes the stable version's rate smoothed by
 *     prior pseudo-calls at the expected rate and raised by 1.5 standard errors (so 0 failures
 *     in 55 stable calls, with the default 100 pseudo-calls at 1%, give 0.016); a PROMOTE held
 *     to another rate names it in {@code extra.promoteRate}
 * @param statistic the test statistic (for a sequential test, the log-likelihood ratio)
 * @param rollbackThreshold the statistic's value at or above which the verdict is ROLLBACK
 * @param promoteThreshold the statistic's value at or below which the verdict is PROMOTE
 * @param extra any further named figures, such as latency percentiles
 */
public record Evidence(long candidateCalls, long candidateFailures, long baselineCalls, long baselineFailures,
        double candidateRate, double baselineRate, double statistic, double rollbackThreshold,
        double promoteThreshold, Map<String, String> extra) {

    /** Evidence for a verdict that rests on no numbers, such as an operator's request. */
    public static final Evidence NONE = new Evidence(0, 0, 0, 0, 0, 0, 0, 0, 0, Map.of());

    /** Copies {@code extra} so that the evidence is immutable. */
    public Evidence {
        extra = Map.copyOf(Objects.requireNonNull(extra, "extra"));
    }
}
