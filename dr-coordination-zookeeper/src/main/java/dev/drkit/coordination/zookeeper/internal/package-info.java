/** The ZooKeeper coordinator's leases, states, groups and URI parsing; not an API. */
@NullMarked
package dev.drkit.coordination.zookeeper.internal;

import org.jspecify.annotations.NullMarked;
