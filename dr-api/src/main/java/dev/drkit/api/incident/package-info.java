/**
 * Incidents: {@link dev.drkit.api.incident.Severity}, {@link dev.drkit.api.incident.FaultType} and the {@link dev.drkit.api.incident.Incident} record with its timeline.
 */
@NullMarked
package dev.drkit.api.incident;

import org.jspecify.annotations.NullMarked;
