package dev.drkit.api.backup;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Which snapshots to keep when old ones are forgotten, in the manner of restic's
 * {@code forget}: a snapshot is kept when any rule keeps it.
 *
 * <p>The rules apply to each group of snapshots on its own: by default the snapshots of one
 * host and the same sources ({@link #DEFAULT_GROUP_BY}, restic's {@code --group-by host,paths}).
 * {@code keepLast = 7} then keeps the newest seven of every source of every host, and a source
 * backed up once a day is not forgotten because another is backed up every hour; {@code keepWithin}
 * is measured from the newest snapshot of the group. An empty {@code groupBy} applies the rules
 * to the repository's snapshots as one group. A policy never forgets every snapshot of a group:
 * one that would (only {@code keepTags} can, when no snapshot of the group carries the tags) is
 * refused when applied, naming the group.
 *
 * <p>{@code keepHourly = 24} keeps the newest snapshot of each of the last 24 hours that have
 * one; the other calendar rules work alike. A policy that keeps nothing is refused, so that a
 * mistake cannot forget every snapshot.
 *
 * @param keepLast the newest {@code n} snapshots
 * @param keepHourly the newest snapshot of each of the last {@code n} hours that have one
 * @param keepDaily likewise per day
 * @param keepWeekly likewise per ISO week
 * @param keepMonthly likewise per month
 * @param keepYearly likewise per year
 * @param keepWithin every snapshot younger than this, measured from the newest snapshot
 * @param keepTags every snapshot carrying any of these tags
 * @param groupBy what makes two snapshots one group, to which the rules apply on their own;
 *     empty for the whole repository
 */
public record RetentionPolicy(int keepLast, int keepHourly, int keepDaily, int keepWeekly, int keepMonthly,
        int keepYearly, Duration keepWithin, Set<String> keepTags, Set<GroupBy> groupBy) {

    /** What makes snapshots one group for a {@link RetentionPolicy}. */
    public enum GroupBy {
        /** The host that took the snapshot. */
        HOST,
        /** The snapshot's sources, as a set. */
        SOURCES,
        /** The snapshot's tags, as a set. */
        TAGS;

        /**
         * Parses a comma-separated list such as {@code host,sources}, case-insensitive;
         * {@code none} (or nothing) means the whole repository as one group.
         *
         * @param spec the list
         * @return the keys
         * @throws DrException {@code INVALID_ARGUMENT} naming {@code groupBy} for another word
         */
        public static Set<GroupBy> parse(String spec) {
            Objects.requireNonNull(spec, "spec");
            Set<GroupBy> keys = EnumSet.noneOf(GroupBy.class);
            String trimmed = spec.trim();
            if (trimmed.isEmpty() || trimmed.equalsIgnoreCase("none")) {
                return Set.of();
            }
            for (String word : trimmed.split(",", -1)) {
                String w = word.trim().toUpperCase(Locale.ROOT);
                try {
                    keys.add(GroupBy.valueOf(w.equals("PATHS") ? "SOURCES" : w));
                } catch (IllegalArgumentException e) {
                    throw DrException.invalidArgument("groupBy",
                            "must be a comma-separated list of host, sources and tags, or none", spec);
                }
            }
            return Set.copyOf(keys);
        }
    }

    /** The default grouping: the snapshots of one host and the same sources. */
    public static final Set<GroupBy> DEFAULT_GROUP_BY = Set.of(GroupBy.HOST, GroupBy.SOURCES);

    /**
     * A policy over the default groups ({@link #DEFAULT_GROUP_BY}).
     *
     * @param keepLast the newest {@code n} snapshots
     * @param keepHourly the newest snapshot of each of the last {@code n} hours that have one
     * @param keepDaily likewise per day
     * @param keepWeekly likewise per ISO week
     * @param keepMonthly likewise per month
     * @param keepYearly likewise per year
     * @param keepWithin every snapshot younger than this, measured from the newest snapshot
     * @param keepTags every snapshot carrying any of these tags
     * @throws DrException as the canonical constructor
     */
    public RetentionPolicy(int keepLast, int keepHourly, int keepDaily, int keepWeekly, int keepMonthly,
            int keepYearly, Duration keepWithin, Set<String> keepTags) {
        this(keepLast, keepHourly, keepDaily, keepWeekly, keepMonthly, keepYearly, keepWithin, keepTags,
                DEFAULT_GROUP_BY);
    }

    /**
     * Validates the rules.
     *
     * @throws DrException {@code INVALID_ARGUMENT} naming a negative count, a negative duration,
     *     or a policy that keeps nothing
     */
    public RetentionPolicy {
        Objects.requireNonNull(keepWithin, "keepWithin");
        keepTags = Set.copyOf(Objects.requireNonNull(keepTags, "keepTags"));
        groupBy = Set.copyOf(Objects.requireNonNull(groupBy, "groupBy"));
        requireNonNegative("keepLast", keepLast);
        requireNonNegative("keepHourly", keepHourly);
        requireNonNegative("keepDaily", keepDaily);
        requireNonNegative("keepWeekly", keepWeekly);
        requireNonNegative("keepMonthly", keepMonthly);
        requireNonNegative("keepYearly", keepYearly);
        if (keepWithin.isNegative()) {
            throw DrException.invalidArgument("keepWithin", "must be >= 0", keepWithin);
        }
        if (keepLast + keepHourly + keepDaily + keepWeekly + keepMonthly + keepYearly == 0
                && keepWithin.isZero() && keepTags.isEmpty()) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT,
                    "A retention policy must keep something: set at least one keep* rule", "retention");
        }
    }

    /**
     * Returns a builder with no rules set.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    private static void requireNonNegative(String field, int value) {
        if (value < 0) {
            throw DrException.invalidArgument(field, "must be >= 0", value);
        }
    }

    /** Builds a {@link RetentionPolicy}; not thread-safe. */
    public static final class Builder {
        private int keepLast;
        private int keepHourly;
        private int keepDaily;
        private int keepWeekly;
        private int keepMonthly;
        private int keepYearly;
        private Duration keepWithin = Duration.ZERO;
        private Set<String> keepTags = Set.of();
        private Set<GroupBy> groupBy = DEFAULT_GROUP_BY;

        private Builder() {
        }

        /**
         * Keeps the newest {@code n} snapshots.
         *
         * @param n how many
         * @return this builder
         */
        public Builder keepLast(int n) {
            this.keepLast = n;
            return this;
        }

        /**
         * Keeps the newest snapshot of each of the last {@code n} hours.
         *
         * @param n how many hours
         * @return this builder
         */
        public Builder keepHourly(int n) {
            this.keepHourly = n;
            return this;
        }

        /**
         * Keeps the newest snapshot of each of the last {@code n} days.
         *
         * @param n how many days
         * @return this builder
         */
        public Builder keepDaily(int n) {
            this.keepDaily = n;
            return this;
        }

        /**
         * Keeps the newest snapshot of each of the last {@code n} weeks.
         *
         * @param n how many weeks
         * @return this builder
         */
        public Builder keepWeekly(int n) {
            this.keepWeekly = n;
            return this;
        }

        /**
         * Keeps the newest snapshot of each of the last {@code n} months.
         *
         * @param n how many months
         * @return this builder
         */
        public Builder keepMonthly(int n) {
            this.keepMonthly = n;
            return this;
        }

        /**
         * Keeps the newest snapshot of each of the last {@code n} years.
         *
         * @param n how many years
         * @return this builder
         */
        public Builder keepYearly(int n) {
            this.keepYearly = n;
            return this;
        }

        /**
         * Keeps every snapshot younger than {@code age}, measured from the newest.
         *
         * @param age the window
         * @return this builder
         */
        public Builder keepWithin(Duration age) {
            this.keepWithin = age;
            return this;
        }

        /**
         * Keeps every snapshot carrying any of these tags.
         *
         * @param tags the tags
         * @return this builder
         */
        public Builder keepTags(Set<String> tags) {
            this.keepTags = tags;
            return this;
        }

        /**
         * Sets what makes snapshots one group (default {@link #DEFAULT_GROUP_BY}); none for the
         * whole repository as one group.
         *
         * @param keys the keys
         * @return this builder
         */
        public Builder groupBy(Set<GroupBy> keys) {
            this.groupBy = keys;
            return this;
        }

        /**
         * Builds the policy.
         *
         * @return the policy
         * @throws DrException {@code INVALID_ARGUMENT} as {@link RetentionPolicy}'s constructor
         */
        public RetentionPolicy build() {
            return new RetentionPolicy(keepLast, keepHourly, keepDaily, keepWeekly, keepMonthly, keepYearly,
                    keepWithin, keepTags, groupBy);
        }
    }
}
