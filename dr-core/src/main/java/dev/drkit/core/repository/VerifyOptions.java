package dev.drkit.core.repository;

import dev.drkit.api.DrException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import org.jspecify.annotations.Nullable;

/**
 * How deeply {@link Repository#verify} checks.
 *
 * <p>With {@code readData}, a data check reads {@link #packsToRead ceil(sample × packs)} of the
 * packs the index lists and the store holds: all of them at a sample of 1, and at least one of a
 * repository that has packs however small the sample, as restic's {@code --read-data-subset=n%}.
 * The seed chooses which: the same ones every time while the repository holds the same packs,
 * and a larger sample with the same seed reads those and more.
 *
 * @param readData whether packs are downloaded, decrypted and re-hashed, not only listed
 * @param sample the share of packs whose data is read, in (0, 1]; 1 without {@code readData}
 * @param seed chooses the packs read, so that a run can be repeated
 * @param expectedHead a history head digest kept out of band ({@link VerifyReport#historyHead()}):
 *     the check fails unless the history still contains that head, which catches a history
 *     rolled back by several coordinated changes; null to skip
 */
public record VerifyOptions(boolean readData, double sample, long seed, @Nullable String expectedHead) {
    /**
     * Validates the options.
     *
     * @throws DrException {@code INVALID_ARGUMENT} for a sample outside (0, 1], or below 1 without
     *     {@code readData} (no data would be read)
     */
    public VerifyOptions {
        if (!(sample > 0 && sample <= 1)) {
            throw DrException.invalidArgument("sample", "must be within (0, 1]", sample);
        }
        if (!readData && sample != 1) {
            throw DrException.invalidArgument("sample", "must be 1 when readData is false (no data is read)", sample);
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
     * @throws DrException {@code INVALID_ARGUMENT} for a sample outside (0, 1], or below 1 without
     *     {@code readData}
     */
    public VerifyOptions(boolean readData, double sample, long seed) {
        this(readData, sample, seed, null);
    }

    /**
     * Returns how many of a repository's packs a check with these options reads: none without
     * {@code readData}; else {@code ceil(sample × packs)}, taking the sample as the decimal it is
     * written as (0.3 of 10 packs is 3), so at least one when there are packs.
     *
     * @param packs the packs the index lists and the store holds
     * @return how many of them are read, within [0, packs]
     * @throws DrException {@code INVALID_ARGUMENT} for a negative number of packs
     */
    public int packsToRead(int packs) {
        if (packs < 0) {
            throw DrException.invalidArgument("packs", "must be >= 0", packs);
        }
        if (!readData) {
            return 0;
        }
        return BigDecimal.valueOf(sample).multiply(BigDecimal.valueOf(packs)).setScale(0, RoundingMode.CEILING)
                .intValueExact();
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
     * Checks structure and reads a share of the packs chosen by a seed: ceil(fraction × packs),
     * at least one of a repository that has packs (see {@link #packsToRead}).
     *
     * @param fraction the share of packs to read, in (0, 1]
     * @param seed the seed of the choice
     * @return the options
     * @throws DrException {@code INVALID_ARGUMENT} for a fraction outside (0, 1]
     */
    public static VerifyOptions readDataSample(double fraction, long seed) {
        return new VerifyOptions(true, fraction, seed);
    }
}
