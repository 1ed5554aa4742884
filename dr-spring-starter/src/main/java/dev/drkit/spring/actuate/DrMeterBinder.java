package dev.drkit.spring.actuate;

import dev.drkit.api.rollback.Guard;
import dev.drkit.api.rollback.GuardState;
import dev.drkit.core.audit.AuditDigest;
import dev.drkit.core.audit.AuditLog;
import dev.drkit.spring.DrBackups;
import dev.drkit.spring.DrGuards;
import dev.drkit.spring.DrJournals;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Registers DR Kit's {@code dr.*} gauges: each guard's candidate weight ({@code dr.guard.weight},
 * the gauge a {@code GuardedRelease} registers itself, here for every guard), its state (1 for
 * the current state, 0 for the others) and whether its rollback awaits acknowledgement, the time
 * of the last successful backup ({@code dr.backup.last.success}), for each journal of continuous
 * protection whether another writer took its writer lock over ({@code dr.backup.journal.writer.lock.lost},
 * tag {@code source}) and the audit log's head sequence number.
 */
public final class DrMeterBinder implements MeterBinder {
    private final DrGuards guards;
    private final @Nullable AuditLog audit;
    private final @Nullable DrBackups backups;
    private final @Nullable DrJournals journals;

    /**
     * Creates the binder.
     *
     * @param guards the guards
     * @param audit the audit log, or null when there is none
     * @param backups the scheduled backups, or null when there is no repository
     */
    public DrMeterBinder(DrGuards guards, @Nullable AuditLog audit, @Nullable DrBackups backups) {
        this(guards, audit, backups, null);
    }

    /**
     * Creates the binder, with the journals of continuous protection.
     *
     * @param guards the guards
     * @param audit the audit log, or null when there is none
     * @param backups the scheduled backups, or null when there is no repository
     * @param journals the journals, or null when continuous protection is off
     */
    public DrMeterBinder(DrGuards guards, @Nullable AuditLog audit, @Nullable DrBackups backups,
            @Nullable DrJournals journals) {
        this.guards = guards;
        this.audit = audit;
        this.backups = backups;
        this.journals = journals;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (Map.Entry<String, Guard<?>> e : guards.all().entrySet()) {
            String name = e.getKey();
            Guard<?> guard = e.getValue();
            // the gauge a GuardedRelease given this registry has registered already; other guards get one here
            if (registry.find("dr.guard.weight").tag("guard", name).gauge() == null) {
                Gauge.builder("dr.guard.weight", guard, Guard::candidateWeight)
                        .tag("guard", name)
                        .description("Share of calls routed to the candidate")
                        .register(registry);
            }
            for (GuardState s : GuardState.values()) {
                Gauge.builder("dr.guard.state", guard, g -> g.state() == s ? 1 : 0)
                        .tag("guard", name).tag("state", s.name())
                        .description("1 for the guard's current rollout state, 0 for the others")
                        .register(registry);
            }
            Gauge.builder("dr.guard.rollback.unacknowledged", guards, r -> r.awaitingAcknowledgement(name) ? 1 : 0)
                    .tag("guard", name)
                    .description("1 while the guard's rollback waits for an operator's acknowledgement")
                    .register(registry);
        }
        DrBackups b = backups;
        if (b != null) {
            Gauge.builder("dr.backup.last.success", b, x -> x.lastSuccess().map(t -> t.toEpochMilli() / 1000.0)
                    .orElse(Double.NaN))
                    .baseUnit("seconds")
                    .description("When the newest successful backup was taken, in seconds since the epoch (NaN before "
                            + "the first); alert on time() - dr_backup_last_success_seconds > RPO")
                    .register(registry);
        }
        DrJournals j = journals;
        if (j != null) {
            for (String source : j.sources()) {
                Gauge.builder("dr.backup.journal.writer.lock.lost", j,
                        x -> x.lostWriterLocks().containsKey(source) ? 1 : 0)
                        .tag("source", source)
                        .description("1 once another writer took the source's journal writer lock over: this "
                                + "instance journals the source no more; stop the other writer, restart this one")
                        .register(registry);
            }
        }
        AuditLog log = audit;
        if (log != null) {
            Gauge.builder("dr.audit.records", log, l -> l.head().map(AuditDigest::seq).orElse(0L))
                    .description("Sequence number of the last audit record")
                    .register(registry);
        }
    }
}
