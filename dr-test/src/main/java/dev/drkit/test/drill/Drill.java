package dev.drkit.test.drill;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.audit.AuditLog;
import dev.drkit.core.audit.AuditLogConfig;
import dev.drkit.core.incident.IncidentManager;
import dev.drkit.core.recovery.RecoveryExecutor;
import dev.drkit.core.store.SnapshotStores;
import dev.drkit.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;

/**
 * Everything a drill needs, wired together: a manual clock, an in-memory store, an audit log
 * in it, a recovery executor with a journal, and an incident manager. Injected by
 * {@link DrillExtension}, which closes it and checks that the audit log verifies after each test.
 */
public final class Drill implements AutoCloseable {
    /** The time every drill starts at. */
    public static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    private final ManualClock clock = ManualClock.at(START);
    private final SnapshotStore store = SnapshotStores.memory();
    private final AuditLog audit = AuditLog.store(store, "audit", AuditLogConfig.DEFAULT);
    private final RecoveryExecutor executor = RecoveryExecutor.builder().clock(clock).audit(audit)
            .journal(store, "executions").pollInterval(Duration.ofMillis(1)).build();
    private final IncidentManager incidents = IncidentManager.builder().clock(clock).audit(audit).build();

    /** Creates a drill. */
    public Drill() {
    }

    /**
     * Returns the manual clock that everything uses.
     *
     * @return the clock
     */
    public ManualClock clock() {
        return clock;
    }

    /**
     * Returns the in-memory store that holds the audit log and the journal.
     *
     * @return the store
     */
    public SnapshotStore store() {
        return store;
    }

    /**
     * Returns the audit log.
     *
     * @return the log
     */
    public AuditLog audit() {
        return audit;
    }

    /**
     * Returns the recovery executor.
     *
     * @return the executor
     */
    public RecoveryExecutor executor() {
        return executor;
    }

    /**
     * Returns the incident manager.
     *
     * @return the manager
     */
    public IncidentManager incidents() {
        return incidents;
    }

    @Override
    public void close() {
        executor.close();
        audit.close();
    }
}
