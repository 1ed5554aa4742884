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
import java.util.function.LongFunction;
import java.util.function.Supplier;
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
 */
@Command(name = "rollback", mixinStandardHelpOptions = true,
        description = "Simulate the rollback judge on Bernoulli call outcomes.")
public final class SimulateRollbackCommand implements Callable<Integer> {
    private static final int DEFAULT_RUNS = 10_000;
    private static final int DEFAULT_SWEEP_RUNS = 2_000;

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

    @Option(names = "--horizon", defaultValue = "20000", description = "Candidate calls per trial (default: ${DEFAULT-VALUE}).")
    long horizon;

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
        JudgeConfig judgeConfig = judgeConfig();
        if (alpha != null) {
            judgeConfig = judgeConfig.withAlpha(alpha);
        }
        if (regressionRatio != null) {
            judgeConfig = judgeConfig.withRegressionRatio(regressionRatio);
        }
        double baseline = baselineError != null ? baselineError : judgeConfig.baselineRate();
        judgeConfig = judgeConfig.baselineSource() == BaselineSource.CONFIGURED
                ? judgeConfig.withConfiguredBaseline(baseline)
                : judgeConfig.withObservedBaseline(baseline, judgeConfig.baselinePriorCalls());
        Judge judge = Judges.sequential(judgeConfig);
        long started = System.nanoTime();
        RollbackSimulation.Result r = flagged(() -> new RollbackSimulation(baseline, candidateError, horizon, runs,
                seed, stableCallsPerCandidateCall)).run(judge, judgeConfig.alpha());
        long millis = (System.nanoTime() - started) / 1_000_000;
        PrintWriter out = spec().commandLine().getOut();
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("meanCallsToRollback", r.meanCallsToRollback());
            doc.put("medianCallsToRollback", r.medianCallsToRollback());
            doc.put("p90CallsToRollback", r.p90CallsToRollback());
            doc.put("missedRollbackRate", r.missedRollbackRate());
            doc.put("falseRollbackRate", r.falseRollbackRate());
            doc.put("informationLimit", r.informationLimit());
            doc.put("ratioToInformationLimit", r.ratioToInformationLimit());
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
        } else {
            out.printf(Locale.ROOT, "regression %.4f vs baseline %.4f, alpha %.3f, %d runs of at most %d calls%n",
                    candidateError, baseline, judgeConfig.alpha(), runs, horizon);
            out.printf(Locale.ROOT, "calls to rollback: mean %.1f, median %.0f, p90 %.0f (information limit %.1f, ratio %.3f)%n",
                    r.meanCallsToRollback(), r.medianCallsToRollback(), r.p90CallsToRollback(), r.informationLimit(),
                    r.ratioToInformationLimit());
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
        JudgeConfig judgeConfig = judgeConfig();
        if (alpha != null) {
            judgeConfig = judgeConfig.withAlpha(alpha);
        }
        if (regressionRatio != null) {
            judgeConfig = judgeConfig.withRegressionRatio(regressionRatio);
        }
        judgeConfig = flagged(judgeConfig::withHorizon, horizon);
        List<Double> rows = baselines == null ? RollbackSweep.DEFAULT_BASELINES : baselines;
        List<Double> columns = ratios == null ? RollbackSweep.DEFAULT_RATIOS : ratios;
        int trials = runs == null ? DEFAULT_SWEEP_RUNS : runs;
        double stable = stableCallsPerCandidateCall == null ? RollbackSweep.DEFAULT_STABLE_CALLS_PER_CANDIDATE_CALL
                : stableCallsPerCandidateCall;
        RollbackSweep grid = flagged(() -> new RollbackSweep(rows, columns, horizon, trials, seed, stable));
        long started = System.nanoTime();
        RollbackSweep.Report report = grid.run(judgeConfig);
        long millis = (System.nanoTime() - started) / 1_000_000;
        PrintWriter out = spec().commandLine().getOut();
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
                cell.put("informationLimit", c.known().informationLimit());
                cell.put("summarized", grid.summarized(c.known().informationLimit()));
                cell.put("known", figures(c.known()));
                cell.put("learnt", figures(c.observed()));
                cell.put("learntInformationLimit", c.learntLimit());
                cell.put("learntToLearntLimit", c.observedToLearntLimit());
                cells.add(cell);
            }
            doc.put("cells", cells);
            doc.put("worstKnown", report.worstKnown());
            doc.put("medianKnown", report.medianKnown());
            doc.put("worstLearnt", report.worstObserved());
            doc.put("medianLearnt", report.medianObserved());
            doc.put("worstLearntToLearntLimit", report.worstObservedToLearntLimit());
            doc.put("medianLearntToLearntLimit", report.medianObservedToLearntLimit());
            doc.put("elapsedMillis", millis);
            out.println(JsonMappers.indented().writeValueAsString(doc));
        } else {
            out.printf(Locale.ROOT, "%s test, alpha %.3f, %d runs of at most %d calls per cell; learnt baseline: "
                    + "%s stable calls per candidate call%n", judgeConfig.test().name().toLowerCase(Locale.ROOT),
                    judgeConfig.alpha(), trials, horizon, stable);
            out.println("each cell: mean calls to rollback / information limit, missed, false "
                    + "(known baseline | learnt baseline), and with the baseline learnt the mean over the limit of "
                    + "any test that learns it (learnt limit)");
            out.printf(Locale.ROOT, "%-9s %-8s %9s  %-26s  %-26s %9s %7s%n", "baseline", "ratio", "limit", "known",
                    "learnt", "l. limit", "/l. lim");
            for (RollbackSweep.Cell c : report.cells()) {
                out.printf(Locale.ROOT, "%-9s %-8s %9.1f%s %-26s  %-26s %9.1f %7.3f%n", percent(c.baselineRate()),
                        c.ratio() + "x", c.known().informationLimit(),
                        grid.summarized(c.known().informationLimit()) ? " " : "*", cell(c.known()),
                        cell(c.observed()), c.learntLimit(), c.observedToLearntLimit());
            }
            out.printf(Locale.ROOT, "mean/limit over the cells without *: known worst %.3f, median %.3f; learnt "
                    + "worst %.3f, median %.3f; learnt over the learnt limit worst %.3f, median %.3f%n",
                    report.worstKnown(), report.medianKnown(), report.worstObserved(), report.medianObserved(),
                    report.worstObservedToLearntLimit(), report.medianObservedToLearntLimit());
            out.printf(Locale.ROOT, "* limit below %.0f calls or above %.0f%% of the horizon (%d ms)%n",
                    RollbackSweep.MIN_SUMMARIZED_LIMIT, 100 * RollbackSweep.MAX_SUMMARIZED_SHARE_OF_HORIZON,
                    millis);
        }
        out.flush();
        return DrCommand.EXIT_OK;
    }

    private static Map<String, Object> figures(RollbackSimulation.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("meanCallsToRollback", r.meanCallsToRollback());
        m.put("medianCallsToRollback", r.medianCallsToRollback());
        m.put("ratioToInformationLimit", r.ratioToInformationLimit());
        m.put("missedRollbackRate", r.missedRollbackRate());
        m.put("falseRollbackRate", r.falseRollbackRate());
        return m;
    }

    private static String cell(RollbackSimulation.Result r) {
        return String.format(Locale.ROOT, "%6.3f %6.4f %6.4f", r.ratioToInformationLimit(), r.missedRollbackRate(),
                r.falseRollbackRate());
    }

    private static String percent(double rate) {
        return BigDecimal.valueOf(100 * rate).stripTrailingZeros().toPlainString() + "%";
    }

    /** Runs a constructor that validates its fields and names the flag behind a rejected one. */
    private static <T> T flagged(Supplier<T> build) {
        try {
            return build.get();
        } catch (DrException e) {
            String input = e.input();
            if (e.code() != ErrorCode.INVALID_ARGUMENT || input == null) {
                throw e;
            }
            int eq = input.indexOf('=');
            String field = eq < 0 ? input : input.substring(0, eq);
            String flag = "--" + field.replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
            throw new DrException(ErrorCode.INVALID_ARGUMENT, flag + ": " + e.getMessage(), input, e);
        }
    }

    private static <T> T flagged(LongFunction<T> build, long value) {
        return flagged(() -> build.apply(value));
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
