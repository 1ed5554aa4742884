package dev.drkit.coordination.zookeeper;

import dev.drkit.core.coordination.CoordinatorConfig;
import dev.drkit.core.store.SnapshotStores;
import dev.drkit.test.fleet.FleetMember;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One instance of a fleet coordinated through ZooKeeper, run as its own JVM by
 * {@link ZooKeeperFleetProcessesTest}: connects its {@link ZooKeeperCoordinator}, opens the
 * shared {@code file:} store its writer writes into, then runs {@link FleetMember}.
 *
 * <p>Arguments: connect string with chroot, store directory, member id, TTL ms, renew ms.
 */
public final class ZooKeeperFleetMember {
    private ZooKeeperFleetMember() {
    }

    /**
     * Runs the instance until {@code quit} or end of input.
     *
     * @param args connect string, store directory, member id, TTL ms, renew ms
     * @throws Exception when it cannot start
     */
    public static void main(String[] args) throws Exception {
        ZooKeeperCoordinator coordinator = ZooKeeperCoordinator.connect(args[0], CoordinatorConfig.builder(args[2])
                .ttl(Duration.ofMillis(Long.parseLong(args[3])))
                .renewInterval(Duration.ofMillis(Long.parseLong(args[4]))).build());
        FleetMember.run(coordinator, SnapshotStores.file(Path.of(args[1])), args[2]);
    }
}
