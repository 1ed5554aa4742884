package dev.drkit.core.repository;

import dev.drkit.api.DrException;
import java.time.Duration;
import java.util.Objects;

/**
 * How {@link Repository#prune} frees space.
 *
 * @param gracePeriod packs younger than this are neither deleted nor repacked, since a
 *     running backup may be about to index them; the packs no index lists (the remains of an
 *     interrupted backup) are deleted once they are older. Temporary files of interrupted writes
 *     in a directory store are deleted once older than this or {@link #TEMPORARY_FILE_AGE},
 *     whichever is longer
 * @param repackThreshold a pack whose unused share exceeds this is repacked, in [0, 1]
 * @param dryRun whether to only report what would be done
 */
public record PruneOptions(Duration gracePeriod, double repackThreshold, boolean dryRun) {
    /** The default grace period: one hour. */
    public static final Duration DEFAULT_GRACE = Duration.ofHours(1);
    /**
     * How old a temporary file of a directory ({@code file:}) store must be, at least, before
     * prune deletes it: one hour, twice as long as a repository lock lives without a refresh.
     * A write renames its temporary file into place within seconds, so a file this old was left
     * by a writer that was killed; the age keeps prune clear of a live writer even in a process
     * that holds no repository lock (a lock's own refresh, say), and prune holds the exclusive
     * lock besides.
     */
    public static final Duration TEMPORARY_FILE_AGE = Duration.ofHours(1);

    /**
     * Validates the options.
     *
     * @throws DrException {@code INVALID_ARGUMENT} naming a value out of range
     */
    public PruneOptions {
        Objects.requireNonNull(gracePeriod, "gracePeriod");
        if (gracePeriod.isNegative()) {
            throw DrException.invalidArgument("gracePeriod", "must be >= 0", gracePeriod);
        }
        if (!(repackThreshold >= 0 && repackThreshold <= 1)) {
            throw DrException.invalidArgument("repackThreshold", "must be within [0, 1]", repackThreshold);
        }
    }

    /** The default share of unused space above which a pack is repacked: 20%. */
    public static final double DEFAULT_REPACK_THRESHOLD = 0.2;
    /** The defaults: one hour of grace, repack packs more than 20% unused, not a dry run. */
    public static final PruneOptions DEFAULT = new PruneOptions(DEFAULT_GRACE, DEFAULT_REPACK_THRESHOLD, false);

    /**
     * Returns {@link #DEFAULT}.
     *
     * @return the default options
     * @deprecated use {@link #DEFAULT}
     */
    @Deprecated
    public static PruneOptions defaults() {
        return DEFAULT;
    }
}
