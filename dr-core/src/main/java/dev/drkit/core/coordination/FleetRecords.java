package dev.drkit.core.coordination;

import dev.drkit.api.DrException;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.coordination.internal.FleetRecordReader;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What the coordination objects of one lease and one group in a store say, as a single read
 * finds them, for operators' tools such as {@code dr fleet status}: reading writes nothing and
 * takes no part in the fleet.
 *
 * <p>A single read cannot apply the expiry of a {@link StoreCoordinator}, where an instance
 * judges a holding ended only after seeing it unchanged for the TTL on its own ticker. It gives
 * instead when the store last wrote each object, by the store's own timestamps, so that the
 * reader can compare that with the TTL on its clock ({@link Holding#pastTtl}): a sign that the
 * holder stopped renewing, which the fleet itself never acts on, since it rests on two clocks.
 *
 * <p>An object whose content contradicts its key (an announcement under one member's key that
 * names another, a holding whose epoch is not its key's) or that cannot be parsed is not
 * trusted: it is listed in {@link #inconsistent()}, naming its key, and left out of
 * {@link #holding()} and {@link #members()}.
 *
 * @param holding the newest holding of the lease, or null when the lease was never held or its
 *     newest holding object is inconsistent
 * @param members the group's announcements, sorted by member id
 * @param inconsistent the objects that contradict their keys or cannot be parsed, sorted by key
 */
public record FleetRecords(@Nullable Holding holding, List<Member> members, List<Inconsistency> inconsistent) {

    /**
     * Copies the lists.
     *
     * @throws NullPointerException when a list or an element is null
     */
    public FleetRecords {
        members = List.copyOf(members);
        inconsistent = List.copyOf(inconsistent);
    }

    /**
     * Reads the newest holding of a lease and the announcements of a group: one list and one
     * read for the lease, one list and a read per member for the group.
     *
     * @param store the store the fleet coordinates in; it is not closed
     * @param keyPrefix the key prefix of the coordination objects, as
     *     {@link CoordinatorConfig#keyPrefix()} ({@value CoordinatorConfig#DEFAULT_KEY_PREFIX} by default)
     * @param lease the lease's name
     * @param group the group's name
     * @return what the objects say
     * @throws DrException {@code INVALID_ARGUMENT} naming a malformed lease or group name or
     *     key prefix; a storage failure when the store cannot be read
     */
    public static FleetRecords read(SnapshotStore store, String keyPrefix, String lease, String group) {
        Objects.requireNonNull(store, "store");
        return FleetRecordReader.read(store, keyPrefix, CoordinatorConfig.requireName("lease", lease),
                CoordinatorConfig.requireName("group", group));
    }

    /**
     * One holding of a lease, {@code leases/<name>/<epoch>}, as its object says.
     *
     * @param key the object's key
     * @param holder the member that acquired the holding
     * @param epoch its fencing epoch
     * @param status whether it is held, was released or was ended by another instance
     * @param renewals how often its holder renewed it
     * @param ttl the TTL its holder holds it for after each renewal
     * @param lastWritten when the store last wrote the object (acquired, renewed, released or
     *     ended), by the store's timestamp
     */
    public record Holding(String key, String holder, long epoch, Status status, long renewals, Duration ttl,
            Instant lastWritten) {

        /** Where a holding stands, as its object says. */
        public enum Status {
            /** Its holder holds it and renews it, unless it stopped without releasing it. */
            HELD,
            /** Its holder gave it up. */
            RELEASED,
            /** Another instance saw no renewal for the TTL and ended it. */
            EXPIRED
        }

        /**
         * Checks the fields.
         *
         * @throws NullPointerException when a field is null
         */
        public Holding {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(holder, "holder");
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(ttl, "ttl");
            Objects.requireNonNull(lastWritten, "lastWritten");
        }

        /**
         * Returns how long ago the store last wrote the object, never negative.
         *
         * @param now the reader's time
         * @return the age by the store's timestamp and the reader's clock, zero when the
         *     timestamp lies ahead of {@code now}
         */
        public Duration age(Instant now) {
            Duration age = Duration.between(lastWritten, now);
            return age.isNegative() ? Duration.ZERO : age;
        }

        /**
         * Tells whether the holding is held by its object but was last renewed longer than its
         * TTL ago: its holder has most likely stopped. Two clocks decide this (the store's and
         * the reader's), so it is a hint for people, not a judgement the fleet acts on.
         *
         * @param now the reader's time
         * @return true when the status is {@code HELD} and {@link #age} exceeds {@link #ttl}
         */
        public boolean pastTtl(Instant now) {
            return status == Status.HELD && age(now).compareTo(ttl) > 0;
        }
    }

    /**
     * One member's announcement, {@code members/<group>/<memberId>}, whose content names the
     * member its key names.
     *
     * @param key the object's key
     * @param memberId the member
     * @param announcements how many announcements the member made in this membership
     * @param lastAnnounced when the store last wrote the object, by the store's timestamp
     */
    public record Member(String key, String memberId, long announcements, Instant lastAnnounced) {
        /**
         * Checks the fields.
         *
         * @throws NullPointerException when a field is null
         */
        public Member {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(memberId, "memberId");
            Objects.requireNonNull(lastAnnounced, "lastAnnounced");
        }
    }

    /**
     * An object that was read but is not trusted.
     *
     * @param key the object's key
     * @param problem what is wrong with it
     */
    public record Inconsistency(String key, String problem) {
        /**
         * Checks the fields.
         *
         * @throws NullPointerException when a field is null
         */
        public Inconsistency {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(problem, "problem");
        }
    }
}
