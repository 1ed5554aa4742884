package dev.drkit.core.coordination.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.api.store.StoreKeys;
import dev.drkit.core.coordination.FleetRecords;
import dev.drkit.core.coordination.FleetRecords.Holding;
import dev.drkit.core.coordination.FleetRecords.Inconsistency;
import dev.drkit.core.coordination.FleetRecords.Member;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/** Reads {@link FleetRecords}: the newest holding of a lease and a group's announcements, checked against their keys. */
public final class FleetRecordReader {
    private FleetRecordReader() {
    }

    /**
     * Reads the objects; see {@link FleetRecords#read}.
     *
     * @param store the store
     * @param keyPrefix the coordination objects' key prefix
     * @param lease a checked lease name
     * @param group a checked group name
     * @return what the objects say
     * @throws DrException {@code INVALID_ARGUMENT} for an invalid key prefix; a storage failure
     */
    public static FleetRecords read(SnapshotStore store, String keyPrefix, String lease, String group) {
        try {
            StoreKeys.requireValidKey(keyPrefix);
        } catch (DrException e) {
            throw DrException.invalidArgument("keyPrefix", "must be a valid store key (" + e.getMessage() + ")",
                    keyPrefix);
        }
        List<Inconsistency> inconsistent = new ArrayList<>();
        Holding holding = newestHolding(store, keyPrefix + "/leases/" + lease + "/", inconsistent);
        List<Member> members = members(store, keyPrefix + "/members/" + group + "/", inconsistent);
        inconsistent.sort(Comparator.comparing(Inconsistency::key));
        return new FleetRecords(holding, members, inconsistent);
    }

    private static @Nullable Holding newestHolding(SnapshotStore store, String prefix, List<Inconsistency> out) {
        @Nullable ObjectInfo newest = null;
        long newestEpoch = 0;
        for (ObjectInfo info : listed(store, prefix)) {
            String rest = info.key().substring(prefix.length());
            if (rest.length() == 20 && rest.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                long epoch = Long.parseLong(rest);
                if (newest == null || epoch > newestEpoch) {
                    newest = info;
                    newestEpoch = epoch;
                }
            }
        }
        if (newest == null) {
            return null;
        }
        String key = newest.key();
        byte[] data = readOrNull(store, key);
        if (data == null) {
            return null; // deleted since the listing: nobody but an operator deletes the newest holding
        }
        LeaseRecord r;
        try {
            r = LeaseRecord.decode(key, data);
        } catch (DrException e) {
            out.add(new Inconsistency(key, e.getMessage()));
            return null;
        }
        if (r.epoch() != newestEpoch) {
            out.add(new Inconsistency(key, "The lease object " + key + " says epoch " + r.epoch()
                    + ", but its key says epoch " + newestEpoch));
            return null;
        }
        if (r.ttlMillis() <= 0) {
            out.add(new Inconsistency(key, "The lease object " + key + " says its TTL is " + r.ttlMillis()
                    + " ms, which is not > 0"));
            return null;
        }
        return new Holding(key, r.holder(), r.epoch(), Holding.Status.valueOf(r.status().name()), r.renewals(),
                Duration.ofMillis(r.ttlMillis()), newest.lastModified());
    }

    private static List<Member> members(SnapshotStore store, String prefix, List<Inconsistency> out) {
        List<Member> members = new ArrayList<>();
        for (ObjectInfo info : listed(store, prefix)) {
            String key = info.key();
            String id = key.substring(prefix.length());
            if (id.contains("/")) {
                continue;
            }
            byte[] data = readOrNull(store, key);
            if (data == null) {
                continue; // left since the listing
            }
            MemberRecord r;
            try {
                r = MemberRecord.decode(key, data);
            } catch (DrException e) {
                out.add(new Inconsistency(key, e.getMessage()));
                continue;
            }
            if (!r.member().equals(id)) {
                out.add(new Inconsistency(key, "The announcement " + key + " names member '" + r.member()
                        + "', but its key names '" + id + "'"));
                continue;
            }
            members.add(new Member(key, id, r.announcement(), info.lastModified()));
        }
        members.sort(Comparator.comparing(Member::memberId));
        return members;
    }

    private static List<ObjectInfo> listed(SnapshotStore store, String prefix) {
        try (Stream<ObjectInfo> listing = store.list(prefix)) {
            return listing.toList();
        }
    }

    private static byte @Nullable [] readOrNull(SnapshotStore store, String key) {
        try {
            return store.get(key);
        } catch (DrException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                return null;
            }
            throw e;
        }
    }
}
