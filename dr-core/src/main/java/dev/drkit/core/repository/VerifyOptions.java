package dev.drkit.core.repository;

import dev.drkit.api.DrException;

/**
 * How deeply {@link Repository#verify} checks.
 *
 * @param readData whether packs are downloaded, decrypted and re-hashed, not only listed
 * @param sample the fraction of packs whose data is read, in (0, 1]
 * @param seed chooses the sample, so that a run can be repeated
 */
public record VerifyOptions(boolean readData, double sample, long seed) {
    /**
     * Validates the options.
     *
     * @throws DrException {@code INVALID_ARGUMENT} for a sample outside (0, 1]
     */
    public VerifyOptions {
        if (!(sample > 0 && sample <= 1)) {
            throw DrException.invalidArgument("sample", "must be within (0, 1]", sample);
        }
    }

    /** Checks structure only. @return the options */
    public static VerifyOptions structure() {
        return new VerifyOptions(false, 1, 0);
    }

    /** Checks structure and reads every pack. @return the options */
    public static VerifyOptions readAllData() {
        return new VerifyOptions(true, 1, 0);
    }

    /**
     * Checks structure and reads a random subset of the packs.
     *
     * @param fraction the share of packs to read, in (0, 1]
     * @param seed the seed of the choice
     * @return the options
     */
    public static VerifyOptions readDataSample(double fraction, long seed) {
        return new VerifyOptions(true, fraction, seed);
    }
}
