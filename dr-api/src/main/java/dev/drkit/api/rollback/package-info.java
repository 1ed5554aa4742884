/**
 * Guarded releases and automatic rollback: a {@link dev.drkit.api.rollback.Guard} routes calls between a stable and a candidate version, a {@link dev.drkit.api.rollback.Judge} turns observations into a {@link dev.drkit.api.rollback.Verdict}, and {@link dev.drkit.api.rollback.RollbackTrigger}s ask for rollbacks.
 */
@NullMarked
package dev.drkit.api.rollback;

import org.jspecify.annotations.NullMarked;
