package dev.drkit.core.rollback.internal;

import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.api.audit.AuditSink;
import dev.drkit.api.rollback.DecisionRecord;
import dev.drkit.api.rollback.Evidence;
import dev.drkit.api.rollback.RollbackEvent;
import dev.drkit.api.rollback.Verdict;
import dev.drkit.core.rollback.GuardEvent;
import dev.drkit.core.rollback.GuardListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns each decision of a guard into its records: an audit event with the evidence, the
 * signal that decided, the calls and time the rollout took and the configuration version; a
 * Micrometer counter tagged with the reason; the typed listener event; one SLF4J line; and a
 * {@link DecisionRecord} among the last {@value #KEPT} kept in memory. A failing sink or
 * listener is logged and never undoes the decision.
 */
public final class DecisionLog {
    private static final Logger LOG = LoggerFactory.getLogger("dev.drkit.rollback");
    private static final String SYSTEM = "system";

    private final String guard;
    private final @Nullable AuditSink audit;
    private final @Nullable MeterRegistry registry;
    private final List<GuardListener> listeners;
    private final String configVersion;
    private final Deque<DecisionRecord> recent = new ArrayDeque<>();
    private volatile @Nullable Instant rolloutStartedAt;

    /** How many decisions are kept in memory. */
    public static final int KEPT = 100;

    /**
     * Creates the log of one guard.
     *
     * @param guard the guard's name
     * @param audit where audit events go, or null
     * @param registry where meters go, or null
     * @param listeners who hears each decision
     * @param configVersion the version of the guard's configuration, recorded with each decision
     */
    public DecisionLog(String guard, @Nullable AuditSink audit, @Nullable MeterRegistry registry,
            List<GuardListener> listeners, String configVersion) {
        this.guard = guard;
        this.audit = audit;
        this.registry = registry;
        this.listeners = List.copyOf(listeners);
        this.configVersion = configVersion;
    }

    /**
     * Returns the decisions kept in memory, oldest first.
     *
     * @return the last {@value #KEPT} decisions at most
     */
    public List<DecisionRecord> recent() {
        synchronized (recent) {
            return List.copyOf(recent);
        }
    }

    /**
     * Returns the reason of a rollback as a meter tag and audit detail: the judge's rule
     * ({@code sequentialTest}, {@code circuitOpen}, {@code consecutiveFailures}) when a rule
     * decided ({@code signal:NAME} for a custom signal), else the kind of trigger in lower case ({@code latency}, {@code probe},
     * {@code alert}, {@code operator}, ...).
     *
     * @param event the rollback
     * @return the reason
     */
    public static String reasonOf(RollbackEvent event) {
        Map<String, String> extra = event.verdict().evidence().extra();
        String rule = extra.get("rule");
        if ("signal".equals(rule) && extra.containsKey("signal")) {
            return "signal:" + extra.get("signal");
        }
        return rule != null ? rule : event.triggerKind().name().toLowerCase(Locale.ROOT);
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
                    .tag("mode", event.mode().name().toLowerCase(Locale.ROOT)).tag("reason", reasonOf(event))
                    .register(registry).increment();
        }
        Map<String, String> details = evidenceDetails(event.verdict());
        String signal = reasonOf(event);
        explain(details, signal, event.at(), event.verdict());
        details.put("mode", event.mode().name());
        details.put("triggerKind", event.triggerKind().name());
        details.put("trigger", event.trigger());
        details.put("reason", event.reason());
        details.put("from", event.fromVersion());
        details.put("to", event.toVersion());
        String action = "rollback." + event.mode().name().toLowerCase(Locale.ROOT);
        keep(new DecisionRecord(event.at(), guard, action, event.actor(), signal, details));
        audit(event.at(), event.actor(), action, details, AuditOutcome.SUCCESS);
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
        if (event instanceof GuardEvent.RolloutStarted || event instanceof GuardEvent.RollbackUndone) {
            rolloutStartedAt = event.at();
        }
        Map<String, String> details = verdict == null ? new LinkedHashMap<>() : evidenceDetails(verdict);
        String signal = event instanceof GuardEvent.Frozen f ? f.trigger()
                : verdict != null && SYSTEM.equals(actor) ? "evidence" : "operator";
        explain(details, signal, event.at(), verdict);
        details.put("event", event.toString());
        keep(new DecisionRecord(event.at(), guard, action, actor, signal, details));
        audit(event.at(), actor, action, details, outcome);
        LOG.info("guard {}: {}", guard, message);
        publish(event);
    }

    /** Adds what explains a decision: the signal, the calls and time taken, the configuration version. */
    private void explain(Map<String, String> details, String signal, Instant at, @Nullable Verdict verdict) {
        details.put("signal", signal);
        if (verdict != null) {
            details.put("callsTaken", Long.toString(verdict.evidence().candidateCalls()));
        }
        Instant started = rolloutStartedAt;
        if (started != null && !at.isBefore(started)) {
            details.put("timeTaken", Duration.between(started, at).toString());
        }
        details.put("configVersion", configVersion);
    }

    private void keep(DecisionRecord record) {
        synchronized (recent) {
            if (recent.size() >= KEPT) {
                recent.removeFirst();
            }
            recent.addLast(record);
        }
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
