package dev.drkit.storage.azure;

import dev.drkit.api.DrException;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.api.store.SnapshotStoreProvider;
import java.net.URI;
import java.util.Set;

/** Opens {@code azblob://container/prefix?options} URIs; found through {@link java.util.ServiceLoader}. */
public final class AzureSnapshotStoreProvider implements SnapshotStoreProvider {

    /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
    public AzureSnapshotStoreProvider() {
    }

    @Override
    public Set<String> schemes() {
        return Set.of("azblob");
    }

    /**
     * Opens an Azure Blob store with credentials from the environment; see
     * {@link AzureBlobStoreConfig#fromUri(URI, java.util.Map)}.
     *
     * @param uri the location
     * @return an {@link AzureBlobStore}
     * @throws DrException {@code INVALID_CONFIG} for a malformed URI or missing credentials
     */
    @Override
    public SnapshotStore open(URI uri) {
        return AzureBlobStore.open(AzureBlobStoreConfig.fromUri(uri));
    }
}
