package dev.drkit.api.store;

import dev.drkit.api.DrException;
import java.net.URI;
import java.util.Set;

/**
 * Opens {@link SnapshotStore}s for the URI schemes it owns, such as {@code file} or {@code s3}.
 *
 * <p>Providers are found with {@link java.util.ServiceLoader}: a store module lists its
 * provider in {@code META-INF/services/dev.drkit.api.store.SnapshotStoreProvider}. A provider
 * must have a public no-argument constructor and be thread-safe.
 */
public interface SnapshotStoreProvider {

    /**
     * Returns the lowercase URI schemes this provider opens.
     *
     * @return one or more schemes, such as {@code Set.of("s3")}
     */
    Set<String> schemes();

    /**
     * Opens a store for a URI with one of this provider's schemes.
     *
     * @param uri the location, with options in its query string
     * @return the open store; the caller closes it
     * @throws DrException {@code INVALID_CONFIG} for a malformed URI or option, naming it and
     *     with credentials removed; {@code UNAVAILABLE} or {@code ACCESS_DENIED} when the
     *     storage cannot be reached or refuses the credentials
     */
    SnapshotStore open(URI uri);
}
