package dev.drkit.coordination.zookeeper.internal;

import dev.drkit.api.coordination.Coordinator;
import dev.drkit.coordination.zookeeper.ZooKeeperCoordinator;
import dev.drkit.core.coordination.CoordinatorConfig;
import dev.drkit.core.coordination.CoordinatorProvider;
import java.net.URI;
import java.util.Set;

/** Opens {@code zookeeper://host:port,host:port/chroot} coordinators for {@link dev.drkit.core.coordination.Coordinators}. */
public final class ZooKeeperCoordinatorProvider implements CoordinatorProvider {

    /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
    public ZooKeeperCoordinatorProvider() {
    }

    @Override
    public Set<String> schemes() {
        return Set.of(ZkUri.SCHEME);
    }

    @Override
    public Coordinator open(URI uri, CoordinatorConfig config) {
        return ZooKeeperCoordinator.connect(uri, config);
    }
}
