package dev.drkit.testkit;

import org.quicktheories.QuickTheory;

/**
 * Starts QuickTheories property tests with a fixed, replayable seed.
 *
 * <p>The seed is {@value #DEFAULT_SEED} unless the system property {@code dr.seed} sets
 * another; QuickTheories prints it ("Seed was ...") with every falsified property, and
 * {@code -Ddr.seed=<seed>} replays the run.
 */
public final class PropertyTests {
    /** The seed used when {@code dr.seed} is not set. */
    public static final long DEFAULT_SEED = 20_261_126L;

    private PropertyTests() {
    }

    /**
     * Returns the seed of this run.
     *
     * @return {@code dr.seed} when set, else {@link #DEFAULT_SEED}
     */
    public static long seed() {
        return Long.getLong("dr.seed", DEFAULT_SEED);
    }

    /**
     * Returns a QuickTheories entry point with the run's seed and a number of examples.
     *
     * @param examples how many examples to try
     * @return the configured theory
     */
    public static QuickTheory qt(int examples) {
        return QuickTheory.qt().withFixedSeed(seed()).withExamples(examples);
    }
}
