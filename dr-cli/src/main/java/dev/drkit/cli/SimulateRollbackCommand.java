package dev.drkit.cli;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.rollback.Judge;
import dev.drkit.core.json.JsonMappers;
import dev.drkit.core.rollback.BaselineSource;
import dev.drkit.core.rollback.JudgeConfig;
import dev.drkit.core.rollback.Judges;
import dev.drkit.core.rollback.RollbackSimulation;
import dev.drkit.core.rollback.RollbackSweep;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.ObjectMapper;

/**
 * {@code dr simulate rollback}: runs the real sequential judge on simulated Bernoulli call
 * outcomes and reports how fast it rolls back a regression and how often it rolls back a
 * candidate that is no worse; with {@code --sweep}, over a grid of baselines and regression
 * ratios, each cell with the baseline known and learnt from the stable version.
 *
 * <p>A rejected value is named by the option the user typed ({@code --candidate-error}), never by
 * the field of the simulation or judge configuration that rejected it ({@code candidateRate}).
 * A candidate no worse than the baseline has nothing to detect: the command says so and reports
 * how often it was rolled back, all of them false rollbacks. {@code --horizon} is both the length
 * of a trial and the judge's horizon, over which its false-rollback budget holds, with or without
 * {@code --sweep}; without it, both are the judge's own (20000, or the guard's in {@code --config}).
 * It is capped at {@link #MAX_HORIZON}, since every trial may simulate that many calls.
 */
@Command(name = "rollback", mixinStandardHelpOptions = true,
        description = "Simulate the rollback judge on Bernoulli call outcomes.")
public final class SimulateRollbackCommand implements Callable<Integer> {
    private static final int DEFAULT_RUNS = 10_000;
    private static final int DEFAULT_SWEEP_RUNS = 2_000;
    /**
     * The longest {@code --horizon}: ten times the default and the judge's own horizon. A trial
     * at the baseline's rate runs to the horizon, and the judges are calibrated over it,
     * so a run's time grows in proportion: at this cap the default simulation takes about 20 s
     * on two cores, and a sweep a few minutes, its table printed as it fills.
     */
    static final long MAX_HORIZON = 200_000;
    /** The option behind each field of the simulation and judge settings whose value the options give. */
    private static final Map<String, String> OPTIONS = Map.of("baselineRate", "--baseline-error", "candidateRate",
            "--candidate-error", "baselines", "--baselines", "ratios", "--ratios", "alpha", "--alpha",
            "regressionRatio", "--regression-ratio", "horizon", "--horizon", "runs", "--runs",
            "stableCallsPerCandidateCall", "--stable-calls-per-candidate-call");
    /** What the sweep's table shows for a figure no trial gave: none of them rolled back. */
    static final String NONE = "-";

    @Spec
    @Nullable CommandSpec spec;

    @Option(names = "--baseline-error", description = "Failure rate of the stable version (default: the judge's baseline rate, else 0.01).")
    @Nullable Double baselineError;

    @Option(names = "--candidate-error", description = "Failure rate of the candidate in the regression trials "
            + "(required without --sweep).")
    @Nullable Double candidateError;

    @Option(names = "--sweep", description = "Run a grid of baselines x candidate/baseline ratios, each cell with "
            + "the baseline known and learnt from stable traffic, and print mean calls to rollback / information "
            + "limit, missed and false rollbacks per cell.")
    boolean sweep;

    @Option(names = "--baselines", split = ",", description = "Baseline failure rates of the sweep, comma-separated "
            + "(default: 0.0005,0.001,0.005,0.01,0.02,0.05).")
    @Nullable List<Double> baselines;

    @Option(names = "--ratios", split = ",", description = "Candidate/baseline ratios of the sweep, comma-separated "
            + "(default: 1.5,2,3,5,10).")
    @Nullable List<Double> ratios;

    @Option(names = "--alpha", description = "False-rollback budget (default: the judge's, 0.05).")
    @Nullable Double alpha;

    @Option(names = "--regression-ratio", description = "Multiple of the baseline the test is tuned to (default: the judge's, 3).")
    @Nullable Double regressionRatio;

    @Option(names = "--horizon", description = "Candidate calls per trial, and the judge's horizon, over which "
            + "--alpha holds; at most " + MAX_HORIZON + " (default: the judge's, 20000 or the --guard's).")
    @Nullable Long horizon;

    @Option(names = "--runs", description = "Trials of each kind (default: 10000, or 2000 per cell with --sweep).")
    @Nullable Integer runs;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--stable-calls-per-candidate-call",
            description = "Stable calls per candidate call, so that an observed baseline is noisy as in a rollout "
                    + "(19 for a candidate at 5%%); 0 for a stable rate known exactly (default: 0, or 19 for the "
                    + "learnt half of --sweep).")
    @Nullable Double stableCallsPerCandidateCall;

    @Option(names = "--config", description = "A rollback_config.json whose guard's judge to simulate.")
    @Nullable Path config;

    @Option(names = "--guard", description = "The guard in --config whose judge to simulate.")
    @Nullable String guard;

    @Option(names = "--json", description = "Print the figures as JSON.")
    boolean json;

    @Override
    public Integer call() {
        if (horizon != null && (horizon <= 0 || horizon > MAX_HORIZON)) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "--horizon must be " + (horizon <= 0 ? "> 0"
                    : "at most " + MAX_HORIZON + " calls (ten times the default; a run's time grows with it)")
                    + ", but was " + horizon, "--horizon");
        }
        if (sweep) {
            return sweep();
        }
        if (baselines != null || ratios != null) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "--baselines and --ratios need --sweep",
                    baselines != null ? "--baselines" : "--ratios");
        }
        if (candidateError == null) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "--candidate-error is required without --sweep",
                    "--candidate-error");
        }
        double candidateError = this.candidateError;
        int runs = this.runs == null ? DEFAULT_RUNS : this.runs;
        double stableCallsPerCandidateCall = this.stableCallsPerCandidateCall == null ? 0
                : this.stableCallsPerCandidateCall;
        JudgeConfig tuned = tuned(judgeConfig());
        long horizon = tuned.horizon();
        double baseline = baselineError != null ? baselineError : tuned.baselineRate();
        JudgeConfig judgeConfig = OptionNames.named(OPTIONS, () -> tuned.baselineSource() == BaselineSource.CONFIGURED
                ? tuned.withConfiguredBaseline(baseline)
                : tuned.withObservedBaseline(baseline, tuned.baselinePriorCalls()));
        RollbackSimulation simulation = OptionNames.named(OPTIONS, () -> new RollbackSimulation(baseline,
                candidateError, horizon, runs, seed, stableCallsPerCandidateCall));
        PrintWriter out = spec().commandLine().getOut();
        if (!json) {
            // printed before the run, which takes seconds, so that the command shows what it does meanwhile
            out.printf(Locale.ROOT, "%s %.4f vs baseline %.4f, alpha %.3f, %d runs of at most %d calls%n",
                    simulation.regression() ? "regression" : "candidate", candidateError, baseline,
                    judgeConfig.alpha(), runs, horizon);
            out.flush();
        }
        Judge judge = Judges.sequential(judgeConfig);
        long started = System.nanoTime();
        RollbackSimulation.Result r = simulation.run(judge, judgeConfig.alpha());
        long millis = (System.nanoTime() - started) / 1_000_000;
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("regression", simulation.regression());
            doc.put("meanCallsToRollback", figure(r.meanCallsToRollback()));
            doc.put("medianCallsToRollback", figure(r.medianCallsToRollback()));
            doc.put("p90CallsToRollback", figure(r.p90CallsToRollback()));
            doc.put("missedRollbackRate", figure(r.missedRollbackRate()));
            doc.put("falseRollbackRate", r.falseRollbackRate());
            doc.put("informationLimit", figure(r.informationLimit()));
            doc.put("ratioToInformationLimit", figure(r.ratioToInformationLimit()));
            doc.put("baselineError", baseline);
            doc.put("candidateError", candidateError);
            doc.put("alpha", judgeConfig.alpha());
            doc.put("test", judgeConfig.test().name());
            doc.put("regressionRatio", judgeConfig.regressionRatio());
            doc.put("horizon", horizon);
            doc.put("runs", runs);
            doc.put("seed", seed);
            doc.put("baselineSource", judgeConfig.baselineSource().name());
            doc.put("stableCallsPerCandidateCall", stableCallsPerCandidateCall);
            doc.put("elapsedMillis", millis);
            ObjectMapper mapper = JsonMappers.indented();
            out.println(mapper.writeValueAsString(doc));
        } else if (!simulation.regression()) {
            out.println("no regression to detect: the candidate fails no more often than the baseline");
            out.printf(Locale.ROOT, "false rollbacks %.4f (every rollback of this candidate is false) (%d ms)%n",
                    r.falseRollbackRate(), millis);
        } else {
            if (Double.isNaN(r.meanCallsToRollback())) {
                out.printf(Locale.ROOT, "calls to rollback: none within %d calls (information limit %.1f)%n", horizon,
                        r.informationLimit());
            } else {
                out.printf(Locale.ROOT, "calls to rollback: mean %.1f, median %.0f, p90 %.0f (information limit %.1f, "
                        + "ratio %.3f)%n", r.meanCallsToRollback(), r.medianCallsToRollback(), r.p90CallsToRollback(),
                        r.informationLimit(), r.ratioToInformationLimit());
            }
            out.printf(Locale.ROOT, "missed rollbacks %.4f, false rollbacks %.4f (%d ms)%n",
                    r.missedRollbackRate(), r.falseRollbackRate(), millis);
        }
        out.flush();
        return DrCommand.EXIT_OK;
    }

    private int sweep() {
        if (candidateError != null) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "--candidate-error does not go with --sweep (use "
                    + "--ratios)", "--candidate-error");
        }
        JudgeConfig judgeConfig = tuned(judgeConfig());
        long horizon = judgeConfig.horizon();
        List<Double> rows = baselines == null ? RollbackSweep.DEFAULT_BASELINES : baselines;
        List<Double> columns = ratios == null ? RollbackSweep.DEFAULT_RATIOS : ratios;
        int trials = runs == null ? DEFAULT_SWEEP_RUNS : runs;
        double stable = stableCallsPerCandidateCall == null ? RollbackSweep.DEFAULT_STABLE_CALLS_PER_CANDIDATE_CALL
                : stableCallsPerCandidateCall;
        RollbackSweep grid = OptionNames.named(OPTIONS,
                () -> new RollbackSweep(rows, columns, horizon, trials, seed, stable));
        PrintWriter out = spec().commandLine().getOut();
        if (!json) {
            // The grid takes a minute or more with the defaults: the table is printed as it fills.
            out.printf(Locale.ROOT, "%s test, alpha %.3f, %d runs of at most %d calls per cell; learnt baseline: "
                    + "%s stable calls per candidate call%n", judgeConfig.test().name().toLowerCase(Locale.ROOT),
                    judgeConfig.alpha(), trials, horizon, stable);
            out.println("each cell: mean calls to rollback / information limit, missed, false "
                    + "(known baseline | learnt baseline), and with the baseline learnt the mean over the limit of "
                    + "any test that learns it (learnt limit); " + NONE + " where no trial rolled back, so there is "
                    + "no mean to compare");
            out.printf(Locale.ROOT, "%-9s %-8s %9s  %-26s  %-26s %9s %7s%n", "baseline", "ratio", "limit", "known",
                    "learnt", "l. limit", "/l. lim");
            out.flush();
        }
        long started = System.nanoTime();
        RollbackSweep.Report report = grid.run(judgeConfig, json ? c -> { } : c -> row(out, grid, c));
        long millis = (System.nanoTime() - started) / 1_000_000;
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("test", judgeConfig.test().name());
            doc.put("alpha", judgeConfig.alpha());
            doc.put("horizon", horizon);
            doc.put("runs", trials);
            doc.put("seed", seed);
            doc.put("stableCallsPerCandidateCall", stable);
            List<Map<String, Object>> cells = new ArrayList<>();
            for (RollbackSweep.Cell c : report.cells()) {
                Map<String, Object> cell = new LinkedHashMap<>();
                cell.put("baselineError", c.baselineRate());
                cell.put("ratio", c.ratio());
                cell.put("informationLimit", figure(c.known().informationLimit()));
                cell.put("summarized", grid.summarized(c.known().informationLimit()));
                cell.put("known", figures(c.known()));
                cell.put("learnt", figures(c.observed()));
                cell.put("learntInformationLimit", figure(c.learntLimit()));
                cell.put("learntToLearntLimit", figure(c.observedToLearntLimit()));
                cells.add(cell);
            }
            doc.put("cells", cells);
            doc.put("worstKnown", figure(report.worstKnown()));
            doc.put("medianKnown", figure(report.medianKnown()));
            doc.put("worstLearnt", figure(report.worstObserved()));
            doc.put("medianLearnt", figure(report.medianObserved()));
            doc.put("worstLearntToLearntLimit", figure(report.worstObservedToLearntLimit()));
            doc.put("medianLearntToLearntLimit", figure(report.medianObservedToLearntLimit()));
            doc.put("elapsedMillis", millis);
            out.println(JsonMappers.indented().writeValueAsString(doc));
        } else {
            out.printf(Locale.ROOT, "mean/limit over the cells without *: known worst %s, median %s; learnt "
                    + "worst %s, median %s; learnt over the learnt limit worst %s, median %s%n",
                    fixed(report.worstKnown(), 3), fixed(report.medianKnown(), 3), fixed(report.worstObserved(), 3),
                    fixed(report.medianObserved(), 3), fixed(report.worstObservedToLearntLimit(), 3),
                    fixed(report.medianObservedToLearntLimit(), 3));
            out.printf(Locale.ROOT, "* limit below %.0f calls or above %.0f%% of the horizon (%d ms)%n",
                    RollbackSweep.MIN_SUMMARIZED_LIMIT, 100 * RollbackSweep.MAX_SUMMARIZED_SHARE_OF_HORIZON,
                    millis);
        }
        out.flush();
        return DrCommand.EXIT_OK;
    }

    /** Prints a cell of the sweep's table as soon as it is done. */
    private static void row(PrintWriter out, RollbackSweep grid, RollbackSweep.Cell c) {
        out.printf(Locale.ROOT, "%-9s %-8s %9s%s %-26s  %-26s %9s %7s%n", percent(c.baselineRate()),
                c.ratio() + "x", fixed(c.known().informationLimit(), 1),
                grid.summarized(c.known().informationLimit()) ? " " : "*", cell(c.known()), cell(c.observed()),
                fixed(c.learntLimit(), 1), fixed(c.observedToLearntLimit(), 3));
        out.flush();
    }

    private static Map<String, Object> figures(RollbackSimulation.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("meanCallsToRollback", figure(r.meanCallsToRollback()));
        m.put("medianCallsToRollback", figure(r.medianCallsToRollback()));
        m.put("ratioToInformationLimit", figure(r.ratioToInformationLimit()));
        m.put("missedRollbackRate", figure(r.missedRollbackRate()));
        m.put("falseRollbackRate", r.falseRollbackRate());
        return m;
    }

    private static String cell(RollbackSimulation.Result r) {
        return String.format(Locale.ROOT, "%6s %6.4f %6.4f", fixed(r.ratioToInformationLimit(), 3),
                r.missedRollbackRate(), r.falseRollbackRate());
    }

    /** A figure for the table: {@link #NONE} for NaN (no trial rolled back, nothing to measure), else its digits. */
    private static String fixed(double value, int decimals) {
        return Double.isNaN(value) ? NONE : String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    private static String percent(double rate) {
        return BigDecimal.valueOf(100 * rate).stripTrailingZeros().toPlainString() + "%";
    }

    /** A figure for JSON: null for NaN (nothing rolled back, nothing to detect), which JSON cannot hold. */
    private static @Nullable Double figure(double value) {
        return Double.isNaN(value) ? null : value;
    }

    /**
     * The judge configuration with --alpha, --regression-ratio and --horizon applied: the trials
     * run over the judge's horizon, the one its false-rollback budget holds over.
     */
    private JudgeConfig tuned(JudgeConfig config) {
        JudgeConfig c = config;
        if (horizon != null) {
            long h = horizon;
            JudgeConfig base = c;
            c = OptionNames.named(OPTIONS, () -> base.withHorizon(h));
        } else if (c.horizon() > MAX_HORIZON) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "the judge of --guard " + guard + " in " + this.config
                    + " has a horizon of " + c.horizon() + " calls, more than the " + MAX_HORIZON + " a simulation "
                    + "runs; give --horizon " + MAX_HORIZON + " or less to simulate it over fewer calls", "--horizon");
        }
        if (alpha != null) {
            double a = alpha;
            JudgeConfig base = c;
            c = OptionNames.named(OPTIONS, () -> base.withAlpha(a));
        }
        if (regressionRatio != null) {
            double ratio = regressionRatio;
            JudgeConfig base = c;
            c = OptionNames.named(OPTIONS, () -> base.withRegressionRatio(ratio));
        }
        return c;
    }

    private JudgeConfig judgeConfig() {
        if (config == null) {
            if (guard != null) {
                throw new DrException(ErrorCode.INVALID_ARGUMENT, "--guard needs --config", "guard=" + guard);
            }
            return JudgeConfig.DEFAULT;
        }
        return ConfigSupport.judgeOf(config, guard);
    }

    private CommandSpec spec() {
        if (spec == null) {
            throw new IllegalStateException("picocli did not inject the command spec");
        }
        return spec;
    }
}
