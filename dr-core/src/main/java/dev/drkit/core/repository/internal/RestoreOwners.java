package dev.drkit.core.repository.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives restored entries the owner and group their snapshot recorded, by numeric id, when the
 * restore runs as root (as restic and borg do). An entry this restore creates already belongs
 * to the restoring process's user and to the group new entries get in its directory (the
 * process's group, or the directory's own when it is set-group-id); an id equal to that costs
 * no call, so restoring root's files as root changes nothing. A restore not run as root, or
 * told not to, leaves every entry the restoring user's, silently.
 */
final class RestoreOwners {
    private static final Logger LOG = LoggerFactory.getLogger(RestoreOwners.class);
    /** A group not known: an entry's group is set whenever the snapshot recorded one. */
    static final long UNKNOWN = -2;
    private static final int S_ISGID = 02000;

    /**
     * Who owns a directory of the restore, and the group entries created in it get.
     *
     * @param uid its owner, or {@link #UNKNOWN}
     * @param gid its group, or {@link #UNKNOWN}
     * @param newGid the group of entries created in it, or {@link #UNKNOWN}
     */
    record Dir(long uid, long gid, long newGid) {
    }

    private static final Dir NONE = new Dir(UNKNOWN, UNKNOWN, UNKNOWN);

    private final boolean active;
    /** The restoring process's user: the owner of every entry it creates. */
    private final long uid;
    /** The restoring process's group, or {@link #UNKNOWN} when the target hid it (set-group-id). */
    private final long gid;
    private final AtomicBoolean warned = new AtomicBoolean();

    private RestoreOwners(boolean active, long uid, long gid) {
        this.active = active;
        this.uid = uid;
        this.gid = gid;
    }

    /** Returns owners that are never set. @return inactive owners */
    static RestoreOwners off() {
        return new RestoreOwners(false, UNKNOWN, UNKNOWN);
    }

    /**
     * Decides, once per restore, whether owners are set.
     *
     * @param wanted whether the options ask for owners
     * @param newUid the owner of a file just created in the target, or -1 when unknown
     * @param newGid its group, or -1 when unknown
     * @param target the target directory (its set-group-id bit decides whether {@code newGid}
     *     is the process's group)
     * @return the owners to apply, inactive unless wanted and {@code newUid} is root's
     */
    static RestoreOwners of(boolean wanted, long newUid, long newGid, Path target) {
        if (!wanted || newUid != 0 || newGid < 0) {
            return off();
        }
        try {
            int mode = (Integer) Files.getAttribute(target, "unix:mode");
            return new RestoreOwners(true, newUid, (mode & S_ISGID) == 0 ? newGid : UNKNOWN);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return new RestoreOwners(true, newUid, UNKNOWN);
        }
    }

    /**
     * Returns who owns a directory that was there before the restore (one {@code stat} when
     * active).
     *
     * @param dir the directory
     * @param options {@code NOFOLLOW_LINKS} below the target; none for the target itself, which
     *     may be a link to the caller's directory
     * @return its owners, all unknown when inactive or unreadable
     */
    Dir existing(Path dir, LinkOption... options) {
        if (!active) {
            return NONE;
        }
        try {
            Map<String, Object> a = Files.readAttributes(dir, "unix:mode,uid,gid", options);
            long dirGid = Integer.toUnsignedLong((Integer) a.get("gid"));
            boolean setGid = ((Integer) a.get("mode") & S_ISGID) != 0;
            return new Dir(Integer.toUnsignedLong((Integer) a.get("uid")), dirGid, setGid ? dirGid : gid);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return NONE;
        }
    }

    /**
     * Returns who owns a directory this restore created in {@code parent}: the process, and the
     * group of new entries there, which its own new entries get too (a directory made in a
     * set-group-id one is set-group-id).
     *
     * @param parent the parent's owners
     * @return the new directory's
     */
    Dir created(Dir parent) {
        return active ? new Dir(uid, parent.newGid(), parent.newGid()) : NONE;
    }

    /** Returns the owner of the entries this restore creates. @return the uid, or {@link #UNKNOWN} */
    long newUid() {
        return uid;
    }

    /**
     * Sets an entry's owner and group (never following a link) to those its node recorded, each
     * only when recorded and not what the entry has. Call it before the mode is set: a change of
     * owner clears a file's set-user-id and set-group-id bits. A refusal is logged (the first as
     * a warning) and the restore goes on, as for permissions.
     *
     * @param path the restored entry
     * @param node its node
     * @param hasUid the owner it has, or {@link #UNKNOWN}
     * @param hasGid the group it has, or {@link #UNKNOWN}
     */
    void apply(Path path, Tree.Node node, long hasUid, long hasGid) {
        if (!active) {
            return;
        }
        try {
            if (node.uid() >= 0 && node.uid() != hasUid) {
                Files.setAttribute(path, "unix:uid", (int) node.uid(), LinkOption.NOFOLLOW_LINKS);
            }
            if (node.gid() >= 0 && node.gid() != hasGid) {
                Files.setAttribute(path, "unix:gid", (int) node.gid(), LinkOption.NOFOLLOW_LINKS);
            }
        } catch (IOException | UnsupportedOperationException e) {
            if (warned.compareAndSet(false, true)) {
                LOG.warn("Cannot give {} its owner {} and group {}: {} (further failures are logged at DEBUG)",
                        path, node.uid(), node.gid(), e instanceof IOException io ? BackupRun.reasonOf(io) : e.toString());
            } else {
                LOG.debug("Cannot give {} its owner {} and group {}", path, node.uid(), node.gid(), e);
            }
        }
    }
}
