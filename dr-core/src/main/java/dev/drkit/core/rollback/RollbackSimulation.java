package dev.drkit.core.rollback;

import dev.drkit.api.DrException;
import dev.drkit.api.rollback.Decision;
import dev.drkit.api.rollback.Judge;
import dev.drkit.api.rollback.Observation;
import dev.drkit.api.rollback.VariantStats;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Runs a judge on simulated Bernoulli call outcomes to show how fast it rolls back a
 * regression and how often it rolls back a candidate that is no worse. A candidate whose rate is
 * not above the baseline's is no regression: there is nothing to detect, and every rollback of
 * it is a false one ({@link #regression()}).
 *
 * <p>The simulation works on counts, not threads: the gap to the candidate's next failure is
 * drawn from the geometric distribution, and the judge is asked after every failure (the only
 * calls at which a one-sided test on failures can cross its threshold). The stable version
 * fails at the baseline rate; with {@code stableCallsPerCandidateCall} 0 it is represented as
 * a version observed so long that its rate is known exactly, otherwise it takes that many
 * calls per candidate call (19 for a candidate at 5% of the traffic), so that a judge with an
 * observed baseline sees the baseline's sampling noise.
 *
 * @param baselineRate the stable version's failure rate, in (0, 1)
 * @param candidateRate the candidate's failure rate, in (0, 1); a regression when above {@code baselineRate}
 * @param horizon candidate calls per trial, > 0
 * @param runs trials of each kind, > 0
 * @param seed the random seed; the same seed gives the same result
 * @param stableCallsPerCandidateCall stable calls per candidate call, or 0 for a stable rate known exactly; >= 0
 */
public record RollbackSimulation(double baselineRate, double candidateRate, long horizon, int runs, long seed,
        double stableCallsPerCandidateCall) {

    private static final long STABLE_CALLS = 100_000_000L;

    /**
     * Validates the settings.
     *
     * @throws DrException {@code INVALID_ARGUMENT} naming the field that is out of range
     */
    public RollbackSimulation {
        if (!(baselineRate > 0 && baselineRate < 1)) {
            throw DrException.invalidArgument("baselineRate", "must be in (0, 1)", baselineRate);
        }
        if (!(candidateRate > 0 && candidateRate < 1)) {
            throw DrException.invalidArgument("candidateRate", "must be in (0, 1)", candidateRate);
        }
        if (horizon <= 0) {
            throw DrException.invalidArgument("horizon", "must be > 0", horizon);
        }
        if (runs <= 0) {
            throw DrException.invalidArgument("runs", "must be > 0", runs);
        }
        if (!(stableCallsPerCandidateCall >= 0) || Double.isInfinite(stableCallsPerCandidateCall)) {
            throw DrException.invalidArgument("stableCallsPerCandidateCall", "must be >= 0",
                    stableCallsPerCandidateCall);
        }
    }

    /**
     * Returns a simulation whose stable rate is known exactly.
     *
     * @param baselineRate the stable version's failure rate
     * @param candidateRate the candidate's failure rate in the regression trials
     * @param horizon candidate calls per trial
     * @param runs trials of each kind
     * @param seed the random seed
     * @return the simulation
     * @throws DrException {@code INVALID_ARGUMENT} naming the field that is out of range
     */
    public static RollbackSimulation of(double baselineRate, double candidateRate, long horizon, int runs, long seed) {
        return new RollbackSimulation(baselineRate, candidateRate, horizon, runs, seed, 0);
    }

    /**
     * Says whether the candidate fails more often than the baseline, so that there is a
     * regression to detect.
     *
     * @return whether {@code candidateRate > baselineRate}
     */
    public boolean regression() {
        return candidateRate > baselineRate;
    }

    /**
     * What a simulation found. Without a {@link #regression()}, the figures of detection (calls
     * to rollback, missed rollbacks, the information limit) are NaN: there is nothing to detect.
     *
     * @param meanCallsToRollback mean candidate calls until rollback, over regression trials that rolled back;
     *     NaN when none did
     * @param medianCallsToRollback their median
     * @param p90CallsToRollback their 90th percentile
     * @param missedRollbackRate share of regression trials not rolled back within the horizon
     * @param falseRollbackRate share of no-regression trials rolled back within the horizon: trials at the
     *     baseline's rate, or at the candidate's when it is no regression
     * @param informationLimit ln(1/alpha) / KL(candidate || baseline) for the judge's alpha, or NaN when unknown
     * @param ratioToInformationLimit meanCallsToRollback / informationLimit
     * @param runs trials of each kind
     * @param horizon candidate calls per trial
     */
    public record Result(double meanCallsToRollback, double medianCallsToRollback, double p90CallsToRollback,
            double missedRollbackRate, double falseRollbackRate, double informationLimit,
            double ratioToInformationLimit, int runs, long horizon) {
    }

    /**
     * Runs the simulation: trials at the candidate's rate and, for a regression, as many at the
     * baseline's for the false-rollback rate.
     *
     * @param judge the judge to exercise, as a guard would call it
     * @param alpha the judge's false-rollback budget, used only to report the information limit
     * @return the figures
     */
    public Result run(Judge judge, double alpha) {
        Objects.requireNonNull(judge, "judge");
        SplittableRandom random = new SplittableRandom(seed);
        if (!regression()) {
            double falseRate = rollbackRate(judge, candidateRate, random);
            return new Result(Double.NaN, Double.NaN, Double.NaN, Double.NaN, falseRate, Double.NaN, Double.NaN,
                    runs, horizon);
        }
        long[] callsToRollback = regressionTrials(judge, random);
        double falseRate = falseRollbackRate(judge, random);
        return result(callsToRollback, falseRate, alpha);
    }

    /** Returns the calls to rollback of each regression trial that rolled back, sorted. */
    long[] regressionTrials(Judge judge, SplittableRandom random) {
        long[] callsToRollback = new long[runs];
        int rolledBack = 0;
        for (int i = 0; i < runs; i++) {
            long calls = trial(judge, knownStable(), candidateRate, random);
            if (calls > 0) {
                callsToRollback[rolledBack++] = calls;
            }
        }
        long[] sorted = Arrays.copyOf(callsToRollback, rolledBack);
        Arrays.sort(sorted);
        return sorted;
    }

    /** Returns the share of trials without a regression that the judge rolled back. */
    double falseRollbackRate(Judge judge, SplittableRandom random) {
        return rollbackRate(judge, baselineRate, random);
    }

    /** Returns the share of trials of a candidate failing at {@code rate} that the judge rolled back. */
    private double rollbackRate(Judge judge, double rate, SplittableRandom random) {
        int rollbacks = 0;
        for (int i = 0; i < runs; i++) {
            if (trial(judge, knownStable(), rate, random) > 0) {
                rollbacks++;
            }
        }
        return (double) rollbacks / runs;
    }

    /** Sums up regression trials (sorted calls to rollback) and a false-rollback rate. */
    Result result(long[] sorted, double falseRate, double alpha) {
        int rolledBack = sorted.length;
        double mean = rolledBack == 0 ? Double.NaN : Arrays.stream(sorted).average().orElse(Double.NaN);
        double limit = Judges.informationLimit(baselineRate, candidateRate, alpha);
        return new Result(mean, percentile(sorted, 0.5), percentile(sorted, 0.9),
                (double) (runs - rolledBack) / runs, falseRate, limit, mean / limit, runs, horizon);
    }

    private VariantStats knownStable() {
        return new VariantStats(STABLE_CALLS, Math.round(STABLE_CALLS * baselineRate), 0, 0, Duration.ZERO,
                Duration.ZERO, false);
    }

    /** Returns the candidate call at which the judge rolled back, or 0 when it did not within the horizon. */
    private long trial(Judge judge, VariantStats knownStable, double rate, SplittableRandom random) {
        double logPass = Math.log1p(-rate);
        double logStablePass = Math.log1p(-baselineRate);
        long calls = 0;
        long failures = 0;
        long consecutive = 0;
        long stableFailures = 0;
        long nextStableFailure = stableCallsPerCandidateCall > 0 ? geometric(random, logStablePass) : Long.MAX_VALUE;
        while (true) {
            long gap = geometric(random, logPass);
            if (gap >= horizon - calls) {
                return 0;
            }
            calls += gap + 1;
            failures++;
            consecutive = gap == 0 ? consecutive + 1 : 1;
            VariantStats stable = knownStable;
            if (stableCallsPerCandidateCall > 0) {
                long stableCalls = (long) (calls * stableCallsPerCandidateCall);
                while (nextStableFailure < stableCalls) {
                    stableFailures++;
                    nextStableFailure += 1 + geometric(random, logStablePass);
                }
                stable = new VariantStats(stableCalls, stableFailures, 0, 0, Duration.ZERO, Duration.ZERO, false);
            }
            VariantStats candidate = new VariantStats(calls, failures, 0, consecutive, Duration.ZERO, Duration.ZERO,
                    false);
            Observation observation = new Observation("simulation", stable, candidate, 1.0, Duration.ZERO);
            if (judge.judge(observation).decision() == Decision.ROLLBACK) {
                return calls;
            }
        }
    }

    /** Draws the number of successes before the next failure. */
    private static long geometric(SplittableRandom random, double logPass) {
        double u = 1.0 - random.nextDouble();
        return (long) Math.floor(Math.log(u) / logPass);
    }

    private static double percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
