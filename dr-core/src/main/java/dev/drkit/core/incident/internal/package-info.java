/**
 * Implementation of the built-in notifiers.
 */
@NullMarked
package dev.drkit.core.incident.internal;

import org.jspecify.annotations.NullMarked;
