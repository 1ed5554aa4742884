package dev.drkit.core.rollback;

import dev.drkit.api.DrException;
import dev.drkit.api.rollback.Judge;
import dev.drkit.core.rollback.internal.SequentialJudge;
import java.util.Objects;

/** Factories for the judges that decide whether a candidate is rolled back or promoted. */
public final class Judges {
    private Judges() {
    }

    /**
     * Returns the sequential judge with the default settings ({@link JudgeConfig#DEFAULT}).
     *
     * @return the judge
     */
    public static Judge sequential() {
        return sequential(JudgeConfig.DEFAULT);
    }

    /**
     * Returns a sequential judge: a one-sided sequential probability ratio test on candidate
     * failures whose threshold is calibrated so that the false-rollback probability within
     * {@link JudgeConfig#horizon()} candidate calls is at most {@link JudgeConfig#alpha()},
     * with the absolute limits of the config.
     *
     * @param config the settings
     * @return the judge, thread-safe and free of state
     * @throws DrException never for a valid config (configs validate themselves)
     */
    public static Judge sequential(JudgeConfig config) {
        return new SequentialJudge(Objects.requireNonNull(config, "config"));
    }

    /**
     * Returns the information limit: the fewest candidate calls, on average, after which any
     * test with false-rollback rate alpha can tell the candidate rate from the baseline,
     * {@code ln(1/alpha) / KL(candidate || baseline)}.
     *
     * @param baselineRate the baseline failure rate, in (0, 1)
     * @param candidateRate the candidate failure rate, in (0, 1)
     * @param alpha the false-rollback budget, in (0, 1)
     * @return the limit in calls
     * @throws DrException {@code INVALID_ARGUMENT} when a rate is outside (0, 1)
     */
    public static double informationLimit(double baselineRate, double candidateRate, double alpha) {
        if (!(baselineRate > 0 && baselineRate < 1)) {
            throw DrException.invalidArgument("baselineRate", "must be in (0, 1)", baselineRate);
        }
        if (!(candidateRate > 0 && candidateRate < 1)) {
            throw DrException.invalidArgument("candidateRate", "must be in (0, 1)", candidateRate);
        }
        if (!(alpha > 0 && alpha < 1)) {
            throw DrException.invalidArgument("alpha", "must be in (0, 1)", alpha);
        }
        return Math.log(1 / alpha) / kl(candidateRate, baselineRate);
    }

    /**
     * Returns the information limit when the baseline is not known but learnt from a stable
     * version taking {@code stableCallsPerCandidateCall} calls for each candidate call: the
     * fewest candidate calls, on average, after which any test with false-rollback rate alpha
     * can tell a candidate failing at {@code candidateRate} beside a stable version failing at
     * {@code baselineRate} from two versions failing alike at any rate,
     * {@code ln(1/alpha) / min over r of (KL(candidate || r) + k KL(baseline || r))}. It exceeds
     * {@link #informationLimit(double, double, double)}, most for large ratios and few stable
     * calls: what learning the baseline costs any test.
     *
     * @param baselineRate the stable version's failure rate, in (0, 1)
     * @param candidateRate the candidate failure rate, in (0, 1)
     * @param alpha the false-rollback budget, in (0, 1)
     * @param stableCallsPerCandidateCall k, > 0
     * @return the limit in calls
     * @throws DrException {@code INVALID_ARGUMENT} naming the argument that is out of range
     */
    public static double informationLimit(double baselineRate, double candidateRate, double alpha,
            double stableCallsPerCandidateCall) {
        double oneSample = informationLimit(baselineRate, candidateRate, alpha);
        if (!(stableCallsPerCandidateCall > 0 && Double.isFinite(stableCallsPerCandidateCall))) {
            throw DrException.invalidArgument("stableCallsPerCandidateCall", "must be > 0",
                    stableCallsPerCandidateCall);
        }
        double k = stableCallsPerCandidateCall;
        // The divergence from the closest common rate, convex in it, lies between the two rates.
        double lo = Math.min(baselineRate, candidateRate);
        double hi = Math.max(baselineRate, candidateRate);
        for (int i = 0; i < 200 && hi - lo > 1e-15; i++) {
            double a = lo + (hi - lo) / 3;
            double b = hi - (hi - lo) / 3;
            if (kl(candidateRate, a) + k * kl(baselineRate, a) < kl(candidateRate, b) + k * kl(baselineRate, b)) {
                hi = b;
            } else {
                lo = a;
            }
        }
        double r = (lo + hi) / 2;
        double divergence = kl(candidateRate, r) + k * kl(baselineRate, r);
        return Math.max(oneSample, Math.log(1 / alpha) / divergence);
    }

    private static double kl(double q, double p) {
        return q * Math.log(q / p) + (1 - q) * Math.log((1 - q) / (1 - p));
    }
}
