package dev.drkit.spring.actuate;

import dev.drkit.api.rollback.Guard;
import dev.drkit.api.rollback.GuardState;
import dev.drkit.core.audit.AuditDigest;
import dev.drkit.core.audit.AuditLog;
import dev.drkit.spring.DrGuards;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Registers DR Kit's {@code dr.*} gauges: each guard's candidate weight, its state (1 for the
 * current state, 0 for the others) and whether its rollback awaits acknowledgement, and the
 * audit log's head sequence number.
 */
public final class DrMeterBinder implements MeterBinder {
    private final DrGuards guards;
    private final @Nullable AuditLog audit;

    /**
     * Creates the binder.
     *
     * @param guards the guards
     * @param audit the audit log, or null when there is none
     */
    public DrMeterBinder(DrGuards guards, @Nullable AuditLog audit) {
        this.guards = guards;
        this.audit = audit;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (Map.Entry<String, Guard<?>> e : guards.all().entrySet()) {
            String name = e.getKey();
            Guard<?> guard = e.getValue();
            Gauge.builder("dr.guard.candidate.weight", guard, Guard::candidateWeight)
                    .tag("guard", name)
                    .description("Share of calls routed to the candidate version")
                    .register(registry);
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
        AuditLog log = audit;
        if (log != null) {
            Gauge.builder("dr.audit.records", log, l -> l.head().map(AuditDigest::seq).orElse(0L))
                    .description("Sequence number of the last audit record")
                    .register(registry);
        }
    }
}
