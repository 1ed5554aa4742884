package dev.drkit.core.repository;

import dev.drkit.api.DrException;
import org.jspecify.annotations.Nullable;

/**
 * How deeply {@link Repository#verify} checks.
 *
 * @param readData whether packs are downloaded, decrypted and re-hashed, not only listed
 * @param sample the fraction of packs whose data is read, in (0, 1]
 * @param seed chooses the sample, so that a run can be repeated
 * @param expectedHead a history head digest kept out of band ({@link VerifyReport#historyHead()}):
 *     the check fails unless the history still contains that head, which catches a history
 *     rolled back by several coordinated changes; null to skip
 */
public record VerifyOptions(boolean readData, double sample, long seed, @Nullable String expectedHead) {
    /**
     * Validates the options.
     *
     * @throws DrException {@code INVALID_ARGUMENT} for a sample outside (0, 1]
     */
    public VerifyOptions {
        if (!(sample > 0 && sample <= 1)) {
            throw DrException.invalidArgument("sample", "must be within (0, 1]", sample);
        }
        if (expectedHead != null && !expectedHead.matches("[0-9]{1,19}:[0-9a-f]{64}")) {
            throw DrException.invalidArgument("expectedHead", "must be <seq>:<64 hex digits> as verify prints it",
                    expectedHead);
        }
    }

    /**
     * Options without an expected head.
     *
     * @param readData whether packs are read
     * @param sample the fraction of packs read
     * @param seed the seed of the choice
     * @throws DrException {@code INVALID_ARGUMENT} for a sample outside (0, 1]
     */
    public VerifyOptions(boolean readData, double sample, long seed) {
        this(readData, sample, seed, null);
    }

    /**
     * Returns these options with a head digest the history must still contain.
     *
     * @param digest the digest, as {@link VerifyReport#historyHead()} gave it
     * @return the options
     * @throws DrException {@code INVALID_ARGUMENT} for a malformed digest
     */
    public VerifyOptions withExpectedHead(String digest) {
        return new VerifyOptions(readData, sample, seed, digest);
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
