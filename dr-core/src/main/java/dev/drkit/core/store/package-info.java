/**
 * Opening {@link dev.drkit.api.store.SnapshotStore}s: {@link dev.drkit.core.store.SnapshotStores}
 * resolves a URI to the provider installed for its scheme, and offers the built-in
 * {@code mem:} and {@code file:} stores directly.
 */
@NullMarked
package dev.drkit.core.store;

import org.jspecify.annotations.NullMarked;
