package dev.drkit.api.store;

import dev.drkit.api.DrException;
import java.time.Instant;
import java.util.Objects;

/**
 * What a {@link SnapshotStore} knows about one stored object.
 *
 * @param key the object's key
 * @param size its length in bytes
 * @param etag an opaque version tag that changes whenever the object is written; pass it to
 *     {@link SnapshotStore#replace(String, byte[], String)}
 * @param lastModified when the object was last written, as the store reports it
 */
public record ObjectInfo(String key, long size, String etag, Instant lastModified) {
    /**
     * Validates the fields.
     *
     * @throws DrException {@code INVALID_ARGUMENT} when size is negative or etag is empty
     */
    public ObjectInfo {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(etag, "etag");
        Objects.requireNonNull(lastModified, "lastModified");
        if (size < 0) {
            throw DrException.invalidArgument("size", "must be >= 0", size);
        }
        if (etag.isEmpty()) {
            throw DrException.invalidArgument("etag", "must not be empty", "\"\"");
        }
    }
}
