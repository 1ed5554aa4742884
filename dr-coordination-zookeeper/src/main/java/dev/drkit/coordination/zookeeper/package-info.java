/**
 * Leases with fencing epochs, shared state and membership on ZooKeeper through Apache Curator,
 * for fleets that outgrow coordination through their backup store. Open one with
 * {@link dev.drkit.coordination.zookeeper.ZooKeeperCoordinator#connect}, or by URI
 * ({@code zookeeper://zk1:2181,zk2:2181/orders}) through
 * {@link dev.drkit.core.coordination.Coordinators#open}.
 */
@NullMarked
package dev.drkit.coordination.zookeeper;

import org.jspecify.annotations.NullMarked;
