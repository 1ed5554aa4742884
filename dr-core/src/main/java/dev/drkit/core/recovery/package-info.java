/**
 * Recovery plans and their execution: a validated DAG of steps run LIVE or as a DRILL, with retries, timeouts, approvals, compensation, verification, a crash-safe journal and measured RTO and RPO.
 */
@NullMarked
package dev.drkit.core.recovery;

import org.jspecify.annotations.NullMarked;
