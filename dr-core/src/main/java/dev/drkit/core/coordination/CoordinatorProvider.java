package dev.drkit.core.coordination;

import dev.drkit.api.DrException;
import dev.drkit.api.coordination.Coordinator;
import java.net.URI;
import java.util.Set;

/**
 * Opens {@link Coordinator}s on a coordination service named by URI scheme, such as
 * {@code zookeeper://zk1:2181,zk2:2181/orders}.
 *
 * <p>Providers are found with {@link java.util.ServiceLoader} by {@link Coordinators#open}: a
 * module lists its provider in
 * {@code META-INF/services/dev.drkit.core.coordination.CoordinatorProvider}, so that the
 * starter and the CLI can open a coordinator from text without depending on the module. A
 * provider has a public no-argument constructor and is thread-safe.
 */
public interface CoordinatorProvider {

    /**
     * Returns the lowercase URI schemes this provider opens.
     *
     * @return one or more schemes, such as {@code Set.of("zookeeper")}
     */
    Set<String> schemes();

    /**
     * Connects to the service a URI names and opens a coordinator on it.
     *
     * @param uri the service, with one of this provider's schemes
     * @param config the member id, TTL, renew and poll intervals to use
     * @return the open coordinator; the caller closes it
     * @throws DrException {@code INVALID_CONFIG} naming the URI when it is malformed;
     *     {@code UNAVAILABLE} naming it when the service cannot be reached
     */
    Coordinator open(URI uri, CoordinatorConfig config);
}
