package dev.drkit.cli;

import dev.drkit.core.json.JsonMappers;
import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.rollback.Judge;
import dev.drkit.core.rollback.BaselineSource;
import dev.drkit.core.rollback.JudgeConfig;
import dev.drkit.core.rollback.Judges;
import dev.drkit.core.rollback.RollbackSimulation;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
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
 * candidate that is no worse.
 */
@Command(name = "rollback", mixinStandardHelpOptions = true,
        description = "Simulate the rollback judge on Bernoulli call outcomes.")
public final class SimulateRollbackCommand implements Callable<Integer> {

    @Spec
    @Nullable CommandSpec spec;

    @Option(names = "--baseline-error", description = "Failure rate of the stable version (default: the judge's baseline rate, else 0.01).")
    @Nullable Double baselineError;

    @Option(names = "--candidate-error", required = true, description = "Failure rate of the candidate in the regression trials.")
    double candidateError;

    @Option(names = "--alpha", description = "False-rollback budget (default: the judge's, 0.05).")
    @Nullable Double alpha;

    @Option(names = "--regression-ratio", description = "Multiple of the baseline the test is tuned to (default: the judge's, 3).")
    @Nullable Double regressionRatio;

    @Option(names = "--horizon", defaultValue = "20000", description = "Candidate calls per trial (default: ${DEFAULT-VALUE}).")
    long horizon;

    @Option(names = "--runs", defaultValue = "10000", description = "Trials of each kind (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--stable-calls-per-candidate-call", defaultValue = "0",
            description = "Stable calls per candidate call, so that an observed baseline is noisy as in a rollout "
                    + "(19 for a candidate at 5%%); 0 for a stable rate known exactly (default: ${DEFAULT-VALUE}).")
    double stableCallsPerCandidateCall;

    @Option(names = "--config", description = "A rollback_config.json whose guard's judge to simulate.")
    java.nio.file.@Nullable Path config;

    @Option(names = "--guard", description = "The guard in --config whose judge to simulate.")
    @Nullable String guard;

    @Option(names = "--json", description = "Print the figures as JSON.")
    boolean json;

    @Override
    public Integer call() {
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
        RollbackSimulation.Result r = new RollbackSimulation(baseline, candidateError, horizon, runs, seed,
                stableCallsPerCandidateCall)
                .run(judge, judgeConfig.alpha());
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
