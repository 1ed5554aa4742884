package dev.drkit.core.rollback.internal;

import java.util.Arrays;

/**
 * The exact false-rollback probability of a one-sided Bernoulli SPRT over a finite horizon,
 * and the lowest threshold that keeps it within a budget.
 *
 * <p>With {@code A = ln(q(1-p) / (p(1-q)))} and {@code B = ln((1-p)/(1-q))} the log-likelihood
 * ratio after n calls with k failures is {@code kA - nB}; it crosses a threshold b at the
 * first n where {@code k >= (b + nB) / A}. Under the null rate p the number of failures is a
 * binomial walk; a dynamic program over k, absorbing the walk at the boundary, gives the
 * crossing probability within the horizon exactly (mass below 1e-30 at either end of the
 * walk is dropped, which changes the result by less than horizon * 1e-30).
 */
final class SprtCalibration {
    private static final double NEGLIGIBLE = 1e-30;
    private static final int BISECTION_STEPS = 40;

    private SprtCalibration() {
    }

    /**
     * Returns the lowest threshold (to 1e-9 nats) whose false-rollback probability is at most alpha.
     *
     * @param p the null failure rate
     * @param q the alternative failure rate, > p
     * @param alpha the false-rollback budget
     * @param horizon the number of calls the budget covers
     * @return the threshold, at most ln(1/alpha)
     */
    public static double threshold(double p, double q, double alpha, long horizon) {
        double lo = 0.0;
        double hi = Math.log(1.0 / alpha);
        if (crossingProbability(p, q, lo, horizon, alpha) <= alpha) {
            return lo;
        }
        for (int i = 0; i < BISECTION_STEPS && hi - lo > 1e-9; i++) {
            double mid = (lo + hi) / 2;
            if (crossingProbability(p, q, mid, horizon, alpha) <= alpha) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return hi;
    }

    /**
     * Returns the probability that the test crosses threshold b within the horizon when calls
     * fail at rate p; stops early once the probability exceeds {@code stopAbove}.
     *
     * @param p the true failure rate
     * @param q the alternative rate the test is tuned to
     * @param b the threshold
     * @param horizon calls
     * @param stopAbove a value above which the exact figure is not needed
     * @return the crossing probability (or a value above stopAbove)
     */
    public static double crossingProbability(double p, double q, double b, long horizon, double stopAbove) {
        double a = Math.log(q * (1 - p) / (p * (1 - q)));
        double bb = Math.log((1 - p) / (1 - q));
        return absorbed(p, horizon, stopAbove, n -> boundary(b, n, a, bb));
    }

    /** The least failure count after n calls at which a test's statistic reaches its threshold. */
    @FunctionalInterface
    interface Boundary {
        /**
         * Returns the boundary after n calls; called with n = 1, 2, ... in turn.
         *
         * @param n the calls so far
         * @return the least failure count that crosses
         */
        long at(long n);
    }

    /**
     * Returns the probability that the failures of calls failing at rate p reach the boundary
     * within the horizon: a dynamic program over the failure count, absorbing the walk at the
     * boundary; stops early once the probability exceeds {@code stopAbove}.
     *
     * @param p the true failure rate
     * @param horizon calls
     * @param stopAbove a value above which the exact figure is not needed
     * @param boundary the boundary after each call
     * @return the crossing probability (or a value above stopAbove)
     */
    static double absorbed(double p, long horizon, double stopAbove, Boundary boundary) {
        double[] mass = new double[64];
        mass[0] = 1.0;
        int lo = 0;
        int hi = 0;
        double crossed = 0.0;
        double fail = p;
        double pass = 1 - p;
        for (long n = 1; n <= horizon; n++) {
            if (hi + 2 > mass.length) {
                mass = Arrays.copyOf(mass, mass.length * 2);
            }
            int top = hi + 1;
            for (int k = top; k > lo; k--) {
                mass[k] = mass[k] * pass + mass[k - 1] * fail;
            }
            mass[lo] = mass[lo] * pass;
            hi = top;
            long crossing = boundary.at(n);
            while (hi >= crossing && hi >= lo) {
                crossed += mass[hi];
                mass[hi] = 0.0;
                hi--;
            }
            if (crossed > stopAbove) {
                return crossed;
            }
            while (hi > lo && mass[hi] < NEGLIGIBLE) {
                mass[hi] = 0.0;
                hi--;
            }
            while (lo < hi && mass[lo] < NEGLIGIBLE) {
                mass[lo] = 0.0;
                lo++;
            }
            if (hi < lo || (hi == lo && mass[hi] < NEGLIGIBLE)) {
                break;
            }
        }
        return crossed;
    }

    /** The least failure count at which the statistic reaches b after n calls. */
    static int boundary(double b, long n, double a, double bb) {
        double k = (b + n * bb) / a;
        int c = (int) Math.ceil(k - 1e-12);
        return Math.max(c, 0);
    }
}
