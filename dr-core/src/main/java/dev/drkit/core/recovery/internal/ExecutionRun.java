package dev.drkit.core.recovery.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.api.health.HealthStatus;
import dev.drkit.api.health.ProbeResult;
import dev.drkit.api.recovery.ApprovalGate;
import dev.drkit.api.recovery.CompensationStrategy;
import dev.drkit.api.recovery.ExecutionMode;
import dev.drkit.api.recovery.RecoveryPlan.PlannedStep;
import dev.drkit.api.recovery.StepContext;
import dev.drkit.api.recovery.Verification;
import dev.drkit.api.recovery.VerificationPhase;
import dev.drkit.core.recovery.Execution;
import dev.drkit.core.recovery.ExecutionEvent;
import dev.drkit.core.recovery.ExecutionListener;
import dev.drkit.core.recovery.ExecutionProgress;
import dev.drkit.core.recovery.ExecutionRequest;
import dev.drkit.core.recovery.ExecutionResult;
import dev.drkit.core.recovery.ExecutionStatus;
import dev.drkit.core.recovery.Plan;
import dev.drkit.core.recovery.StepOutcome;
import dev.drkit.core.recovery.StepState;
import dev.drkit.core.recovery.StopCondition;
import dev.drkit.core.recovery.VerificationOutcome;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One execution of a plan. A coordinating thread owns all state transitions; step attempts
 * run on the step executor and report back through a queue; approvals and cancellation
 * arrive through the same queue.
 */
public final class ExecutionRun implements Execution {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutionRun.class);
    /** The shared value that tells which step restored data; used in the journal. */
    static final String DATA_AS_OF = "dataAsOf";

    private final ExecutorSettings cfg;
    private final Plan plan;
    private final String id;
    private final ExecutionMode mode;
    private final String actor;
    private final @Nullable String incidentId;
    private final Clock clock;
    private final Map<String, StepRun> steps = new LinkedHashMap<>();
    private final BlockingQueue<Signal> inbox = new LinkedBlockingQueue<>();
    private final Map<String, String> values = new ConcurrentHashMap<>();
    private final CompletableFuture<ExecutionResult> result = new CompletableFuture<>();
    private final List<String> completionOrder = new ArrayList<>();
    private final List<VerificationOutcome> verificationOutcomes = new ArrayList<>();
    private final Map<String, Integer> throughoutFailures = new HashMap<>();
    private final Map<String, Integer> throughoutChecks = new HashMap<>();
    private volatile boolean stopping;
    private final boolean resumed;
    private Instant detectedAt;
    private Instant startedAt;
    private volatile @Nullable Instant dataAsOf;
    private volatile boolean cancelled;
    private int journalSeq;
    private @Nullable Instant lastCheck;
    private @Nullable Instant recoveredAt;
    private @Nullable Instant verifiedAt;

    /** A message to the coordinating thread. */
    private sealed interface Signal {
    }

    private record AttemptStarted(String step, int attempt) implements Signal {
    }

    private record StepDone(String step, int attempts, @Nullable Throwable error) implements Signal {
    }

    private record Note(String step, String text) implements Signal {
    }

    private record Decision(String step, boolean approved, String actor, String comment) implements Signal {
    }

    private record Cancel(String actor, String reason) implements Signal {
    }

    /** The coordinator's view of one step. */
    private static final class StepRun {
        final PlannedStep planned;
        volatile StepState state = StepState.PENDING;
        int attempts;
        @Nullable Instant startedAt;
        @Nullable Instant endedAt;
        @Nullable String error;
        boolean compensated;
        boolean resumed;
        final List<String> notes = Collections.synchronizedList(new ArrayList<>());
        final Map<String, String> valuesPut = new ConcurrentHashMap<>();
        @Nullable Future<?> future;
        // attempt bookkeeping shared with the worker, guarded by this
        @Nullable Thread thread;
        int attemptNo;
        @Nullable Instant attemptStartedAt;
        boolean timedOut;
        // approval
        @Nullable Instant gateOpenedAt;
        boolean escalated;
        boolean decided;
        boolean approved;
        volatile @Nullable Instant dataAsOf;

        StepRun(PlannedStep planned) {
            this.planned = planned;
        }

        String name() {
            return planned.name();
        }
    }

    private ExecutionRun(ExecutorSettings cfg, Plan plan, String id, ExecutionRequest request,
            Instant detectedAt, Instant startedAt, boolean resumed) {
        this.cfg = cfg;
        this.plan = plan;
        this.id = id;
        this.mode = request.mode();
        this.actor = request.actor();
        this.incidentId = request.incidentId();
        this.clock = cfg.clock();
        this.detectedAt = detectedAt;
        this.startedAt = startedAt;
        this.resumed = resumed;
        for (PlannedStep s : plan.steps()) {
            steps.put(s.name(), new StepRun(s));
        }
    }

    /**
     * Starts a new execution.
     *
     * @param cfg the executor's settings
     * @param plan the plan
     * @param request the request
     * @return the execution
     */
    public static ExecutionRun start(ExecutorSettings cfg, Plan plan, ExecutionRequest request) {
        String id = request.executionId() != null ? ExecutionJournal.requireValidId(request.executionId())
                : UUID.randomUUID().toString();
        if (cfg.journal() != null && cfg.journal().exists(id)) {
            throw new DrException(ErrorCode.ALREADY_EXISTS, "execution " + id + " exists in the journal; resume it",
                    id);
        }
        Instant now = cfg.clock().instant();
        Instant detected = request.detectedAt() != null ? request.detectedAt() : now;
        ExecutionRun run = new ExecutionRun(cfg, plan, id, request, detected, now, false);
        Map<String, Object> start = new LinkedHashMap<>();
        start.put("type", "start");
        start.put("plan", plan.name());
        start.put("shape", plan.shape());
        start.put("mode", request.mode().name());
        start.put("actor", request.actor());
        start.put("detectedAt", detected.toString());
        start.put("startedAt", now.toString());
        if (request.incidentId() != null) {
            start.put("incident", request.incidentId());
        }
        run.journal(start);
        run.launchCoordinator();
        return run;
    }

    /**
     * Resumes an execution from the journal.
     *
     * @param cfg the executor's settings
     * @param plan the plan
     * @param executionId the id
     * @return the execution
     */
    public static ExecutionRun resume(ExecutorSettings cfg, Plan plan, String executionId) {
        ExecutionJournal journal = cfg.journal();
        if (journal == null) {
            throw new DrException(ErrorCode.ILLEGAL_STATE, "cannot resume " + executionId
                    + ": the executor has no journal store", executionId);
        }
        ExecutionJournal.Replay replay = journal.read(ExecutionJournal.requireValidId(executionId));
        if (replay.finished()) {
            throw new DrException(ErrorCode.ILLEGAL_STATE, "execution " + executionId + " has finished already",
                    executionId);
        }
        Map<String, Object> start = replay.entries().get(0);
        if (!plan.name().equals(start.get("plan")) || !plan.shape().equals(start.get("shape"))) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "execution " + executionId + " ran plan "
                    + start.get("plan") + " of another shape; resume it with the same plan", executionId);
        }
        ExecutionRequest request = new ExecutionRequest(ExecutionMode.valueOf((String) start.get("mode")),
                (String) start.get("actor"), null, ExecutionJournal.str(start, "incident"), executionId);
        ExecutionRun run = new ExecutionRun(cfg, plan, executionId, request,
                Instant.parse((String) start.get("detectedAt")), Instant.parse((String) start.get("startedAt")), true);
        run.journalSeq = replay.nextSeq();
        for (Map<String, Object> e : replay.entries().subList(1, replay.entries().size())) {
            run.replay(e);
        }
        run.launchCoordinator();
        return run;
    }

    @SuppressWarnings("unchecked")
    private void replay(Map<String, Object> e) {
        if (!"step".equals(e.get("type"))) {
            return;
        }
        StepRun s = steps.get((String) e.get("step"));
        if (s == null) {
            return;
        }
        StepState state = StepState.valueOf((String) e.get("state"));
        if (e.get("startedAt") != null) {
            s.startedAt = Instant.parse((String) e.get("startedAt"));
        }
        if (state == StepState.SUCCEEDED) {
            s.state = StepState.SUCCEEDED;
            s.resumed = true;
            s.attempts = ((Number) e.getOrDefault("attempts", 1)).intValue();
            s.endedAt = Instant.parse((String) e.get("at"));
            Object vals = e.get("values");
            if (vals instanceof Map<?, ?> m) {
                ((Map<String, Object>) m).forEach((k, v) -> values.put(k, String.valueOf(v)));
            }
            Object asOf = e.get(DATA_AS_OF);
            if (asOf != null) {
                noteDataAsOf(Instant.parse((String) asOf));
            }
            completionOrder.add(s.name());
        }
        // a step that was RUNNING when the process stopped runs again; so does a failed one
    }

    private void launchCoordinator() {
        Thread t = new Thread(this::coordinate, "dr-exec-" + id);
        t.setDaemon(true);
        t.start();
    }

    // ---------------------------------------------------------------- Execution API

    @Override
    public String id() {
        return id;
    }

    @Override
    public ExecutionProgress progress() {
        Map<String, StepState> states = new LinkedHashMap<>();
        int done = 0;
        for (StepRun s : steps.values()) {
            states.put(s.name(), s.state);
            if (s.state.isFinal()) {
                done++;
            }
        }
        Instant now = clock.instant();
        return new ExecutionProgress(id, states, steps.isEmpty() ? 100.0 : 100.0 * done / steps.size(),
                Duration.between(startedAt, now), eta(now));
    }

    private @Nullable Duration eta(Instant now) {
        Map<String, Duration> finish = new HashMap<>();
        Duration max = Duration.ZERO;
        for (StepRun s : steps.values()) {
            Duration own;
            if (s.state.isFinal()) {
                own = Duration.ZERO;
            } else {
                Optional<Duration> expected = cfg.history().expected(plan.name(), s.name());
                if (expected.isEmpty()) {
                    return null;
                }
                own = expected.get();
                Instant st = s.startedAt;
                if (s.state == StepState.RUNNING && st != null) {
                    own = own.minus(Duration.between(st, now));
                    if (own.isNegative()) {
                        own = Duration.ZERO;
                    }
                }
            }
            Duration begin = Duration.ZERO;
            for (String d : s.planned.dependsOn()) {
                Duration f = finish.getOrDefault(d, Duration.ZERO);
                if (f.compareTo(begin) > 0) {
                    begin = f;
                }
            }
            Duration end = begin.plus(own);
            finish.put(s.name(), end);
            if (end.compareTo(max) > 0) {
                max = end;
            }
        }
        return max;
    }

    private StepRun gated(String step) {
        StepRun s = steps.get(step);
        if (s == null) {
            throw new DrException(ErrorCode.NOT_FOUND, "plan " + plan.name() + " has no step " + step, step);
        }
        if (s.planned.policy().approval() == null) {
            throw new DrException(ErrorCode.ILLEGAL_STATE, "step " + step + " has no approval gate", step);
        }
        return s;
    }

    @Override
    public void approve(String step, String approver, String comment) {
        decide(step, true, approver, comment);
    }

    @Override
    public void reject(String step, String approver, String comment) {
        decide(step, false, approver, comment);
    }

    private void decide(String step, boolean approved, String approver, String comment) {
        StepRun s = gated(step);
        synchronized (s) {
            if (s.decided || s.state != StepState.AWAITING_APPROVAL) {
                throw new DrException(ErrorCode.ILLEGAL_STATE, "step " + step + " is not awaiting approval (it is "
                        + s.state + (s.decided ? ", decided already" : "") + ")", step);
            }
            s.decided = true;
        }
        inbox.add(new Decision(step, approved, approver, comment));
    }

    @Override
    public void cancel(String by, String reason) {
        cancelled = true;
        inbox.add(new Cancel(by, reason));
    }

    @Override
    public CompletableFuture<ExecutionResult> result() {
        return result.copy();
    }

    @Override
    public ExecutionResult await(Duration limit) {
        try {
            return result.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new DrException(ErrorCode.TIMEOUT, "execution " + id + " did not end within " + limit, id, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DrException(ErrorCode.CANCELLED, "interrupted while waiting for execution " + id, id, e);
        } catch (ExecutionException e) {
            throw new DrException(ErrorCode.ILLEGAL_STATE, "execution " + id + " broke: " + e.getCause(), id,
                    e.getCause());
        }
    }

    // ---------------------------------------------------------------- coordination

    private void coordinate() {
        try {
            result.complete(runToEnd());
        } catch (Throwable t) {
            LOG.error("execution {} of plan {} broke", id, plan.name(), t);
            result.completeExceptionally(t);
        }
    }

    private ExecutionResult runToEnd() {
        publish(null, "STARTED", 0, (resumed ? "resumed " : "started ") + mode + " run of plan " + plan.name());
        audit(resumed ? "plan.resume" : "plan.start", plan.name(), AuditOutcome.STARTED, Map.of());
        for (StepRun s : steps.values()) {
            if (s.resumed) {
                publish(s.name(), StepState.SUCCEEDED.name(), s.attempts, "completed before the interruption");
            }
        }
        ExecutionStatus status = ExecutionStatus.SUCCEEDED;
        String reason = "";
        String failure = verifyOnce(VerificationPhase.BEFORE);
        if (failure != null) {
            status = ExecutionStatus.FAILED;
            reason = failure;
            skipPending();
            return finish(status, reason);
        }
        lastCheck = clock.instant();
        Outcome o = loop();
        if (o.status != ExecutionStatus.SUCCEEDED) {
            stopRunning();
            skipPending();
            compensate(false);
            return finish(o.status, o.reason);
        }
        recoveredAt = clock.instant();
        compensate(true);
        failure = verifyAfter();
        if (failure != null) {
            compensate(false);
            return finish(ExecutionStatus.FAILED, failure);
        }
        verifiedAt = clock.instant();
        return finish(ExecutionStatus.SUCCEEDED, "");
    }

    private record Outcome(ExecutionStatus status, String reason) {
    }

    private Outcome loop() {
        while (true) {
            Signal sig;
            while ((sig = inbox.poll()) != null) {
                Outcome o = handle(sig);
                if (o != null) {
                    return o;
                }
            }
            Instant now = clock.instant();
            Outcome o = checkDeadlines(now);
            if (o != null) {
                return o;
            }
            if (lastCheck == null || Duration.between(lastCheck, now).compareTo(cfg.checkInterval()) >= 0) {
                o = checkConditions();
                if (o != null) {
                    return o;
                }
            }
            launchReady();
            if (steps.values().stream().allMatch(s -> s.state.isFinal())) {
                return new Outcome(ExecutionStatus.SUCCEEDED, "");
            }
            try {
                sig = inbox.poll(cfg.pollInterval().toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Outcome(ExecutionStatus.CANCELLED, "the coordinating thread was interrupted");
            }
            if (sig != null) {
                o = handle(sig);
                if (o != null) {
                    return o;
                }
            }
        }
    }

    private @Nullable Outcome handle(Signal sig) {
        if (sig instanceof AttemptStarted a) {
            StepRun s = steps.get(a.step());
            if (a.attempt() == 1) {
                Map<String, Object> e = stepEntry(s, StepState.RUNNING);
                journal(e);
            }
            publish(a.step(), StepState.RUNNING.name(), a.attempt(), "attempt " + a.attempt() + " of "
                    + s.planned.policy().maxAttempts());
            return null;
        }
        if (sig instanceof Note n) {
            publish(n.step(), "PROGRESS", steps.get(n.step()).attempts, n.text());
            return null;
        }
        if (sig instanceof Cancel c) {
            audit("plan.cancel", plan.name(), AuditOutcome.SUCCESS, Map.of("reason", c.reason()), c.actor());
            return new Outcome(ExecutionStatus.CANCELLED, "cancelled by " + c.actor() + ": " + c.reason());
        }
        if (sig instanceof Decision d) {
            StepRun s = steps.get(d.step());
            audit("plan.approval", plan.name() + "/" + d.step(), d.approved() ? AuditOutcome.SUCCESS
                    : AuditOutcome.DENIED, Map.of("comment", d.comment(), "decision", d.approved() ? "approve" : "reject"),
                    d.actor());
            if (d.approved()) {
                s.notes.add("approved by " + d.actor() + ": " + d.comment());
                s.approved = true;
                s.state = StepState.PENDING;
                publish(s.name(), "APPROVED", 0, "approved by " + d.actor() + ": " + d.comment());
                return null;
            }
            return stepFailed(s, 0, "rejected by " + d.actor() + ": " + d.comment());
        }
        if (sig instanceof StepDone d) {
            StepRun s = steps.get(d.step());
            s.attempts = d.attempts();
            s.future = null;
            if (d.error() == null) {
                s.state = StepState.SUCCEEDED;
                s.endedAt = clock.instant();
                completionOrder.add(s.name());
                Map<String, Object> e = stepEntry(s, StepState.SUCCEEDED);
                if (!s.valuesPut.isEmpty()) {
                    e.put("values", new LinkedHashMap<>(s.valuesPut));
                }
                journal(e);
                audit("plan.step", plan.name() + "/" + s.name(), AuditOutcome.SUCCESS, Map.of(
                        "attempts", Integer.toString(s.attempts), "duration", durationOf(s).toString(),
                        "step", s.name()));
                publish(s.name(), StepState.SUCCEEDED.name(), s.attempts, "succeeded after " + s.attempts
                        + (s.attempts == 1 ? " attempt" : " attempts"));
                return checkConditions();
            }
            if (cancelled) {
                s.state = StepState.FAILED;
                s.endedAt = clock.instant();
                s.error = "interrupted by cancellation";
                return null;
            }
            return stepFailed(s, d.attempts(), describe(d.error()));
        }
        return null;
    }

    private @Nullable Outcome stepFailed(StepRun s, int attempts, String why) {
        s.state = StepState.FAILED;
        s.endedAt = clock.instant();
        s.error = why;
        journal(stepEntry(s, StepState.FAILED));
        audit("plan.step", plan.name() + "/" + s.name(), AuditOutcome.FAILURE, Map.of(
                "attempts", Integer.toString(attempts), "error", why, "step", s.name(),
                "critical", Boolean.toString(s.planned.policy().critical())));
        publish(s.name(), StepState.FAILED.name(), attempts, why);
        if (s.planned.policy().critical()) {
            return new Outcome(ExecutionStatus.FAILED, "step " + s.name() + " failed: " + why);
        }
        return null;
    }

    private static String describe(Throwable t) {
        if (t instanceof DrException dr) {
            return dr.getMessage();
        }
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    private Duration durationOf(StepRun s) {
        return s.startedAt == null || s.endedAt == null ? Duration.ZERO : Duration.between(s.startedAt, s.endedAt);
    }

    private Map<String, Object> stepEntry(StepRun s, StepState state) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("type", "step");
        e.put("step", s.name());
        e.put("state", state.name());
        e.put("attempts", s.attempts);
        e.put("at", clock.instant().toString());
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

    private @Nullable Outcome checkDeadlines(Instant now) {
        for (StepRun s : steps.values()) {
            if (s.state == StepState.RUNNING) {
                synchronized (s) {
                    Instant st = s.attemptStartedAt;
                    if (s.thread != null && st != null && !s.timedOut
                            && Duration.between(st, now).compareTo(s.planned.policy().timeout()) > 0) {
                        s.timedOut = true;
                        s.thread.interrupt();
                    }
                }
            } else if (s.state == StepState.AWAITING_APPROVAL && !s.decided) {
                ApprovalGate gate = s.planned.policy().approval();
                Instant opened = s.gateOpenedAt;
                if (gate == null || opened == null) {
                    continue;
                }
                Duration waited = Duration.between(opened, now);
                if (!s.escalated && waited.compareTo(gate.escalateAfter()) >= 0) {
                    s.escalated = true;
                    audit("plan.approval.escalated", plan.name() + "/" + s.name(), AuditOutcome.STARTED,
                            Map.of("escalateTo", gate.escalateTo(), "waited", waited.toString()));
                    s.notes.add("approval escalated to " + gate.escalateTo() + " after " + waited);
                    publish(s.name(), "ESCALATED", 0, "approval by " + gate.approvers() + " not given after " + waited
                            + "; escalated to " + gate.escalateTo());
                }
                if (waited.compareTo(gate.timeout()) >= 0) {
                    synchronized (s) {
                        if (s.decided) {
                            continue;
                        }
                        s.decided = true;
                    }
                    Outcome o = stepFailed(s, 0, "approval not given within " + gate.timeout());
                    if (o != null) {
                        return o;
                    }
                }
            }
        }
        return null;
    }

    private @Nullable Outcome checkConditions() {
        lastCheck = clock.instant();
        ExecutionProgress p = progress();
        for (StopCondition c : plan.stopConditions()) {
            Optional<String> stop;
            try {
                stop = c.check(p);
            } catch (Exception e) {
                stop = Optional.of("stop condition failed: " + describe(e));
            }
            if (stop.isPresent()) {
                audit("plan.abort", plan.name(), AuditOutcome.FAILURE, Map.of("reason", stop.get()));
                return new Outcome(ExecutionStatus.ABORTED, "stopped: " + stop.get());
            }
        }
        for (Verification v : plan.verifications()) {
            if (v.phase() != VerificationPhase.THROUGHOUT) {
                continue;
            }
            ProbeResult r = probe(v);
            int failures = throughoutFailures.merge(v.name(), r.status() == HealthStatus.DOWN ? 1 : 0, Integer::sum);
            int checks = throughoutChecks.merge(v.name(), 1, Integer::sum);
            if (failures > v.toleratedFailures()) {
                record(v, false, checks, failures, r.detail());
                return new Outcome(ExecutionStatus.ABORTED, "verification " + v.name() + " failed " + failures
                        + " times (tolerates " + v.toleratedFailures() + "): " + r.detail());
            }
        }
        return null;
    }

    private ProbeResult probe(Verification v) {
        try {
            return v.probe().check();
        } catch (Exception e) {
            return ProbeResult.down(describe(e));
        }
    }

    private void record(Verification v, boolean passed, int checks, int failures, String detail) {
        verificationOutcomes.add(new VerificationOutcome(v.name(), v.phase(), passed, checks, failures, detail,
                clock.instant()));
        audit("plan.verify", plan.name() + "/" + v.name(), passed ? AuditOutcome.SUCCESS : AuditOutcome.FAILURE,
                Map.of("phase", v.phase().name(), "checks", Integer.toString(checks), "detail", detail));
        publish(null, passed ? "VERIFIED" : "VERIFICATION_FAILED", 0, "verification " + v.name() + " "
                + (passed ? "passed" : "failed") + ": " + detail);
    }

    /** Runs the verifications of a phase once each, allowing their tolerated failures as retries. */
    private @Nullable String verifyOnce(VerificationPhase phase) {
        for (Verification v : plan.verifications()) {
            if (v.phase() != phase) {
                continue;
            }
            int failures = 0;
            int checks = 0;
            ProbeResult r;
            do {
                r = probe(v);
                checks++;
                if (r.status() == HealthStatus.DOWN) {
                    failures++;
                }
            } while (r.status() == HealthStatus.DOWN && failures <= v.toleratedFailures()
                    && pause(cfg.pollInterval()));
            boolean passed = r.status() != HealthStatus.DOWN;
            record(v, passed, checks, failures, r.detail());
            if (!passed) {
                return "verification " + v.name() + " (" + phase + ") failed " + failures + " times: " + r.detail();
            }
        }
        return null;
    }

    private @Nullable String verifyAfter() {
        String failed = verifyOnce(VerificationPhase.AFTER);
        if (failed != null) {
            return failed;
        }
        for (Verification v : plan.verifications()) {
            if (v.phase() == VerificationPhase.THROUGHOUT) {
                verificationOutcomes.add(new VerificationOutcome(v.name(), v.phase(), true,
                        throughoutChecks.getOrDefault(v.name(), 0), throughoutFailures.getOrDefault(v.name(), 0),
                        "within tolerance", clock.instant()));
            }
        }
        return null;
    }

    private boolean pause(Duration d) {
        try {
            Thread.sleep(Math.max(1, d.toMillis()));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void launchReady() {
        long running = steps.values().stream().filter(s -> s.state == StepState.RUNNING).count();
        for (StepRun s : steps.values()) {
            if (s.state != StepState.PENDING || !ready(s)) {
                continue;
            }
            ApprovalGate gate = s.planned.policy().approval();
            if (gate != null && !s.approved) {
                s.state = StepState.AWAITING_APPROVAL;
                s.gateOpenedAt = clock.instant();
                audit("plan.approval.requested", plan.name() + "/" + s.name(), AuditOutcome.STARTED,
                        Map.of("approvers", gate.approvers(), "timeout", gate.timeout().toString()));
                publish(s.name(), StepState.AWAITING_APPROVAL.name(), 0, "waiting for approval by " + gate.approvers());
                continue;
            }
            if (running >= cfg.maxConcurrency()) {
                continue;
            }
            launch(s);
            running++;
        }
    }

    private boolean ready(StepRun s) {
        for (String d : s.planned.dependsOn()) {
            StepRun dep = steps.get(d);
            boolean ok = dep.state == StepState.SUCCEEDED
                    || (dep.state == StepState.FAILED && !dep.planned.policy().critical());
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private void launch(StepRun s) {
        s.state = StepState.RUNNING;
        if (s.startedAt == null) {
            s.startedAt = clock.instant();
        }
        s.future = cfg.stepExecutor().submit(() -> attempts(s));
    }

    /** Runs a step's attempts on a worker thread, retrying through Resilience4j. */
    private void attempts(StepRun s) {
        var policy = s.planned.policy();
        Duration backoff = policy.backoff().isZero() ? Duration.ofMillis(1) : policy.backoff();
        Retry retry = Retry.of(id + "/" + s.name(), RetryConfig.custom()
                .maxAttempts(policy.maxAttempts())
                .intervalFunction(IntervalFunction.ofExponentialBackoff(backoff, policy.backoffMultiplier()))
                .retryOnException(e -> !stopping)
                .build());
        Retry.Context<Object> rc = retry.context();
        if (stopping) {
            inbox.add(new StepDone(s.name(), 0, new DrException(ErrorCode.CANCELLED, "the execution stopped", s.name())));
            return;
        }
        int attempt = 0;
        while (true) {
            attempt++;
            synchronized (s) {
                s.thread = Thread.currentThread();
                s.attemptNo = attempt;
                s.attemptStartedAt = clock.instant();
                s.timedOut = false;
            }
            inbox.add(new AttemptStarted(s.name(), attempt));
            Throwable failure = null;
            try {
                s.planned.step().execute(new Context(s, attempt));
            } catch (Throwable t) {
                failure = t;
            }
            boolean timedOut;
            synchronized (s) {
                s.thread = null;
                timedOut = s.timedOut;
                Thread.interrupted();
            }
            if (failure == null && !timedOut) {
                rc.onComplete();
                inbox.add(new StepDone(s.name(), attempt, null));
                return;
            }
            Exception e = timedOut
                    ? new DrException(ErrorCode.TIMEOUT, "attempt " + attempt + " timed out after " + policy.timeout(),
                            s.name())
                    : failure instanceof Exception ex ? ex : new RuntimeException(failure);
            if (stopping || failure instanceof Error) {
                inbox.add(new StepDone(s.name(), attempt, e));
                return;
            }
            s.notes.add("attempt " + attempt + " failed: " + describe(e));
            try {
                rc.onError(e);
            } catch (Exception exhausted) {
                inbox.add(new StepDone(s.name(), attempt, e));
                return;
            }
        }
    }

    /** Interrupts running attempts and waits, up to their timeouts, for them to report back. */
    private void stopRunning() {
        stopping = true;
        Duration longest = Duration.ZERO;
        for (StepRun s : steps.values()) {
            if (s.state == StepState.RUNNING) {
                synchronized (s) {
                    if (s.thread != null) {
                        s.thread.interrupt();
                    }
                }
                if (s.planned.policy().timeout().compareTo(longest) > 0) {
                    longest = s.planned.policy().timeout();
                }
            }
        }
        Instant deadline = clock.instant().plus(longest);
        while (steps.values().stream().anyMatch(s -> s.state == StepState.RUNNING)) {
            Signal sig;
            try {
                sig = inbox.poll(cfg.pollInterval().toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (sig instanceof StepDone d) {
                StepRun s = steps.get(d.step());
                s.attempts = Math.max(s.attempts, d.attempts());
                s.endedAt = clock.instant();
                if (d.error() == null) {
                    s.state = StepState.SUCCEEDED;
                    completionOrder.add(s.name());
                    journal(stepEntry(s, StepState.SUCCEEDED));
                } else if (d.attempts() == 0) {
                    s.state = StepState.SKIPPED;
                    publish(s.name(), StepState.SKIPPED.name(), 0, "not run: the execution stopped");
                } else {
                    s.state = StepState.FAILED;
                    s.error = "interrupted: the execution stopped";
                    journal(stepEntry(s, StepState.FAILED));
                    publish(s.name(), StepState.FAILED.name(), d.attempts(), s.error);
                }
            } else if (clock.instant().isAfter(deadline)) {
                for (StepRun s : steps.values()) {
                    if (s.state == StepState.RUNNING) {
                        s.state = StepState.FAILED;
                        s.endedAt = clock.instant();
                        s.error = "did not stop when interrupted; abandoned";
                        publish(s.name(), StepState.FAILED.name(), s.attempts, s.error);
                    }
                }
            }
        }
    }

    private void skipPending() {
        for (StepRun s : steps.values()) {
            if (s.state == StepState.PENDING || s.state == StepState.AWAITING_APPROVAL) {
                s.state = StepState.SKIPPED;
                publish(s.name(), StepState.SKIPPED.name(), 0, "not run");
            }
        }
    }

    /**
     * Compensates steps in reverse order of completion: on success those with ALWAYS; on
     * failure the failed steps first, then completed steps with ON_FAILURE or ALWAYS.
     */
    private void compensate(boolean success) {
        List<StepRun> todo = new ArrayList<>();
        if (!success) {
            for (StepRun s : steps.values()) {
                if (s.state == StepState.FAILED && s.attempts > 0
                        && s.planned.policy().compensation() != CompensationStrategy.NEVER) {
                    todo.add(s);
                }
            }
        }
        List<String> reversed = new ArrayList<>(completionOrder);
        Collections.reverse(reversed);
        for (String n : reversed) {
            StepRun s = steps.get(n);
            CompensationStrategy c = s.planned.policy().compensation();
            if (s.state == StepState.SUCCEEDED
                    && (c == CompensationStrategy.ALWAYS || (!success && c == CompensationStrategy.ON_FAILURE))) {
                todo.add(s);
            }
        }
        for (StepRun s : todo) {
            String error = null;
            try {
                Future<?> f = cfg.stepExecutor().submit(() -> {
                    s.planned.step().compensate(new Context(s, s.attempts + 1));
                    return null;
                });
                awaitBounded(f, s.planned.policy().timeout());
            } catch (Exception e) {
                error = describe(e instanceof ExecutionException ee && ee.getCause() != null ? ee.getCause() : e);
            }
            s.compensated = error == null;
            if (s.state == StepState.SUCCEEDED && error == null) {
                s.state = StepState.COMPENSATED;
            }
            s.notes.add(error == null ? "compensated" : "compensation failed: " + error);
            Map<String, Object> e = stepEntry(s, s.state);
            e.put("compensated", error == null);
            journal(e);
            audit("plan.compensate", plan.name() + "/" + s.name(), error == null ? AuditOutcome.SUCCESS
                    : AuditOutcome.FAILURE, error == null ? Map.of("step", s.name())
                    : Map.of("step", s.name(), "error", error));
            publish(s.name(), StepState.COMPENSATED.name(), s.attempts, error == null ? "compensated"
                    : "compensation failed: " + error);
        }
    }

    private void awaitBounded(Future<?> f, Duration timeout) throws Exception {
        Instant deadline = clock.instant().plus(timeout);
        while (true) {
            try {
                f.get(cfg.pollInterval().toNanos(), TimeUnit.NANOSECONDS);
                return;
            } catch (TimeoutException e) {
                if (clock.instant().isAfter(deadline)) {
                    f.cancel(true);
                    throw new DrException(ErrorCode.TIMEOUT, "compensation timed out after " + timeout, null);
                }
            }
        }
    }

    private ExecutionResult finish(ExecutionStatus status, String reason) {
        Instant now = clock.instant();
        List<StepOutcome> outcomes = new ArrayList<>();
        for (StepRun s : steps.values()) {
            outcomes.add(new StepOutcome(s.name(), s.state, s.attempts, s.startedAt, s.endedAt, s.error, s.compensated,
                    s.resumed, new ArrayList<>(s.notes)));
        }
        ExecutionResult r = new ExecutionResult(id, plan.name(), mode, status, reason, incidentId, detectedAt,
                startedAt, status == ExecutionStatus.SUCCEEDED ? recoveredAt : null,
                status == ExecutionStatus.SUCCEEDED ? verifiedAt : null, now, dataAsOf, plan.objectives(), outcomes,
                verificationOutcomes, resumed);
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("type", "finish");
        e.put("status", status.name());
        e.put("reason", reason);
        e.put("at", now.toString());
        journal(e);
        Map<String, String> details = new LinkedHashMap<>();
        details.put("status", status.name());
        details.put("reason", reason);
        details.put("detectedAt", detectedAt.toString());
        details.put("startedAt", startedAt.toString());
        if (r.recoveredAt() != null) {
            details.put("recoveredAt", r.recoveredAt().toString());
        }
        if (r.verifiedAt() != null) {
            details.put("verifiedAt", r.verifiedAt().toString());
        }
        if (dataAsOf != null) {
            details.put("restoredDataAsOf", dataAsOf.toString());
        }
        r.achievedRto().ifPresent(d -> details.put("rto", d.toString()));
        r.achievedRpo().ifPresent(d -> details.put("rpo", d.toString()));
        details.put("rtoObjective", plan.objectives().rto().toString());
        details.put("rpoObjective", plan.objectives().rpo().toString());
        details.put("rtoMet", Boolean.toString(r.rtoMet()));
        details.put("rpoMet", Boolean.toString(r.rpoMet()));
        if (incidentId != null) {
            details.put("incident", incidentId);
        }
        audit("plan.finish", plan.name(), status == ExecutionStatus.SUCCEEDED ? AuditOutcome.SUCCESS
                : AuditOutcome.FAILURE, details);
        meters(r);
        if (status == ExecutionStatus.SUCCEEDED) {
            cfg.history().record(r);
        }
        publish(null, "FINISHED", 0, "execution " + status + (reason.isEmpty() ? "" : ": " + reason));
        return r;
    }

    private void meters(ExecutionResult r) {
        var registry = cfg.meters();
        if (registry == null) {
            return;
        }
        Duration took = r.achievedRto().orElse(Duration.between(r.detectedAt(), r.finishedAt()));
        Timer.builder("dr.recovery.duration").description("Time from detection to verified recovery")
                .tag("plan", r.planName()).tag("mode", r.mode().name().toLowerCase())
                .tag("outcome", r.status().name().toLowerCase()).register(registry).record(took);
        if (!r.rtoMet()) {
            Counter.builder("dr.recovery.objective.breach").description("Executions that missed an objective")
                    .tag("plan", r.planName()).tag("mode", r.mode().name().toLowerCase()).tag("objective", "rto")
                    .register(registry).increment();
        }
        if (!r.rpoMet()) {
            Counter.builder("dr.recovery.objective.breach").description("Executions that missed an objective")
                    .tag("plan", r.planName()).tag("mode", r.mode().name().toLowerCase()).tag("objective", "rpo")
                    .register(registry).increment();
        }
    }

    // ---------------------------------------------------------------- output

    private void journal(Map<String, Object> entry) {
        ExecutionJournal j = cfg.journal();
        if (j == null) {
            return;
        }
        try {
            j.append(id, journalSeq, entry);
            journalSeq++;
        } catch (DrException e) {
            if (e.code() == ErrorCode.ALREADY_EXISTS) {
                throw e;
            }
            LOG.warn("execution {}: cannot write journal entry {}: {}", id, journalSeq, e.getMessage());
        }
    }

    private void audit(String action, String target, AuditOutcome outcome, Map<String, String> details) {
        audit(action, target, outcome, details, actor);
    }

    private void audit(String action, String target, AuditOutcome outcome, Map<String, String> details, String who) {
        var sink = cfg.audit();
        if (sink == null) {
            return;
        }
        Map<String, String> d = new LinkedHashMap<>(details);
        d.put("execution", id);
        d.put("mode", mode.name());
        try {
            sink.append(new AuditEvent(clock.instant(), who, action, target, outcome, d));
        } catch (RuntimeException e) {
            LOG.warn("execution {}: cannot write audit record {}: {}", id, action, e.getMessage());
        }
    }

    private void publish(@Nullable String step, String kind, int attempt, String message) {
        if (cfg.listeners().isEmpty()) {
            return;
        }
        ExecutionEvent ev = new ExecutionEvent(id, plan.name(), step, kind, attempt, clock.instant(), progress(),
                message);
        for (ExecutionListener l : cfg.listeners()) {
            try {
                l.onEvent(ev);
            } catch (RuntimeException e) {
                LOG.warn("execution {}: listener {} failed on {}", id, l, kind, e);
            }
        }
    }

    private void noteDataAsOf(Instant t) {
        synchronized (this) {
            Instant cur = dataAsOf;
            if (cur == null || t.isBefore(cur)) {
                dataAsOf = t;
            }
        }
    }

    /** The context handed to one attempt of one step. */
    private final class Context implements StepContext {
        private final StepRun s;
        private final int attempt;

        Context(StepRun s, int attempt) {
            this.s = s;
            this.attempt = attempt;
        }

        @Override
        public String executionId() {
            return id;
        }

        @Override
        public String planName() {
            return plan.name();
        }

        @Override
        public String stepName() {
            return s.name();
        }

        @Override
        public ExecutionMode mode() {
            return mode;
        }

        @Override
        public int attempt() {
            return attempt;
        }

        @Override
        public String idempotencyKey() {
            return id + "/" + s.name();
        }

        @Override
        public Clock clock() {
            return clock;
        }

        @Override
        public void progress(double fraction, String message) {
            s.notes.add(message);
            inbox.add(new Note(s.name(), message));
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public void restoredDataAsOf(Instant dataTime) {
            s.dataAsOf = dataTime;
            noteDataAsOf(dataTime);
        }

        @Override
        public void put(String name, String value) {
            values.put(name, value);
            s.valuesPut.put(name, value);
        }

        @Override
        public Optional<String> get(String name) {
            return Optional.ofNullable(values.get(name));
        }
    }
}
