package dev.drkit.api.store;

import java.util.Objects;

/**
 * An object's content together with what the store knew of it when that content was read:
 * {@link ObjectInfo#etag()} is the ETag of exactly these bytes, so a
 * {@link SnapshotStore#replace} with it succeeds only when nobody wrote the object since.
 *
 * <p>The array is the caller's; it is not copied.
 *
 * @param info the object's metadata, as of the read
 * @param data its content
 */
public record StoredObject(ObjectInfo info, byte[] data) {

    /**
     * Checks that neither part is null.
     *
     * @param info the object's metadata, as of the read
     * @param data its content
     */
    public StoredObject {
        Objects.requireNonNull(info, "info");
        Objects.requireNonNull(data, "data");
    }

    /**
     * Returns the ETag the content was read at.
     *
     * @return {@code info().etag()}
     */
    public String etag() {
        return info.etag();
    }
}
