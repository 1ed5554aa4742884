package dev.drkit.storage.azure;

import dev.drkit.api.DrException;
import dev.drkit.api.store.ObjectInfo;
import java.time.Duration;
import java.util.Optional;

/**
 * A held lease on one blob: the holder is the leader until it releases the lease or fails to
 * renew it within {@link #duration()}. Renew at about a third of the duration.
 */
public interface BlobLease extends AutoCloseable {

    /**
     * Returns the leased blob's key.
     *
     * @return the key
     */
    String key();

    /**
     * Returns the lease's identifier, which the service checks on every write.
     *
     * @return the lease id
     */
    String leaseId();

    /**
     * Returns how long the lease lasts without renewal.
     *
     * @return the duration
     */
    Duration duration();

    /**
     * Extends the lease by its duration from now.
     *
     * @return true when the lease is still held, false when it was lost (it expired and
     *     another process took it, or it was broken)
     * @throws DrException a storage failure, such as {@code UNAVAILABLE}
     */
    boolean renew();

    /**
     * Writes the leased blob, for example the leader's identity and term, under the lease.
     *
     * @param data the new content
     * @return the written blob, or empty when the lease was lost
     * @throws DrException a storage failure, such as {@code UNAVAILABLE}
     */
    Optional<ObjectInfo> write(byte[] data);

    /**
     * Gives the lease up at once so that another process can take it; releasing a lost or
     * released lease does nothing.
     *
     * @throws DrException a storage failure, such as {@code UNAVAILABLE}
     */
    void release();

    /** Releases the lease, ignoring a lease that is already lost. */
    @Override
    void close();
}
