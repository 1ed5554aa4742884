/**
 * Guarded releases with automatic and manual rollback: {@link dev.drkit.core.rollback.GuardedRelease}, its configuration tree, the sequential judge and versioned configuration values.
 */
@NullMarked
package dev.drkit.core.rollback;

import org.jspecify.annotations.NullMarked;
