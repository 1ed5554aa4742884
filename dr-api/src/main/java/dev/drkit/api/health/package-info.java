/**
 * Health probes: a {@link dev.drkit.api.health.HealthProbe} answers UP, DEGRADED or DOWN with a detail and the latency it took.
 */
@NullMarked
package dev.drkit.api.health;

import org.jspecify.annotations.NullMarked;
