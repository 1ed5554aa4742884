package dev.drkit.test.acceptance;

import dev.drkit.core.audit.AuditLog;
import dev.drkit.core.recovery.ExecutionRequest;
import dev.drkit.core.recovery.RecoveryExecutor;
import dev.drkit.core.store.SnapshotStores;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/** The recovery process that the acceptance test kills midway. */
public final class OrdersRecoveryMain {
    private OrdersRecoveryMain() {
    }

    /**
     * Runs the orders recovery.
     *
     * @param args root directory, mode, execution id, detection time, incident id, step to hang at
     */
    public static void main(String[] args) {
        Path root = Path.of(args[0]);
        OrdersRecovery orders = new OrdersRecovery(root, SnapshotStores.file(root.resolve("backups")));
        try (AuditLog audit = AuditLog.file(root.resolve("audit.jsonl"));
                RecoveryExecutor executor = RecoveryExecutor.builder().audit(audit)
                        .journal(SnapshotStores.file(root.resolve("state")), "executions").build()) {
            ExecutionRequest request = (args[1].equals("DRILL") ? ExecutionRequest.drill() : ExecutionRequest.live())
                    .by("oncall-alice").withId(args[2]).detectedAt(Instant.parse(args[3])).forIncident(args[4]);
            executor.run(orders.plan(args[5]), request, Duration.ofHours(1));
        }
    }
}
