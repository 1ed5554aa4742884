package dev.drkit.coordination.zookeeper.internal;

import dev.drkit.api.coordination.Membership;
import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/** A group as one ephemeral node per member, {@code members/<group>/<memberId>}, made again after a session is lost. */
final class ZkMembership implements Membership {
    private final ZkCoordinator c;
    private final String group;
    private final String dir;
    private final String self;
    private volatile boolean joined;

    ZkMembership(ZkCoordinator c, String group) {
        this.c = c;
        this.group = group;
        this.dir = c.path("members", group);
        this.self = dir + "/" + c.memberName();
    }

    @Override
    public String group() {
        return group;
    }

    @Override
    public synchronized void join() {
        c.ensureOpen();
        joined = true;
        announce();
    }

    @Override
    public synchronized void leave() {
        c.ensureOpen();
        if (!joined) {
            return;
        }
        joined = false;
        remove();
    }

    @Override
    public SortedSet<String> members() {
        c.ensureOpen();
        SortedSet<String> members = new TreeSet<>();
        try {
            members.addAll(c.client().getChildren().forPath(dir));
        } catch (KeeperException.NoNodeException e) {
            // nobody joined yet
        } catch (Exception e) {
            throw c.failure("list group " + group, e);
        }
        if (joined) {
            members.add(c.memberName());
        }
        return Collections.unmodifiableSortedSet(members);
    }

    /** Makes this member's node again when it is missing (a new session); failures are retried later. */
    synchronized void tick() {
        if (!joined || c.closed()) {
            return;
        }
        try {
            announce();
        } catch (RuntimeException e) {
            ZkCoordinator.LOG.warn("Group {} of {}: {}", group, c.memberName(), e.getMessage());
        }
    }

    void closing() {
        synchronized (this) {
            if (!joined) {
                return;
            }
            joined = false;
        }
        try {
            remove();
        } catch (RuntimeException e) {
            ZkCoordinator.LOG.warn("Group {} of {} could not be left; the node ends with the session: {}",
                    group, c.memberName(), e.getMessage());
        }
    }

    private void announce() {
        try {
            Stat stat = c.client().checkExists().forPath(self);
            if (stat != null) {
                return; // this session's node, or an older session's that is about to expire
            }
            c.client().create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL)
                    .forPath(self, ZkCoordinator.bytes(c.memberName()));
        } catch (KeeperException.NodeExistsException e) {
            // made meanwhile
        } catch (Exception e) {
            throw c.failure("join group " + group, e);
        }
    }

    private void remove() {
        try {
            Stat stat = c.client().checkExists().forPath(self);
            if (stat != null && stat.getEphemeralOwner() == c.sessionId()) {
                c.client().delete().withVersion(stat.getVersion()).forPath(self);
            }
        } catch (KeeperException.NoNodeException | KeeperException.BadVersionException e) {
            // gone already
        } catch (Exception e) {
            throw c.failure("leave group " + group, e);
        }
    }
}
