/**
 * The {@code azblob://container/prefix} {@link dev.drkit.api.store.SnapshotStore} on azure-storage-blob: conditional writes with ETags, parallel block uploads and blob leases.
 */
@NullMarked
package dev.drkit.storage.azure;

import org.jspecify.annotations.NullMarked;
