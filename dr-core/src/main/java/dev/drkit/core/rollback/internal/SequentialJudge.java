package dev.drkit.core.rollback.internal;

import dev.drkit.api.rollback.Decision;
import dev.drkit.api.rollback.Evidence;
import dev.drkit.api.rollback.Judge;
import dev.drkit.api.rollback.Observation;
import dev.drkit.api.rollback.VariantStats;
import dev.drkit.api.rollback.Verdict;
import dev.drkit.core.rollback.BaselineSource;
import dev.drkit.core.rollback.JudgeConfig;
import dev.drkit.core.rollback.JudgeTest;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The sequential test of {@link JudgeConfig} with its threshold calibrated exactly, plus the
 * absolute limits.
 *
 * <p>{@link JudgeTest#FIXED_RATIO} runs the one-sided SPRT against {@code regressionRatio}
 * times the baseline. {@link JudgeTest#MIXTURE} runs a {@link RatioMixture}: with a
 * configured baseline on the candidate's calls at the baseline rate; with an observed one on
 * the failures of both versions, asking whether each fell on the candidate more often than its
 * share of the calls, {@code n / (n + s)}, says (against a stable version observed over a hundred
 * horizons or more, whose rate is as good as known, on the candidate's calls at that rate). The threshold is calibrated for that share
 * rounded up on a grid (the threshold grows with the share) and for the number of failures
 * expected within the horizon, estimated from the stable version (its failures raised by two
 * standard errors, plus two) and rounded up; each pair is
 * calibrated once and kept; beyond {@value #MAX_CALIBRATED_EVENTS} expected
 * failures the threshold is {@code ln(1/alpha)}, which holds over any horizon.
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

    private static final int MAX_CALIBRATED_EVENTS = 1 << 15;
    /**
     * By how many nats the threshold of a mixture test on the candidate's calls falls over the
     * horizon. A constant threshold spends the false-alarm budget early and lets a regression
     * whose evidence grows slowly run out the horizon: at a configured 0.05% baseline and a 3x
     * regression (the information limit at a quarter of a 20,000-call horizon) it missed 1.3% of
     * regressions; with the fall the threshold starts a little higher and misses 0.8%, for 0 to 3%
     * more calls to a rollback elsewhere ({@code dr simulate rollback --sweep}, 10,000 runs a
     * cell). Falls of 1.5 and 2 nats, or a fall over the horizon's second half only, cost more
     * calls than they saved misses. The test of the candidate's share of the failures keeps a
     * constant threshold: it is calibrated for a bound on the failures expected, which moves as
     * the stable version is observed, and a falling one took its false rollbacks above alpha
     * (0.5% baseline, 40,000 runs: 5.19% against 4.88%).
     */
    static final double FALL = 1.0;
    private static final double SHARE_STEP = 0.1;
    private static final double STABLE_FAILURES_Z = 2;
    private static final int EVENT_STEPS_PER_DOUBLING = 4;
    private static final int MAX_CACHED = 1024;
    private static final long KNOWN_STABLE_HORIZONS = 100;
    private static final double RATE_STEP = 0.02;
    private static final long KNOWN_STABLE_KEYS = 1L << 40;

    /** A mixture test and its calibrated threshold. */
    private record Calibrated(RatioMixture mixture, double threshold, long events) {
    }

    private final JudgeConfig config;
    private final double rollbackThreshold;
    private final double promoteThreshold;
    private final double promoteFloor;
    private final @Nullable RatioMixture configuredMixture;
    private final Map<Long, Calibrated> shareTests = new ConcurrentHashMap<>();

    /**
     * Builds the judge and calibrates its threshold.
     *
     * @param config the settings
     */
    public SequentialJudge(JudgeConfig config) {
        this.config = config;
        double p = config.baselineRate();
        if (config.test() == JudgeTest.MIXTURE) {
            this.configuredMixture = new RatioMixture(p, RatioMixture.Scale.RATE);
            this.rollbackThreshold = configuredMixture.threshold(config.alpha(), config.horizon(), FALL);
        } else {
            this.configuredMixture = null;
            this.rollbackThreshold = SprtCalibration.threshold(p, p * config.regressionRatio(), config.alpha(),
                    config.horizon());
        }
        this.promoteThreshold = Math.log(config.beta() / (1 - config.alpha()));
        this.promoteFloor = promoteFloor(config);
    }

    /** Solves {@code KL(ratio * r || r) = ln(1/alpha) / horizon} for r by bisection in log space. */
    private static double promoteFloor(JudgeConfig config) {
        double ratio = config.regressionRatio();
        double budget = Math.log(1 / config.alpha()) / config.horizon();
        double low = MIN_RATE;
        double high = MAX_RATE / ratio;
        if (kl(ratio * high, high) <= budget) {
            return high;
        }
        if (kl(ratio * low, low) >= budget) {
            return low;
        }
        for (int i = 0; i < 100; i++) {
            double mid = Math.sqrt(low * high);
            if (kl(ratio * mid, mid) < budget) {
                low = mid;
            } else {
                high = mid;
            }
        }
        return high;
    }

    private static double kl(double q, double p) {
        return q * Math.log(q / p) + (1 - q) * Math.log((1 - q) / (1 - p));
    }

    /**
     * Returns the lowest baseline rate PROMOTE holds the candidate to: the rate at which a
     * {@code regressionRatio} regression takes the rollback test the whole horizon on average
     * ({@code ln(1/alpha) / KL(ratio * r || r) = horizon}). A baseline below it, as a stable
     * version with no failures gives, is raised to it for the promotion only, so that a
     * candidate with no failures is promoted after a bounded number of its calls ({@code
     * promoteThreshold / ln((1 - ratio * floor) / (1 - floor))}, 12,689 by default). An observed
     * baseline is taken for the promotion at the low end of what the stable version's own calls
     * make plausible (the lower bound of their Wilson interval at 1.5 standard errors, without
     * the prior; 0 while it has not failed), not raised as for the rollback test: a candidate
     * is promoted only on evidence that it is no regression of the lowest rate the stable
     * version may have. Without the floor the baseline
     * learnt from a stable version with no failures falls toward zero as the stable calls grow,
     * and the candidate's evidence, which grows with its own calls times that baseline, levels
     * off at a value set by its share of the traffic: at a 1% share it never reached the
     * promotion threshold.
     *
     * @return the rate
     */
    public double promoteFloor() {
        return promoteFloor;
    }

    /**
     * Returns the calibrated rollback threshold in nats of the test against the configured
     * (or, for an observed baseline, expected) baseline rate; the threshold of a {@link JudgeTest#MIXTURE}
     * test on a configured baseline starts there and falls by one nat over the horizon.
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
        double statistic = llr;
        double threshold = rollbackThreshold;
        Calibrated share = null;
        if (configuredMixture != null) {
            if (config.baselineSource() == BaselineSource.OBSERVED && s.calls() >= KNOWN_STABLE_HORIZONS
                    * config.horizon() && s.failures() > 0) {
                share = knownStableTest(s);
                statistic = share.mixture().statistic(n, k);
                threshold = RatioMixture.thresholdAfter(share.threshold(), FALL, n, config.horizon());
            } else if (config.baselineSource() == BaselineSource.OBSERVED && s.calls() > 0 && n > 0) {
                share = shareTest(s, c);
                statistic = new RatioMixture((double) n / (n + s.calls()), RatioMixture.Scale.ODDS)
                        .statistic(k + s.failures(), k);
                threshold = share.threshold();
            } else {
                statistic = configuredMixture.statistic(n, k);
                threshold = RatioMixture.thresholdAfter(rollbackThreshold, FALL, n, config.horizon());
            }
        }
        if (config.rollbackOnOpenCircuit() && c.circuitOpen()) {
            return verdict("candidate circuit breaker is OPEN", s, c, p, statistic, threshold, share,
                    Rule.CIRCUIT_OPEN);
        }
        if (config.maxConsecutiveFailures() > 0 && c.consecutiveFailures() >= config.maxConsecutiveFailures()) {
            return verdict(c.consecutiveFailures() + " consecutive candidate failures reach the limit of "
                    + config.maxConsecutiveFailures(), s, c, p, statistic, threshold, share,
                    Rule.CONSECUTIVE_FAILURES);
        }
        // The test never rolls back a candidate that has not failed. The share test's threshold
        // is calibrated over paths of failures and can come out just below 0, the statistic of a
        // candidate with none: at a share of 1 call in 10,000 it was -6e-6, a rollback at once.
        if (k > 0 && statistic >= threshold) {
            String reason = share == null
                    ? String.format(Locale.ROOT, "candidate failure rate %.2f%% (%d/%d) exceeds baseline %.2f%%: "
                            + "log-likelihood ratio %.3f >= %.3f", 100 * c.failureRate(), k, n, 100 * p, statistic,
                            threshold)
                    : share.mixture().scale() == RatioMixture.Scale.RATE
                    ? String.format(Locale.ROOT, "candidate failure rate %.2f%% (%d/%d) exceeds stable %.2f%% (%d/%d): "
                            + "log-likelihood ratio %.3f >= %.3f", 100 * c.failureRate(), k, n, 100 * s.failureRate(),
                            s.failures(), s.calls(), statistic, threshold)
                    : String.format(Locale.ROOT, "candidate failure rate %.2f%% (%d/%d) exceeds stable %.2f%% "
                            + "(%d/%d): %d of %d failures fell on a %.2f%% share of the calls, log-likelihood "
                            + "ratio %.3f >= %.3f", 100 * c.failureRate(), k, n, 100 * s.failureRate(),
                            s.failures(), s.calls(), k, k + s.failures(), 100.0 * n / (n + s.calls()),
                            statistic, threshold);
            return verdict(reason, s, c, p, statistic, threshold, share, Rule.SEQUENTIAL_TEST);
        }
        // The promotion holds the candidate to the baseline (an observed one at the low end of what
        // the stable version's calls make plausible), or to the floor when that is lower: a
        // regression of a rate below the floor cannot be told within the horizon.
        double promoteBase = config.baselineSource() == BaselineSource.OBSERVED ? lowerBaseline(s) : p;
        double promoteRate = Math.min(Math.max(promoteBase, promoteFloor), MAX_RATE / config.regressionRatio());
        double promoteLlr = promoteRate == p ? llr : promoteStatistic(promoteRate, n, k);
        if (n > 0 && promoteLlr <= promoteThreshold) {
            // Asked often (after every failure of a healthy candidate): plain concatenation, no map.
            String reason = "candidate failures " + k + "/" + n + " show no " + config.regressionRatio()
                    + "x regression of baseline rate " + p;
            Map<String, String> extra = Map.of("promoteStatistic", Double.toString(promoteLlr));
            if (promoteRate != p) {
                reason = "candidate failures " + k + "/" + n + " show no " + config.regressionRatio()
                        + "x regression of rate " + promoteRate + (promoteRate == promoteFloor
                        ? ", the lowest whose regression the test tells within its horizon of " + config.horizon()
                                + " calls"
                        : ", the lowest the stable version's " + s.failures() + "/" + s.calls()
                                + " failures make plausible") + " (baseline rate " + p + ")";
                extra = Map.of("promoteStatistic", Double.toString(promoteLlr), "promoteRate",
                        Double.toString(promoteRate));
            }
            return new Ruling(new Verdict(Decision.PROMOTE, reason, new Evidence(n, k, s.calls(), s.failures(),
                    c.failureRate(), p, statistic, threshold, promoteThreshold, extra)), null);
        }
        // The common case, asked after many calls: no formatting, no map.
        return new Ruling(new Verdict(Decision.CONTINUE, "not enough evidence yet", new Evidence(n, k, s.calls(),
                s.failures(), c.failureRate(), p, statistic, threshold, promoteThreshold, Map.of())), null);
    }

    /** The log-likelihood ratio of {@code k} failures in {@code n} calls at {@code regressionRatio * p} against p. */
    private double promoteStatistic(double p, long n, long k) {
        double q = Math.min(p * config.regressionRatio(), MAX_RATE);
        return k * Math.log(q * (1 - p) / (p * (1 - q))) - n * Math.log((1 - p) / (1 - q));
    }

    /**
     * Returns the calibrated test against a stable version observed over so many calls (a
     * hundred horizons) that its rate is known: its rate rounded up by at most 2%.
     */
    private Calibrated knownStableTest(VariantStats stable) {
        long step = (long) Math.ceil(Math.log(stable.failureRate()) / RATE_STEP - 1e-9);
        return calibrated(KNOWN_STABLE_KEYS + step, () -> {
            RatioMixture mixture = new RatioMixture(Math.min(Math.exp(step * RATE_STEP), MAX_RATE),
                    RatioMixture.Scale.RATE);
            return new Calibrated(mixture, mixture.threshold(config.alpha(), config.horizon(), FALL), config.horizon());
        });
    }

    private Calibrated calibrated(long key, Supplier<Calibrated> calibration) {
        Calibrated found = shareTests.get(key);
        if (found != null) {
            return found;
        }
        if (shareTests.size() >= MAX_CACHED) {
            shareTests.clear();
        }
        return shareTests.computeIfAbsent(key, x -> calibration.get());
    }

    /**
     * Returns the calibrated test of the candidate's share of the failures: the share of the
     * calls rounded up on a logit grid, the failures expected within the horizon rounded up.
     */
    private Calibrated shareTest(VariantStats stable, VariantStats candidate) {
        double share = (double) candidate.calls() / (candidate.calls() + stable.calls());
        long shareStep = (long) Math.ceil(Math.log(share / (1 - share)) / SHARE_STEP - 1e-9);
        double prior = config.baselinePriorCalls();
        // The stable version's failures raised by two standard errors of their count, plus two: the
        // threshold grows with the failures expected, and one taken from a count that came out
        // low by chance is taken just when the candidate's share of the failures looks high
        // (false rollbacks at a 0.05% baseline, alpha 5%, 10,000 runs: 5.45% without, 4.98% with).
        double seen = stable.failures() + prior * config.baselineRate();
        double rate = (seen + STABLE_FAILURES_Z * Math.sqrt(seen) + STABLE_FAILURES_Z) / (stable.calls() + prior);
        double expected = config.horizon() * (1.0 + (double) stable.calls() / candidate.calls()) * rate;
        double events = expected + 3 * Math.sqrt(expected) + 10;
        long eventStep = (long) Math.ceil(EVENT_STEPS_PER_DOUBLING * Math.log(events) / Math.log(2) - 1e-9);
        long key = shareStep * 1024 + eventStep;
        return calibrated(key, () -> {
            double odds = Math.exp(shareStep * SHARE_STEP);
            double rounded = Math.min(odds / (1 + odds), MAX_RATE);
            long bound = (long) Math.ceil(Math.pow(2, (double) eventStep / EVENT_STEPS_PER_DOUBLING));
            RatioMixture mixture = new RatioMixture(rounded, RatioMixture.Scale.ODDS);
            double t = bound > MAX_CALIBRATED_EVENTS ? Math.log(1 / config.alpha())
                    : mixture.threshold(config.alpha(), bound, 0);
            return new Calibrated(mixture, t, bound);
        });
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

    /**
     * Returns the low end of the stable version's failure rate: the lower bound of the Wilson
     * score interval of its own calls at {@value #BASELINE_Z} standard errors, without the prior,
     * and 0 when it has not failed. A promotion held to a baseline raised by the prior or by
     * standard errors (as the rollback test is, where an underestimate would roll back a healthy
     * candidate) passed a 5x regression of a stable version with a few hundred calls.
     */
    private static double lowerBaseline(VariantStats stable) {
        double calls = stable.calls();
        double failures = Math.min(stable.failures(), stable.calls());
        if (failures <= 0) {
            return 0;
        }
        double z2 = BASELINE_Z * BASELINE_Z;
        double spread = BASELINE_Z * Math.sqrt(failures * (calls - failures) / calls + z2 / 4);
        return Math.max(0, (failures + z2 / 2 - spread) / (calls + z2));
    }

    private Ruling verdict(String reason, VariantStats s, VariantStats c, double p, double statistic,
            double threshold, @Nullable Calibrated share, Rule rule) {
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("rule", rule.id());
        extra.put("test", config.test().name());
        extra.put("alpha", Double.toString(config.alpha()));
        extra.put("baselineSource", config.baselineSource().name());
        extra.put("consecutiveFailures", Long.toString(c.consecutiveFailures()));
        extra.put("callsTaken", Long.toString(c.calls()));
        if (config.test() == JudgeTest.FIXED_RATIO) {
            extra.put("alternativeRate", Double.toString(Math.min(p * config.regressionRatio(), MAX_RATE)));
        } else if (share != null && share.mixture().scale() == RatioMixture.Scale.RATE) {
            extra.put("likeliestRatio", Double.toString(share.mixture().likeliestRatio(c.calls(), c.failures())));
        } else if (share != null) {
            extra.put("candidateShare", Double.toString((double) c.calls() / (c.calls() + s.calls())));
            extra.put("calibratedFailures", Long.toString(share.events()));
            extra.put("likeliestRatio", Double.toString(new RatioMixture((double) c.calls() / (c.calls()
                    + s.calls()), RatioMixture.Scale.ODDS).likeliestRatio(c.failures() + s.failures(), c.failures())));
        } else if (configuredMixture != null) {
            extra.put("likeliestRatio", Double.toString(configuredMixture.likeliestRatio(c.calls(), c.failures())));
        }
        Evidence evidence = new Evidence(c.calls(), c.failures(), s.calls(), s.failures(), c.failureRate(), p,
                statistic, threshold, promoteThreshold, extra);
        return new Ruling(new Verdict(Decision.ROLLBACK, reason, evidence), rule);
    }
}
