/**
 * The {@link dev.drkit.api.store.SnapshotStore} contract suite: subclass
 * {@link dev.drkit.test.store.SnapshotStoreContract} and say how to make a fresh store.
 */
@NullMarked
package dev.drkit.test.store;

import org.jspecify.annotations.NullMarked;
