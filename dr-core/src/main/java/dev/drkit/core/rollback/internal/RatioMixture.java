package dev.drkit.core.rollback.internal;

/**
 * A mixture sequential probability ratio test on a count of "successes" in a number of
 * Bernoulli trials, against alternatives spread over the size of the regression instead of
 * one alternative chosen in advance.
 *
 * <p>The null says each trial succeeds at rate p0. The alternatives say it succeeds at a rate
 * raised by a ratio r, for {@value #POINTS} ratios spaced evenly in log from {@value #LOW} to
 * {@value #HIGH}, each with the same prior weight. On the {@linkplain Scale#RATE rate scale}
 * the alternative rate is {@code r * p0} (a candidate failing r times as often); on the
 * {@linkplain Scale#ODDS odds scale} the odds are multiplied by r (a failure that belongs to
 * the candidate r times as often as its share of the traffic says). The statistic is the log
 * of the prior-weighted mean of the likelihood ratios; it is a nonnegative martingale under
 * the null, so {@code ln(1/alpha)} bounds its false-alarm rate over any horizon, and the exact
 * threshold for a finite horizon, found by {@link #threshold}, is lower.
 *
 * <p>The threshold may fall linearly over the horizon, by a given number of nats from its start
 * to the horizon's last trial ({@link #thresholdAfter}), and stay there; the calibration
 * accounts for the fall.
 *
 * <p>The statistic falls with the trials at a fixed count and rises with the count, so for
 * each number of trials there is a least count at which it reaches a threshold; the
 * calibration walks the binomial distribution of the count under the null, absorbing the mass
 * at that boundary (mass below 1e-30 at either end is dropped).
 */
public final class RatioMixture {
    /** The smallest ratio of the mixture. */
    public static final double LOW = 1.2;
    /**
     * The largest ratio of the mixture. A larger regression is caught by this alternative nearly
     * as fast, and at a 5% baseline no larger one exists; weighing ratios up to 30 instead took
     * 5% more calls at a learnt 5% baseline and 1.5x ({@code dr simulate rollback --sweep}).
     */
    public static final double HIGH = 20;
    /** How many ratios the mixture weighs. */
    public static final int POINTS = 25;

    private static final double MAX_RATE = 1 - 1e-9;
    private static final int BISECTION_STEPS = 24;
    private static final double LOWEST_THRESHOLD = -2.0;
    private static final double[] RATIOS = new double[POINTS];

    static {
        for (int j = 0; j < POINTS; j++) {
            RATIOS[j] = LOW * Math.pow(HIGH / LOW, (double) j / (POINTS - 1));
        }
    }

    /** How an alternative raises the null rate. */
    public enum Scale {
        /** The rate is multiplied by the ratio (capped just below 1). */
        RATE,
        /** The odds are multiplied by the ratio. */
        ODDS
    }

    private final double nullRate;
    private final Scale scale;
    private final double[] perSuccess = new double[POINTS];
    private final double[] perTrial = new double[POINTS];
    private final double logWeight = -Math.log(POINTS);

    /**
     * Builds the test for one null rate.
     *
     * @param nullRate the rate under the null, in (0, 1)
     * @param scale how the alternatives raise it
     */
    public RatioMixture(double nullRate, Scale scale) {
        this.nullRate = nullRate;
        this.scale = scale;
        double p = nullRate;
        for (int j = 0; j < POINTS; j++) {
            double r = RATIOS[j];
            double q = scale == Scale.RATE ? Math.min(r * p, MAX_RATE) : r * p / (r * p + 1 - p);
            double fail = Math.log((1 - q) / (1 - p));
            perSuccess[j] = Math.log(q / p) - fail;
            perTrial[j] = fail;
        }
    }

    /**
     * Returns how the alternatives raise the null rate.
     *
     * @return the scale
     */
    public Scale scale() {
        return scale;
    }

    /**
     * Returns the null rate.
     *
     * @return the rate
     */
    public double nullRate() {
        return nullRate;
    }

    /**
     * Returns the threshold after a number of trials of a test whose threshold starts at
     * {@code start} and falls linearly by {@code fall} over the horizon, staying there after it.
     *
     * @param start the threshold before the first trial, as {@link #threshold} calibrates it
     * @param fall nats the threshold falls by over the horizon, >= 0
     * @param trials the trials so far
     * @param horizon the horizon the threshold was calibrated for, > 0
     * @return the threshold in nats
     */
    public static double thresholdAfter(double start, double fall, long trials, long horizon) {
        return start - fall * Math.min(trials, horizon) / (double) horizon;
    }

    /**
     * Returns the log of the mixture likelihood ratio after {@code trials} trials with {@code successes} successes.
     *
     * @param trials the trials
     * @param successes the successes, at most {@code trials}
     * @return the statistic in nats
     */
    public double statistic(long trials, long successes) {
        double max = Double.NEGATIVE_INFINITY;
        double[] terms = new double[POINTS];
        for (int j = 0; j < POINTS; j++) {
            terms[j] = successes * perSuccess[j] + trials * perTrial[j];
            max = Math.max(max, terms[j]);
        }
        double sum = 0;
        for (double t : terms) {
            sum += Math.exp(t - max);
        }
        return max + Math.log(sum) + logWeight;
    }

    /**
     * Returns the ratio of the mixture whose alternative explains the counts best.
     *
     * @param trials the trials
     * @param successes the successes
     * @return the ratio
     */
    public double likeliestRatio(long trials, long successes) {
        int best = 0;
        double top = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < POINTS; j++) {
            double t = successes * perSuccess[j] + trials * perTrial[j];
            if (t > top) {
                top = t;
                best = j;
            }
        }
        return RATIOS[best];
    }

    /**
     * Returns the lowest starting threshold (to about 1e-6 nats) at which the test, its threshold
     * falling as {@link #thresholdAfter} says and run for {@code horizon} trials at the null rate,
     * crosses with probability at most alpha.
     *
     * @param alpha the false-alarm budget
     * @param horizon the trials the budget covers
     * @param fall nats the threshold falls by over the horizon, >= 0
     * @return the starting threshold, at most {@code ln(1/alpha) + fall}
     */
    public double threshold(double alpha, long horizon, double fall) {
        double lo = LOWEST_THRESHOLD;
        // the threshold then never falls below ln(1/alpha): Ville's inequality holds alone
        double hi = Math.log(1.0 / alpha) + fall;
        if (crossingProbability(lo, fall, horizon, alpha) <= alpha) {
            return lo;
        }
        for (int i = 0; i < BISECTION_STEPS; i++) {
            double mid = (lo + hi) / 2;
            if (crossingProbability(mid, fall, horizon, alpha) <= alpha) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return hi;
    }

    /**
     * Returns the probability that the statistic reaches its threshold, starting at
     * {@code threshold} and falling as {@link #thresholdAfter} says, within {@code horizon} trials
     * at the null rate; stops early once it exceeds {@code stopAbove}.
     *
     * @param threshold the starting threshold in nats
     * @param fall nats the threshold falls by over the horizon, >= 0
     * @param horizon trials
     * @param stopAbove a value above which the exact figure is not needed
     * @return the crossing probability (or a value above stopAbove)
     */
    public double crossingProbability(double threshold, double fall, long horizon, double stopAbove) {
        // the boundary moves little from one n to the next, so each search starts where the last ended;
        // it mostly rises, but may step down as the threshold falls
        long[] boundary = {0};
        return SprtCalibration.absorbed(nullRate, horizon, stopAbove, n -> {
            double t = thresholdAfter(threshold, fall, n, horizon);
            while (boundary[0] > 0 && statistic(n, boundary[0] - 1) >= t) {
                boundary[0]--;
            }
            while (boundary[0] <= n && statistic(n, boundary[0]) < t) {
                boundary[0]++;
            }
            return boundary[0];
        });
    }
}
