package dev.drkit.storage.s3;

import dev.drkit.api.DrException;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.api.store.SnapshotStoreProvider;
import java.net.URI;
import java.util.Set;

/** Opens {@code s3://bucket/prefix?options} URIs; found through {@link java.util.ServiceLoader}. */
public final class S3SnapshotStoreProvider implements SnapshotStoreProvider {

    /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
    public S3SnapshotStoreProvider() {
    }

    @Override
    public Set<String> schemes() {
        return Set.of("s3");
    }

    /**
     * Opens an S3 store; see {@link S3StoreConfig#fromUri(URI)} for the options.
     *
     * @param uri the location
     * @return an {@link S3Store}
     * @throws DrException {@code INVALID_CONFIG} for a malformed URI or option
     */
    @Override
    public SnapshotStore open(URI uri) {
        return S3Store.open(S3StoreConfig.fromUri(uri));
    }
}
