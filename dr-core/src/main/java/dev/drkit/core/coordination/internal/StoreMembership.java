package dev.drkit.core.coordination.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.coordination.Membership;
import dev.drkit.api.store.ObjectInfo;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A group kept as one announcement object per member, {@code members/<group>/<memberId>},
 * rewritten every renew interval. An observer judges a member gone when its announcement's
 * etag has not changed for the TTL on the observer's own ticker, and then deletes it.
 */
final class StoreMembership implements Membership {
    private final StoreCoordinatorImpl c;
    private final String group;
    private final String prefix;
    private final String ownKey;
    /** Other members' last announcement etags and when this instance first saw each. */
    private final Map<String, Seen> seen = new HashMap<>();
    private boolean joined;
    private long announcements;
    private long nextAnnounce;

    private record Seen(String etag, long since) {
    }

    StoreMembership(StoreCoordinatorImpl c, String group) {
        this.c = c;
        this.group = group;
        this.prefix = c.key("members", group) + "/";
        this.ownKey = prefix + c.memberId();
    }

    @Override
    public String group() {
        return group;
    }

    @Override
    public synchronized void join() {
        c.ensureOpen();
        if (!joined) {
            announce();
            joined = true;
        }
    }

    @Override
    public synchronized void leave() {
        c.ensureOpen();
        leaveLocked();
    }

    @Override
    public synchronized SortedSet<String> members() {
        c.ensureOpen();
        SortedSet<String> live = new TreeSet<>();
        Map<String, ObjectInfo> listed = new HashMap<>();
        c.store().list(prefix).forEach(info -> listed.put(info.key().substring(prefix.length()), info));
        long now = c.now();
        seen.keySet().retainAll(listed.keySet());
        for (Map.Entry<String, ObjectInfo> e : listed.entrySet()) {
            String id = e.getKey();
            if (id.equals(c.memberId()) || id.contains("/")) {
                continue;
            }
            Seen before = seen.get(id);
            String etag = e.getValue().etag();
            if (before == null || !before.etag().equals(etag)) {
                seen.put(id, new Seen(etag, now));
                live.add(id);
            } else if (now - before.since() < c.expiryNanos()) {
                live.add(id);
            } else {
                forget(id, e.getValue());
            }
        }
        if (joined) {
            live.add(c.memberId());
        }
        return live;
    }

    /** Announces this member when due; a failure is logged and retried soon. */
    synchronized void tick() {
        if (!joined || c.now() - nextAnnounce < 0) {
            return;
        }
        try {
            announce();
        } catch (DrException e) {
            nextAnnounce = c.now() + c.renewNanos() / 5;
            StoreCoordinatorImpl.LOG.warn("Group {} of {}: {}", group, c.memberId(), e.getMessage());
        }
    }

    synchronized void closing() {
        try {
            leaveLocked();
        } catch (DrException e) {
            StoreCoordinatorImpl.LOG.warn("{} could not leave group {}; the others drop it after the TTL: {}",
                    c.memberId(), group, e.getMessage());
        }
    }

    private void leaveLocked() {
        if (joined) {
            joined = false;
            c.store().delete(ownKey);
        }
    }

    private void announce() {
        long start = c.now();
        announcements++;
        c.store().put(ownKey, new MemberRecord(c.memberId(), announcements).encode());
        nextAnnounce = start + c.renewNanos();
    }

    /** Deletes a silent member's announcement unless it announced itself since the listing. */
    private void forget(String id, ObjectInfo listed) {
        seen.remove(id);
        try {
            Optional<ObjectInfo> now = c.store().stat(listed.key());
            if (now.isPresent() && now.get().etag().equals(listed.etag())) {
                c.store().delete(listed.key());
            }
        } catch (DrException e) {
            StoreCoordinatorImpl.LOG.debug("Could not delete the silent member {} of group {}", id, group, e);
        }
    }
}
