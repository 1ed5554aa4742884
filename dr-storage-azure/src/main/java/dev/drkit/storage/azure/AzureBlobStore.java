package dev.drkit.storage.azure;

import dev.drkit.api.DrException;
import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.storage.azure.internal.AzureObjectStore;
import java.time.Duration;
import java.util.Optional;

/**
 * A {@link SnapshotStore} in an Azure Blob Storage container, with what only Azure offers:
 * creating the container, blob leases for leader election, and a health probe.
 *
 * <p>{@link #putIfAbsent} sends {@code If-None-Match: *} and {@link #replace} sends
 * {@code If-Match} with the blob's ETag, so both are atomic on the service. Blobs above
 * {@link AzureBlobStoreConfig#singleUploadThreshold()} are staged as blocks in parallel and
 * committed in one request, so readers never see a partial blob. Transient failures (5xx,
 * throttling, timeouts, lost connections) are retried with backoff behind a circuit breaker.
 */
public interface AzureBlobStore extends SnapshotStore {

    /**
     * Opens a store; no request is sent until the first operation.
     *
     * @param config the settings
     * @return the store; the caller closes it
     * @throws DrException {@code INVALID_CONFIG} for a malformed connection string
     */
    static AzureBlobStore open(AzureBlobStoreConfig config) {
        return new AzureObjectStore(config);
    }

    /**
     * Creates the container unless it exists, as {@code dr init} does.
     *
     * @return true when the container was created, false when it existed
     * @throws DrException {@code ACCESS_DENIED} when the credentials may not create it;
     *     {@code UNAVAILABLE} when the service cannot be reached
     */
    boolean createContainerIfMissing();

    /**
     * Tries to take the lease of a blob, creating the blob empty when it is missing: of
     * several processes calling this for one key, one holds the lease until it releases it or
     * stops renewing it, which makes it the leader.
     *
     * <p>While leased, the blob can be written only through {@link BlobLease#write(byte[])};
     * use a key of its own for each election (such as {@code leases/compactor}).
     *
     * @param key the blob's key
     * @param duration how long the lease lasts without renewal: 15 to 60 seconds
     * @return the lease, or empty when someone else holds it
     * @throws DrException {@code INVALID_ARGUMENT} for a duration outside 15 to 60 seconds;
     *     {@code INVALID_KEY} for an invalid key; a storage failure otherwise
     */
    Optional<BlobLease> tryAcquireLease(String key, Duration duration);

    /**
     * Returns a probe that checks that the container can be reached with the credentials:
     * DOWN when it cannot, DEGRADED when it can but the circuit breaker is still open or
     * probing after failures, UP otherwise.
     *
     * @return the probe, named {@code store:azblob://container/prefix}
     */
    HealthProbe healthProbe();

    /**
     * Returns the settings of this store.
     *
     * @return the configuration
     */
    AzureBlobStoreConfig config();
}
