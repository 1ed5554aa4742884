/**
 * Incidents: opened by rollbacks, probes, alerts or operators, classified by rules, acknowledged, assigned, escalated, notified and resolved, with a timeline and audit records.
 */
@NullMarked
package dev.drkit.core.incident;

import org.jspecify.annotations.NullMarked;
