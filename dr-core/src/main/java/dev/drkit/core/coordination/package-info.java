/**
 * The default {@link dev.drkit.api.coordination.Coordinator}: leases, shared state and
 * membership kept in a {@link dev.drkit.api.store.SnapshotStore} by its conditional writes, so
 * that a fleet needs nothing beyond the store it backs up into. Open one with
 * {@link dev.drkit.core.coordination.StoreCoordinator#open}; the protocol, its safety and
 * liveness bounds and its request costs are described on
 * {@link dev.drkit.core.coordination.StoreCoordinator}. Other backends, such as ZooKeeper in
 * {@code dr-coordination-zookeeper}, are opened by URI through
 * {@link dev.drkit.core.coordination.Coordinators}, which finds their
 * {@link dev.drkit.core.coordination.CoordinatorProvider} with {@link java.util.ServiceLoader}.
 * {@link dev.drkit.core.coordination.FleetRecords} reads a store's coordination objects once,
 * without taking part, for operators' tools such as {@code dr fleet status}.
 */
@NullMarked
package dev.drkit.core.coordination;

import org.jspecify.annotations.NullMarked;
