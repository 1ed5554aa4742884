/**
 * Recovery plans: a {@link dev.drkit.api.recovery.RecoveryPlan} is a DAG of {@link dev.drkit.api.recovery.RecoveryStep}s run in LIVE or DRILL {@link dev.drkit.api.recovery.ExecutionMode} against {@link dev.drkit.api.recovery.RecoveryObjectives}.
 */
@NullMarked
package dev.drkit.api.recovery;

import org.jspecify.annotations.NullMarked;
