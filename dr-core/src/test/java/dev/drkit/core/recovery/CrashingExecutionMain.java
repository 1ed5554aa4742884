package dev.drkit.core.recovery;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.store.SnapshotStores;
import java.nio.file.Path;
import java.time.Duration;

/** A child process that runs the crash plan with a journal and hangs at a step until it is killed. */
public final class CrashingExecutionMain {
    private CrashingExecutionMain() {
    }

    /**
     * Runs the plan.
     *
     * @param args journal directory, effects file, step to hang at, marker file, execution id, mode
     */
    public static void main(String[] args) {
        SnapshotStore store = SnapshotStores.file(Path.of(args[0]));
        RecoveryExecutor executor = RecoveryExecutor.builder().journal(store, "executions").build();
        Plan plan = CrashPlans.plan(Path.of(args[1]), args[2], Path.of(args[3]));
        ExecutionRequest request = args[5].equals("DRILL") ? ExecutionRequest.drill() : ExecutionRequest.live();
        executor.run(plan, request.withId(args[4]), Duration.ofHours(1));
    }
}
