/**
 * Object storage for repositories, journals and audit logs: the {@link dev.drkit.api.store.SnapshotStore} SPI and the {@link dev.drkit.api.store.SnapshotStoreProvider}s that open stores by URI scheme.
 */
@NullMarked
package dev.drkit.api.store;

import org.jspecify.annotations.NullMarked;
