/**
 * Routing calls to the instances of a dependency: {@link dev.drkit.core.routing.FailoverRouter}
 * sends them to a primary and switches to a standby when the primary's lease lapses or its
 * probes fail, handing the new epoch to {@link dev.drkit.api.recovery.Failover} and auditing
 * every switch; {@link dev.drkit.core.routing.BalancedGroup} spreads them over healthy
 * instances with outlier ejection and a retry budget.
 */
@NullMarked
package dev.drkit.core.routing;

import org.jspecify.annotations.NullMarked;
