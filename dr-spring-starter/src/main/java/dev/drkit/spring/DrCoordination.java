package dev.drkit.spring;

import dev.drkit.api.DrException;
import dev.drkit.api.coordination.Coordinator;
import dev.drkit.api.coordination.LeaseHolder;
import java.util.Optional;
import java.util.SortedSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This instance's place in its fleet: the {@link Coordinator} the starter opened, the group it
 * joined at start-up ({@code dr.coordination.group}) and the lease whose holder the endpoint and
 * the health contributor show ({@code dr.coordination.lease}).
 */
public final class DrCoordination {
    private static final Logger LOG = LoggerFactory.getLogger(DrCoordination.class);

    private final Coordinator coordinator;
    private final String backend;
    private final String group;
    private final String lease;

    /**
     * Joins the group; a backend that cannot be reached now is logged, and the coordinator
     * joins when it can.
     *
     * @param coordinator the coordinator
     * @param backend what the coordinator runs on, for people: a redacted store or ZooKeeper URI
     * @param group the group to join
     * @param lease the lease to show
     */
    public DrCoordination(Coordinator coordinator, String backend, String group, String lease) {
        this.coordinator = coordinator;
        this.backend = backend;
        this.group = group;
        this.lease = lease;
        try {
            coordinator.membership(group).join();
        } catch (DrException e) {
            LOG.warn("Instance {} could not join fleet group {} yet: {}", coordinator.memberId(), group,
                    e.getMessage());
        }
    }

    /**
     * Returns the coordinator.
     *
     * @return the coordinator
     */
    public Coordinator coordinator() {
        return coordinator;
    }

    /**
     * Reads the fleet's state from the backend: the lease's holder and the group's members.
     *
     * @return the status
     * @throws DrException a storage or ZooKeeper failure when the backend cannot be reached
     */
    public FleetStatus status() {
        Optional<LeaseHolder> holder = coordinator.lease(lease).holder();
        SortedSet<String> members = coordinator.membership(group).members();
        return new FleetStatus(backend, coordinator.memberId(), group, lease, holder, members);
    }

    /**
     * The fleet as this instance sees it.
     *
     * @param backend what the coordinator runs on
     * @param self this instance's member id
     * @param group the group's name
     * @param lease the lease's name
     * @param holder the lease's holder and epoch, if anybody holds it
     * @param members the live members, sorted
     */
    public record FleetStatus(String backend, String self, String group, String lease, Optional<LeaseHolder> holder,
            SortedSet<String> members) {
    }
}
