package dev.drkit.core.rollback.internal;

import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.api.audit.AuditSink;
import dev.drkit.api.rollback.Evidence;
import dev.drkit.api.rollback.RollbackEvent;
import dev.drkit.api.rollback.Verdict;
import dev.drkit.core.rollback.GuardEvent;
import dev.drkit.core.rollback.GuardListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns each decision of a guard into its records: an audit event with the evidence, a
 * Micrometer counter, the typed listener event and one SLF4J line. A failing sink or listener
 * is logged and never undoes the decision.
 */
public final class DecisionLog {
    private static final Logger LOG = LoggerFactory.getLogger("dev.drkit.rollback");

    private final String guard;
    private final @Nullable AuditSink audit;
    private final @Nullable MeterRegistry registry;
    private final List<GuardListener> listeners;

    /**
     * Creates the log of one guard.
     *
     * @param guard the guard's name
     * @param audit where audit events go, or null
     * @param registry where meters go, or null
     * @param listeners who hears each decision
     */
    public DecisionLog(String guard, @Nullable AuditSink audit, @Nullable MeterRegistry registry,
            List<GuardListener> listeners) {
        this.guard = guard;
        this.audit = audit;
        this.registry = registry;
        this.listeners = List.copyOf(listeners);
    }

    /**
     * Records a rollback.
     *
     * @param event the rollback
     */
    public void rollback(RollbackEvent event) {
        if (registry != null) {
            Counter.builder("dr.rollback.total").description("Rollbacks of guarded releases")
                    .tag("guard", guard).tag("trigger", event.triggerKind().name().toLowerCase(Locale.ROOT))
                    .tag("mode", event.mode().name().toLowerCase(Locale.ROOT))
                    .register(registry).increment();
        }
        Map<String, String> details = evidenceDetails(event.verdict());
        details.put("mode", event.mode().name());
        details.put("triggerKind", event.triggerKind().name());
        details.put("trigger", event.trigger());
        details.put("reason", event.reason());
        details.put("from", event.fromVersion());
        details.put("to", event.toVersion());
        audit(event.at(), event.actor(), "rollback." + event.mode().name().toLowerCase(Locale.ROOT), details,
                AuditOutcome.SUCCESS);
        LOG.warn("guard {} rolled back {} -> {} ({} by {} via {} {}): {}", guard, event.fromVersion(),
                event.toVersion(), event.mode(), event.actor(), event.triggerKind(), event.trigger(), event.reason());
        publish(new GuardEvent.RolledBack(event));
    }

    /**
     * Records any other decision.
     *
     * @param event the decision
     * @param actor who made it
     * @param action the audit action, such as {@code rollout.promote}
     * @param verdict the verdict behind it, or null
     * @param message one line for the log
     * @param outcome how the action ended
     */
    public void decision(GuardEvent event, String actor, String action, @Nullable Verdict verdict, String message,
            AuditOutcome outcome) {
        Map<String, String> details = verdict == null ? new LinkedHashMap<>() : evidenceDetails(verdict);
        details.put("event", event.toString());
        audit(event.at(), actor, action, details, outcome);
        LOG.info("guard {}: {}", guard, message);
        publish(event);
    }

    private void audit(Instant at, String actor, String action, Map<String, String> details, AuditOutcome outcome) {
        if (audit == null) {
            return;
        }
        try {
            audit.append(new AuditEvent(at, actor, action, guard, outcome, details));
        } catch (RuntimeException e) {
            LOG.error("guard {}: audit sink refused {}: {}", guard, action, e.toString());
        }
    }

    private void publish(GuardEvent event) {
        for (GuardListener listener : listeners) {
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                LOG.error("guard {}: listener {} failed on {}: {}", guard, listener, event, e.toString());
            }
        }
    }

    /**
     * Flattens a verdict's evidence into audit details.
     *
     * @param verdict the verdict
     * @return a mutable map of named figures
     */
    public static Map<String, String> evidenceDetails(Verdict verdict) {
        Evidence e = verdict.evidence();
        Map<String, String> d = new LinkedHashMap<>();
        d.put("decision", verdict.decision().name());
        d.put("verdict", verdict.reason());
        d.put("candidateCalls", Long.toString(e.candidateCalls()));
        d.put("candidateFailures", Long.toString(e.candidateFailures()));
        d.put("baselineCalls", Long.toString(e.baselineCalls()));
        d.put("baselineFailures", Long.toString(e.baselineFailures()));
        d.put("candidateRate", Double.toString(e.candidateRate()));
        d.put("baselineRate", Double.toString(e.baselineRate()));
        d.put("statistic", Double.toString(e.statistic()));
        d.put("rollbackThreshold", Double.toString(e.rollbackThreshold()));
        d.put("promoteThreshold", Double.toString(e.promoteThreshold()));
        e.extra().forEach((k, v) -> d.put("evidence." + k, v));
        return d;
    }
}
