package dev.drkit.core.rollback.internal;

import dev.drkit.api.rollback.Decision;
import dev.drkit.api.rollback.Evidence;
import dev.drkit.api.rollback.Judge;
import dev.drkit.api.rollback.Observation;
import dev.drkit.api.rollback.VariantStats;
import dev.drkit.api.rollback.Verdict;
import dev.drkit.core.rollback.BaselineSource;
import dev.drkit.core.rollback.JudgeConfig;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The one-sided sequential probability ratio test of {@link JudgeConfig}, with its threshold
 * calibrated exactly for the configured (or expected) baseline, plus the absolute limits.
 */
public final class SequentialJudge implements Judge {
    private static final double MIN_RATE = 1e-6;
    private static final double MAX_RATE = 1 - 1e-6;
    private static final double BASELINE_Z = 1.5;

    /** Which rule of the judge asked for a rollback. */
    public enum Rule {
        /** The candidate's circuit breaker is open. */
        CIRCUIT_OPEN("circuitOpen"),
        /** The candidate failed the configured number of times in a row. */
        CONSECUTIVE_FAILURES("consecutiveFailures"),
        /** The sequential test crossed its rollback threshold. */
        SEQUENTIAL_TEST("sequentialTest");

        private final String id;

        Rule(String id) {
            this.id = id;
        }

        /**
         * Returns the rule's name in evidence and audit records, such as {@code circuitOpen}.
         *
         * @return the name
         */
        public String id() {
            return id;
        }
    }

    /**
     * A verdict with the rule that asked for the rollback.
     *
     * @param verdict the verdict
     * @param rule the rule behind a ROLLBACK, or null for any other decision
     */
    public record Ruling(Verdict verdict, @Nullable Rule rule) {
    }

    private final JudgeConfig config;
    private final double rollbackThreshold;
    private final double promoteThreshold;

    /**
     * Builds the judge and calibrates its threshold.
     *
     * @param config the settings
     */
    public SequentialJudge(JudgeConfig config) {
        this.config = config;
        double p = config.baselineRate();
        this.rollbackThreshold = SprtCalibration.threshold(p, p * config.regressionRatio(), config.alpha(),
                config.horizon());
        this.promoteThreshold = Math.log(config.beta() / (1 - config.alpha()));
    }

    /**
     * Returns the calibrated rollback threshold in nats.
     *
     * @return the threshold
     */
    public double rollbackThreshold() {
        return rollbackThreshold;
    }

    /**
     * Returns the settings.
     *
     * @return the configuration
     */
    public JudgeConfig config() {
        return config;
    }

    @Override
    public Verdict judge(Observation observation) {
        return rule(observation).verdict();
    }

    /**
     * Judges an observation and says which rule asked for a rollback.
     *
     * @param observation what both versions did
     * @return the verdict with its rule
     */
    public Ruling rule(Observation observation) {
        VariantStats c = observation.candidate();
        VariantStats s = observation.stable();
        double p = baseline(s);
        double q = Math.min(p * config.regressionRatio(), MAX_RATE);
        long n = c.calls();
        long k = c.failures();
        double a = Math.log(q * (1 - p) / (p * (1 - q)));
        double b = Math.log((1 - p) / (1 - q));
        double llr = k * a - n * b;
        if (config.rollbackOnOpenCircuit() && c.circuitOpen()) {
            return verdict("candidate circuit breaker is OPEN", s, c, p, llr, Rule.CIRCUIT_OPEN);
        }
        if (config.maxConsecutiveFailures() > 0 && c.consecutiveFailures() >= config.maxConsecutiveFailures()) {
            return verdict(c.consecutiveFailures() + " consecutive candidate failures reach the limit of "
                    + config.maxConsecutiveFailures(), s, c, p, llr, Rule.CONSECUTIVE_FAILURES);
        }
        if (llr >= rollbackThreshold) {
            return verdict(String.format(Locale.ROOT,
                    "candidate failure rate %.2f%% (%d/%d) exceeds baseline %.2f%%: log-likelihood ratio %.3f >= %.3f",
                    100 * c.failureRate(), k, n, 100 * p, llr, rollbackThreshold), s, c, p, llr, Rule.SEQUENTIAL_TEST);
        }
        if (n > 0 && llr <= promoteThreshold) {
            // Asked often (after every failure of a healthy candidate): plain concatenation, no map.
            return new Ruling(new Verdict(Decision.PROMOTE, "candidate failures " + k + "/" + n + " show no "
                    + config.regressionRatio() + "x regression of baseline rate " + p,
                    new Evidence(n, k, s.calls(), s.failures(), c.failureRate(), p, llr, rollbackThreshold,
                            promoteThreshold, Map.of())), null);
        }
        // The common case, asked after many calls: no formatting, no map.
        return new Ruling(new Verdict(Decision.CONTINUE, "not enough evidence yet", new Evidence(n, k, s.calls(),
                s.failures(), c.failureRate(), p, llr, rollbackThreshold, promoteThreshold, Map.of())), null);
    }

    private double baseline(VariantStats stable) {
        double p;
        if (config.baselineSource() == BaselineSource.CONFIGURED) {
            p = config.baselineRate();
        } else {
            // The smoothed observed rate, raised by BASELINE_Z standard errors: an underestimated
            // baseline would make a healthy candidate look like a regression, so the test holds
            // the candidate to a rate the stable version has very probably reached.
            double prior = config.baselinePriorCalls();
            double calls = stable.calls() + prior;
            if (calls == 0) {
                p = config.baselineRate();
            } else {
                double smoothed = (stable.failures() + prior * config.baselineRate()) / calls;
                p = smoothed + BASELINE_Z * Math.sqrt(smoothed * (1 - smoothed) / calls);
            }
        }
        return Math.min(Math.max(p, MIN_RATE), MAX_RATE / config.regressionRatio());
    }

    private Ruling verdict(String reason, VariantStats s, VariantStats c, double p, double llr, Rule rule) {
        Evidence evidence = new Evidence(c.calls(), c.failures(), s.calls(), s.failures(), c.failureRate(), p, llr,
                rollbackThreshold, promoteThreshold, Map.of(
                        "rule", rule.id(),
                        "alpha", Double.toString(config.alpha()),
                        "alternativeRate", Double.toString(Math.min(p * config.regressionRatio(), MAX_RATE)),
                        "baselineSource", config.baselineSource().name(),
                        "consecutiveFailures", Long.toString(c.consecutiveFailures()),
                        "callsTaken", Long.toString(c.calls())));
        return new Ruling(new Verdict(Decision.ROLLBACK, reason, evidence), rule);
    }
}
