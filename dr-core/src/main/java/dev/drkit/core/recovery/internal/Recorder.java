package dev.drkit.core.recovery.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.core.recovery.ExecutionEvent;
import dev.drkit.core.recovery.ExecutionEvent.Kind;
import dev.drkit.core.recovery.ExecutionListener;
import dev.drkit.core.recovery.ExecutionResult;
import dev.drkit.core.recovery.ExecutionStatus;
import dev.drkit.core.recovery.StepState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes what an execution does to its three outputs: the journal (for resumption), the
 * audit sink and the listeners; and, at the end, the meters and the history. A failing
 * audit sink or listener is logged and does not disturb the execution.
 */
final class Recorder {
    private static final Logger LOG = LoggerFactory.getLogger(Recorder.class);
    /** The journal field that tells when a step's restored data was captured. */
    static final String DATA_AS_OF = "dataAsOf";

    private final RunState run;
    private int journalSeq;

    Recorder(RunState run, int journalSeq) {
        this.run = run;
        this.journalSeq = journalSeq;
    }

    /** Journals the start of a new execution. */
    void started() {
        Map<String, Object> start = new LinkedHashMap<>();
        start.put("type", "start");
        start.put("plan", run.plan.name());
        start.put("shape", run.plan.shape());
        start.put("mode", run.mode.name());
        start.put("actor", run.actor);
        start.put("detectedAt", run.detectedAt.toString());
        start.put("startedAt", run.startedAt.toString());
        if (run.incidentId != null) {
            start.put("incident", run.incidentId);
        }
        journal(start);
    }

    void journal(Map<String, Object> entry) {
        ExecutionJournal j = run.cfg.journal();
        if (j == null) {
            return;
        }
        try {
            j.append(run.id, journalSeq, entry);
            journalSeq++;
        } catch (DrException e) {
            if (e.code() == ErrorCode.ALREADY_EXISTS) {
                throw e;
            }
            LOG.warn("execution {}: cannot write journal entry {}: {}", run.id, journalSeq, e.getMessage());
        }
    }

    /** Journals a step's state with its attempts, times, error and restored-data time. */
    void journalStep(StepRun s, StepState state) {
        journal(stepEntry(s, state));
    }

    Map<String, Object> stepEntry(StepRun s, StepState state) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("type", "step");
        e.put("step", s.name());
        e.put("state", state.name());
        e.put("attempts", s.attempts);
        e.put("at", run.now().toString());
        if (s.startedAt != null) {
            e.put("startedAt", s.startedAt.toString());
        }
        if (s.error != null) {
            e.put("error", s.error);
        }
        Instant asOf = s.dataAsOf;
        if (asOf != null) {
            e.put(DATA_AS_OF, asOf.toString());
        }
        return e;
    }

    void audit(String action, String target, AuditOutcome outcome, Map<String, String> details) {
        audit(action, target, outcome, details, run.actor);
    }

    void audit(String action, String target, AuditOutcome outcome, Map<String, String> details, String who) {
        var sink = run.cfg.audit();
        if (sink == null) {
            return;
        }
        Map<String, String> d = new LinkedHashMap<>(details);
        d.put("execution", run.id);
        d.put("mode", run.mode.name());
        try {
            sink.append(new AuditEvent(run.now(), who, action, target, outcome, d));
        } catch (RuntimeException e) {
            LOG.warn("execution {}: cannot write audit record {}: {}", run.id, action, e.getMessage());
        }
    }

    /** Audits an action on one step of the plan: the target is {@code plan/step}. */
    void auditStep(String action, String step, AuditOutcome outcome, Map<String, String> details) {
        audit(action, run.plan.name() + "/" + step, outcome, details);
    }

    void publish(@Nullable String step, Kind kind, int attempt, String message) {
        if (run.cfg.listeners().isEmpty()) {
            return;
        }
        ExecutionEvent ev = new ExecutionEvent(run.id, run.plan.name(), step, kind, attempt, run.now(), run.progress(),
                message);
        for (ExecutionListener l : run.cfg.listeners()) {
            try {
                l.onEvent(ev);
            } catch (RuntimeException e) {
                LOG.warn("execution {}: listener {} failed on {}", run.id, l, kind, e);
            }
        }
    }

    /** Records the end: the journal's finish entry, the audit record with RTO and RPO, meters, history, event. */
    void finished(ExecutionResult r) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("type", "finish");
        e.put("status", r.status().name());
        e.put("reason", r.reason());
        e.put("at", r.finishedAt().toString());
        journal(e);
        audit("plan.finish", run.plan.name(), r.status() == ExecutionStatus.SUCCEEDED ? AuditOutcome.SUCCESS
                : AuditOutcome.FAILURE, finishDetails(r));
        meters(r);
        if (r.status() == ExecutionStatus.SUCCEEDED) {
            run.cfg.history().record(r);
        }
        publish(null, Kind.FINISHED, 0, "execution " + r.status() + (r.reason().isEmpty() ? "" : ": " + r.reason()));
    }

    static Map<String, String> finishDetails(ExecutionResult r) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("status", r.status().name());
        details.put("reason", r.reason());
        details.put("detectedAt", r.detectedAt().toString());
        details.put("startedAt", r.startedAt().toString());
        if (r.recoveredAt() != null) {
            details.put("recoveredAt", r.recoveredAt().toString());
        }
        if (r.verifiedAt() != null) {
            details.put("verifiedAt", r.verifiedAt().toString());
        }
        if (r.restoredDataAsOf() != null) {
            details.put("restoredDataAsOf", r.restoredDataAsOf().toString());
        }
        r.achievedRto().ifPresent(d -> details.put("rto", d.toString()));
        r.achievedRpo().ifPresent(d -> details.put("rpo", d.toString()));
        details.put("rtoObjective", r.objectives().rto().toString());
        details.put("rpoObjective", r.objectives().rpo().toString());
        details.put("rtoMet", Boolean.toString(r.rtoMet()));
        details.put("rpoMet", Boolean.toString(r.rpoMet()));
        if (r.incidentId() != null) {
            details.put("incident", r.incidentId());
        }
        return details;
    }

    private void meters(ExecutionResult r) {
        MeterRegistry registry = run.cfg.meters();
        if (registry == null) {
            return;
        }
        String mode = r.mode().name().toLowerCase(Locale.ROOT);
        Duration took = r.achievedRto().orElse(Duration.between(r.detectedAt(), r.finishedAt()));
        Timer.builder("dr.recovery.duration").description("Time from detection to verified recovery")
                .tag("plan", r.planName()).tag("mode", mode)
                .tag("outcome", r.status().name().toLowerCase(Locale.ROOT)).register(registry).record(took);
        for (String objective : new String[] {"rto", "rpo"}) {
            boolean met = objective.equals("rto") ? r.rtoMet() : r.rpoMet();
            if (!met) {
                Counter.builder("dr.recovery.objective.breach").description("Executions that missed an objective")
                        .tag("plan", r.planName()).tag("mode", mode).tag("objective", objective)
                        .register(registry).increment();
            }
        }
    }
}
