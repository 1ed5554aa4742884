/**
 * DR Kit's implementations: the repository engine, the rollback engine, the plan executor,
 * audit, incidents, configuration and the local stores. Public entry points are builders and
 * small final classes; implementations live in {@code internal} packages.
 */
@NullMarked
package dev.drkit.core;

import org.jspecify.annotations.NullMarked;
