package dev.drkit.core.recovery;

import dev.drkit.api.recovery.StepContext;
import java.time.Instant;

/**
 * Restores data for the built-in restore step: from a snapshot repository, a replica, a
 * dump. Given the step's context, it restores (LIVE) or checks that it could restore, for
 * example into a scratch directory (DRILL), and says when the restored data was captured.
 */
@FunctionalInterface
public interface Restorer {

    /**
     * Restores, or rehearses a restore in a DRILL.
     *
     * @param context the step's context: mode, idempotency key, clock
     * @return when the restored data was captured, such as the snapshot's time; the execution
     *     measures the achieved RPO from it
     * @throws Exception when the restore failed
     */
    Instant restore(StepContext context) throws Exception;
}
