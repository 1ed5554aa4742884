package dev.drkit.storage.s3;

import dev.drkit.api.DrException;
import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.storage.s3.internal.S3ObjectStore;

/**
 * A {@link SnapshotStore} in an S3 bucket, with the few things only S3 offers: creating the
 * bucket and probing its health.
 *
 * <p>{@link #putIfAbsent} sends {@code If-None-Match: *} and {@link #replace} sends
 * {@code If-Match}, so they are atomic on S3 itself and on servers that honour conditional
 * writes; a server that refuses them makes these methods fail with {@code UNSUPPORTED}.
 * Objects above {@link S3StoreConfig#multipartThreshold()} are uploaded in parts, in parallel.
 * Transient failures (5xx, throttling, timeouts, lost connections) are retried with backoff
 * behind a circuit breaker.
 */
public interface S3Store extends SnapshotStore {

    /**
     * Opens a store; no request is sent until the first operation.
     *
     * @param config the settings
     * @return the store; the caller closes it
     * @throws DrException {@code INVALID_CONFIG} when no region is configured or found
     */
    static S3Store open(S3StoreConfig config) {
        return new S3ObjectStore(config);
    }

    /**
     * Creates the bucket unless it exists, as {@code dr init} does.
     *
     * @return true when the bucket was created, false when it existed already
     * @throws DrException {@code ACCESS_DENIED} when the credentials may not create it, or when
     *     the name is taken by another account; {@code UNAVAILABLE} when S3 cannot be reached
     */
    boolean createBucketIfMissing();

    /**
     * Checks that the server honours conditional writes, with a probe object under
     * {@code .dr-probe/} that is deleted afterwards: some S3-compatible servers ignore
     * {@code If-None-Match} and {@code If-Match} and would let two writers both "win".
     * {@code dr init} runs it once per repository.
     *
     * @throws DrException {@code UNSUPPORTED} naming the header the server ignores or refuses;
     *     a storage failure otherwise
     */
    void verifyConditionalWrites();

    /**
     * Returns a probe that checks that the bucket can be reached with the credentials:
     * DOWN when it cannot, DEGRADED when it can but the circuit breaker is still open or
     * probing after failures, UP otherwise.
     *
     * @return the probe, named {@code store:s3://bucket/prefix}
     */
    HealthProbe healthProbe();

    /**
     * Returns the settings of this store.
     *
     * @return the configuration
     */
    S3StoreConfig config();
}
