package dev.drkit.core.rollback;

import dev.drkit.api.DrException;
import dev.drkit.api.rollback.Judge;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Runs {@link RollbackSimulation}s over a grid of baseline failure rates and regression ratios,
 * each cell twice: with the baseline known to the judge (a configured baseline) and with the
 * baseline learnt from the stable version's traffic (an observed baseline, the usual case),
 * so that one judge configuration can be seen on every regime at once.
 *
 * <p>The false-rollback rate depends only on the baseline, so it is measured once per baseline
 * (row) and reported in each of its cells.
 *
 * @param baselines the stable version's failure rates, each in (0, 1); not empty
 * @param ratios candidate/baseline ratios of the regression trials, each > 1 and below
 *     1 / the largest baseline; not empty
 * @param horizon candidate calls per trial, > 0
 * @param runs trials of each kind per cell, > 0
 * @param seed the random seed; the same seed gives the same grid
 * @param stableCallsPerCandidateCall stable calls per candidate call when the baseline is learnt,
 *     > 0 (19 for a candidate at 5% of the traffic)
 */
public record RollbackSweep(List<Double> baselines, List<Double> ratios, long horizon, int runs, long seed,
        double stableCallsPerCandidateCall) {

    /** Default {@link #baselines()}: 0.05%, 0.1%, 0.5%, 1%, 2% and 5%. */
    public static final List<Double> DEFAULT_BASELINES = List.of(0.0005, 0.001, 0.005, 0.01, 0.02, 0.05);
    /** Default {@link #ratios()}: 1.5, 2, 3, 5 and 10. */
    public static final List<Double> DEFAULT_RATIOS = List.of(1.5, 2.0, 3.0, 5.0, 10.0);
    /** Default {@link #stableCallsPerCandidateCall()}: 19, a candidate at 5% of the traffic. */
    public static final double DEFAULT_STABLE_CALLS_PER_CANDIDATE_CALL = 19;
    /** Cells whose information limit is below this many calls are left out of the summary. */
    public static final double MIN_SUMMARIZED_LIMIT = 10;
    /**
     * Cells whose information limit exceeds this share of the horizon are left out of the
     * summary: many of their regression trials end before the evidence can suffice, and the
     * mean over the others is biased low.
     */
    public static final double MAX_SUMMARIZED_SHARE_OF_HORIZON = 0.25;

    /**
     * Validates the grid.
     *
     * @throws DrException {@code INVALID_ARGUMENT} naming the field that is out of range
     */
    public RollbackSweep {
        Objects.requireNonNull(baselines, "baselines");
        Objects.requireNonNull(ratios, "ratios");
        baselines = List.copyOf(baselines);
        ratios = List.copyOf(ratios);
        if (baselines.isEmpty()) {
            throw DrException.invalidArgument("baselines", "must name at least one rate", baselines);
        }
        if (ratios.isEmpty()) {
            throw DrException.invalidArgument("ratios", "must name at least one ratio", ratios);
        }
        double highest = 0;
        for (double b : baselines) {
            if (!(b > 0 && b < 1)) {
                throw DrException.invalidArgument("baselines", "must each be in (0, 1)", b);
            }
            highest = Math.max(highest, b);
        }
        for (double r : ratios) {
            if (!(r > 1) || Double.isInfinite(r)) {
                throw DrException.invalidArgument("ratios", "must each be > 1", r);
            }
            if (!(r * highest < 1)) {
                throw DrException.invalidArgument("ratios", "times the largest baseline (" + highest
                        + ") must be < 1", r);
            }
        }
        if (horizon <= 0) {
            throw DrException.invalidArgument("horizon", "must be > 0", horizon);
        }
        if (runs <= 0) {
            throw DrException.invalidArgument("runs", "must be > 0", runs);
        }
        if (!(stableCallsPerCandidateCall > 0) || Double.isInfinite(stableCallsPerCandidateCall)) {
            throw DrException.invalidArgument("stableCallsPerCandidateCall", "must be > 0",
                    stableCallsPerCandidateCall);
        }
    }

    /**
     * Returns the default grid over a horizon.
     *
     * @param horizon candidate calls per trial
     * @param runs trials of each kind per cell
     * @param seed the random seed
     * @return the sweep
     * @throws DrException {@code INVALID_ARGUMENT} naming the field that is out of range
     */
    public static RollbackSweep ofDefaults(long horizon, int runs, long seed) {
        return new RollbackSweep(DEFAULT_BASELINES, DEFAULT_RATIOS, horizon, runs, seed,
                DEFAULT_STABLE_CALLS_PER_CANDIDATE_CALL);
    }

    /**
     * One cell of the grid.
     *
     * @param baselineRate the stable version's failure rate
     * @param ratio the candidate/baseline ratio of the regression trials
     * @param known the figures with the baseline configured
     * @param observed the figures with the baseline learnt from the stable version
     * @param learntLimit the information limit when the baseline is learnt,
     *     {@link Judges#informationLimit(double, double, double, double)}
     */
    public record Cell(double baselineRate, double ratio, RollbackSimulation.Result known,
            RollbackSimulation.Result observed, double learntLimit) {

        /**
         * Returns the mean calls to rollback with the baseline learnt over the limit of a test
         * that learns it.
         *
         * @return the ratio
         */
        public double observedToLearntLimit() {
            return observed.meanCallsToRollback() / learntLimit;
        }
    }

    /**
     * The grid and its summary over the cells whose information limit is at least
     * {@link #MIN_SUMMARIZED_LIMIT} calls and at most {@link #MAX_SUMMARIZED_SHARE_OF_HORIZON}
     * of the horizon.
     *
     * @param cells the cells, row by row
     * @param worstKnown the highest mean / limit with the baseline known
     * @param medianKnown the median mean / limit with the baseline known
     * @param worstObserved the highest mean / limit with the baseline learnt
     * @param medianObserved the median mean / limit with the baseline learnt
     * @param worstObservedToLearntLimit the highest mean / learnt limit with the baseline learnt
     * @param medianObservedToLearntLimit the median mean / learnt limit with the baseline learnt
     */
    public record Report(List<Cell> cells, double worstKnown, double medianKnown, double worstObserved,
            double medianObserved, double worstObservedToLearntLimit, double medianObservedToLearntLimit) {
        /** Copies the cells. */
        public Report {
            cells = List.copyOf(cells);
        }
    }

    /**
     * Runs the grid with a judge configuration: its baseline source and rate are replaced by each
     * row's rate for the known runs and by an observed baseline (with the configuration's
     * expected rate and prior, not the row's) for the learnt runs.
     *
     * @param config the judge configuration; its horizon should be this sweep's
     * @return the grid
     */
    public Report run(JudgeConfig config) {
        return run(config, cell -> { });
    }

    /**
     * Runs the grid as {@link #run(JudgeConfig)} does, handing each cell to {@code eachCell} as
     * soon as it is done, row by row, so that a caller can show the grid while it runs (a grid
     * with the default rows and runs takes a minute or more).
     *
     * @param config the judge configuration; its horizon should be this sweep's
     * @param eachCell receives each cell, in the order of {@link Report#cells()}
     * @return the grid
     */
    public Report run(JudgeConfig config, Consumer<? super Cell> eachCell) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(eachCell, "eachCell");
        JudgeConfig observedConfig = config.withObservedBaseline(config.baselineRate(), config.baselinePriorCalls());
        Judge observed = Judges.sequential(observedConfig);
        List<Cell> cells = new ArrayList<>();
        List<Double> known = new ArrayList<>();
        List<Double> learnt = new ArrayList<>();
        List<Double> learntToLearntLimit = new ArrayList<>();
        for (double baseline : baselines) {
            Judge knownJudge = Judges.sequential(config.withConfiguredBaseline(baseline));
            RollbackSimulation knownRow = new RollbackSimulation(baseline, baseline, horizon, runs, seed, 0);
            RollbackSimulation learntRow = new RollbackSimulation(baseline, baseline, horizon, runs, seed,
                    stableCallsPerCandidateCall);
            double knownFalse = knownRow.falseRollbackRate(knownJudge, new SplittableRandom(seed ^ 0x5eedL));
            double learntFalse = learntRow.falseRollbackRate(observed, new SplittableRandom(seed ^ 0x5eedL));
            for (double ratio : ratios) {
                double rate = baseline * ratio;
                RollbackSimulation k = new RollbackSimulation(baseline, rate, horizon, runs, seed, 0);
                RollbackSimulation l = new RollbackSimulation(baseline, rate, horizon, runs, seed,
                        stableCallsPerCandidateCall);
                RollbackSimulation.Result kr = k.result(k.regressionTrials(knownJudge, new SplittableRandom(seed)),
                        knownFalse, config.alpha());
                RollbackSimulation.Result lr = l.result(l.regressionTrials(observed, new SplittableRandom(seed)),
                        learntFalse, config.alpha());
                Cell cell = new Cell(baseline, ratio, kr, lr, Judges.informationLimit(baseline, rate,
                        config.alpha(), stableCallsPerCandidateCall));
                cells.add(cell);
                eachCell.accept(cell);
                if (summarized(kr.informationLimit())) {
                    known.add(kr.ratioToInformationLimit());
                    learnt.add(lr.ratioToInformationLimit());
                    learntToLearntLimit.add(cell.observedToLearntLimit());
                }
            }
        }
        return new Report(cells, worst(known), median(known), worst(learnt), median(learnt),
                worst(learntToLearntLimit), median(learntToLearntLimit));
    }

    /**
     * Says whether a cell with this information limit counts in the summary.
     *
     * @param informationLimit the cell's limit in calls
     * @return whether it counts
     */
    public boolean summarized(double informationLimit) {
        return informationLimit >= MIN_SUMMARIZED_LIMIT && informationLimit <= MAX_SUMMARIZED_SHARE_OF_HORIZON * horizon;
    }

    private static double worst(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    private static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
