/**
 * Implementation of the rollback engine: routing state, per-version recorders, the calibrated sequential test and the latency histogram.
 */
@NullMarked
package dev.drkit.core.rollback.internal;

import org.jspecify.annotations.NullMarked;
