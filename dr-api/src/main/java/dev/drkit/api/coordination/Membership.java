package dev.drkit.api.coordination;

import dev.drkit.api.DrException;
import java.util.SortedSet;

/**
 * A group of live instances: each member announces itself while it runs, and a member that
 * stops (leaves, crashes, is paused) drops out of the others' view.
 */
public interface Membership {

    /**
     * Returns the group's name.
     *
     * @return the name
     */
    String group();

    /**
     * Joins the group under this coordinator's member id and keeps announcing it; joining
     * twice does nothing more.
     *
     * @throws DrException a storage failure when the backend cannot be reached;
     *     {@code ILLEGAL_STATE} after the coordinator was closed
     */
    void join();

    /**
     * Leaves the group at once; does nothing when this instance is not a member.
     *
     * @throws DrException a storage failure when the backend cannot be reached (the other
     *     members then drop this one once its announcements stop); {@code ILLEGAL_STATE} after
     *     the coordinator was closed
     */
    void leave();

    /**
     * Reads the live members, as this instance observes them: those that joined and have
     * announced themselves within the TTL, and this instance while it is a member.
     *
     * @return the member ids, sorted
     * @throws DrException a storage failure when the backend cannot be reached;
     *     {@code ILLEGAL_STATE} after the coordinator was closed
     */
    SortedSet<String> members();
}
