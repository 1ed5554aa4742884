/**
 * Coordination of the instances of one service: {@link dev.drkit.api.coordination.Lease}s with
 * a fencing epoch, a small versioned {@link dev.drkit.api.coordination.SharedState} with
 * compare-and-set and change notification, and {@link dev.drkit.api.coordination.Membership}
 * of live instances, all reached through a {@link dev.drkit.api.coordination.Coordinator}.
 *
 * <p>Safety (one holder per epoch, stale epochs refused, no lost or reordered change) never
 * rests on synchronized clocks; an implementation states which timing assumptions its
 * liveness (how soon a dead holder is replaced, how soon a change is seen) needs. Every
 * implementation passes {@code dev.drkit.test.coordination.CoordinatorContract}.
 */
@NullMarked
package dev.drkit.api.coordination;

import org.jspecify.annotations.NullMarked;
