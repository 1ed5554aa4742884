/**
 * The {@link dev.drkit.api.coordination.Coordinator} contract suite: subclass
 * {@link dev.drkit.test.coordination.CoordinatorContract} for any implementation, or
 * {@link dev.drkit.test.coordination.StoreCoordinationContract} to check that a
 * {@link dev.drkit.api.store.SnapshotStore} carries the store-backed coordinator.
 */
@NullMarked
package dev.drkit.test.coordination;

import org.jspecify.annotations.NullMarked;
