package dev.drkit.core.recovery.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.api.recovery.ExecutionMode;
import dev.drkit.api.recovery.VerificationPhase;
import dev.drkit.core.recovery.Execution;
import dev.drkit.core.recovery.ExecutionEvent.Kind;
import dev.drkit.core.recovery.ExecutionProgress;
import dev.drkit.core.recovery.ExecutionRequest;
import dev.drkit.core.recovery.ExecutionResult;
import dev.drkit.core.recovery.ExecutionStatus;
import dev.drkit.core.recovery.Plan;
import dev.drkit.core.recovery.StepOutcome;
import dev.drkit.core.recovery.StepState;
import dev.drkit.core.recovery.StopCondition;
import dev.drkit.core.report.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One execution of a plan. A coordinating thread owns all state transitions; step attempts
 * run on the step executor and report back through a queue; approvals and cancellation
 * arrive through the same queue. The work is done by parts: {@link Attempts} (timeouts,
 * retries), {@link Approvals}, {@link Verifier}, {@link Compensation}, {@link Eta},
 * {@link Recorder} (journal, audit, events, meters) and {@link RunContext}.
 */
public final class ExecutionRun implements Execution {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutionRun.class);

    private final RunState run;
    private final Recorder rec;
    private final Attempts attempts;
    private final Approvals approvals;
    private final Verifier verifier;
    private final Compensation compensation;
    private final CompletableFuture<ExecutionResult> result = new CompletableFuture<>();
    private @Nullable Instant lastCheck;
    private @Nullable Instant recoveredAt;
    private @Nullable Instant verifiedAt;
    /** The etag of this process's lease of the execution in the journal, or null without a journal. */
    private @Nullable String leaseEtag;
    private volatile @Nullable Thread leaseRenewer;

    private ExecutionRun(RunState run, int journalSeq) {
        this.run = run;
        this.rec = new Recorder(run, journalSeq);
        this.attempts = new Attempts(run, rec);
        this.approvals = new Approvals(run, rec);
        this.verifier = new Verifier(run, rec, Verifier::sleep);
        this.compensation = new Compensation(run, rec);
    }

    /**
     * Starts a new execution.
     *
     * @param cfg the executor's settings
     * @param plan the plan
     * @param request the request
     * @return the execution
     * @throws DrException {@code ALREADY_EXISTS} when the journal holds the requested id;
     *     {@code INVALID_ARGUMENT} for a detection time after now
     */
    public static ExecutionRun start(ExecutorSettings cfg, Plan plan, ExecutionRequest request) {
        String id = request.executionId() != null ? ExecutionJournal.requireValidId(request.executionId())
                : UUID.randomUUID().toString();
        Instant now = cfg.clock().instant();
        Instant detected = request.detectedAt() != null ? request.detectedAt() : now;
        if (detected.isAfter(now)) {
            throw DrException.invalidArgument("detectedAt", "must not be after the start " + now, detected);
        }
        String prior = cfg.running().putIfAbsent(id, "started by " + request.actor() + " at " + now);
        if (prior != null) {
            throw new DrException(ErrorCode.ALREADY_EXISTS, "execution " + id + " is running already in this executor ("
                    + prior + "); choose another id", id);
        }
        String lease = null;
        boolean launched = false;
        try {
            if (cfg.journal() != null) {
                if (cfg.journal().exists(id)) {
                    ExecutionJournal.Replay replay = cfg.journal().read(id);
                    throw new DrException(ErrorCode.ALREADY_EXISTS, replay.finished()
                            ? "execution " + id + " has finished already (" + replay.status() + "); choose another id"
                            : "execution " + id + " exists in the journal and has not finished; resume it", id);
                }
                lease = cfg.journal().takeLease(id, request.actor(), now);
            }
            ExecutionRun exec = new ExecutionRun(new RunState(cfg, plan, id, request.mode(), request.actor(),
                    request.incidentId(), detected, now, false), 0);
            exec.leaseEtag = lease;
            exec.rec.started();
            exec.launchCoordinator();
            launched = true;
            return exec;
        } finally {
            if (!launched) {
                letGo(cfg, id, lease);
            }
        }
    }

    /** Gives up an execution this process claimed and does not run: its entry in the executor and its lease. */
    private static void letGo(ExecutorSettings cfg, String id, @Nullable String lease) {
        cfg.running().remove(id);
        if (lease != null && cfg.journal() != null) {
            try {
                cfg.journal().releaseLease(id);
            } catch (RuntimeException | Error e) {
                // the lease expires, and a process of this host takes it over at once
                LOG.warn("execution {}: cannot release its lease: {}", id, e.toString());
            }
        }
    }

    /**
     * Resumes an execution from the journal.
     *
     * @param cfg the executor's settings
     * @param plan the plan
     * @param executionId the id
     * @param mode the mode the caller means to resume in, or {@code null} for the journal's
     * @return the execution
     * @throws DrException {@code ILLEGAL_STATE} without a journal or when the execution
     *     finished; {@code INVALID_ARGUMENT} when the plan's shape differs, or with input
     *     {@code mode} when the execution ran in another mode than {@code mode}
     */
    public static ExecutionRun resume(ExecutorSettings cfg, Plan plan, String executionId,
            @Nullable ExecutionMode mode) {
        ExecutionJournal journal = cfg.journal();
        if (journal == null) {
            throw new DrException(ErrorCode.ILLEGAL_STATE, "cannot resume " + executionId
                    + ": the executor has no journal store", executionId);
        }
        ExecutionJournal.requireValidId(executionId);
        String prior = cfg.running().putIfAbsent(executionId, "resumed at " + cfg.clock().instant());
        if (prior != null) {
            throw new DrException(ErrorCode.LOCKED, "execution " + executionId + " is running in this executor ("
                    + prior + "); it cannot be resumed while it runs", executionId);
        }
        String lease = null;
        boolean launched = false;
        try {
            ExecutionJournal.Replay replay = journal.read(executionId);
            String actor = replay.entries().get(0).get("actor") instanceof String a ? a : "unknown";
            if (!replay.finished()) {
                lease = journal.takeLease(executionId, actor, cfg.clock().instant());
            }
            ExecutionRun exec = resume(cfg, plan, executionId, mode, journal, replay);
            exec.leaseEtag = lease;
            exec.launchCoordinator();
            launched = true;
            return exec;
        } finally {
            if (!launched) {
                letGo(cfg, executionId, lease);
            }
        }
    }

    private static ExecutionRun resume(ExecutorSettings cfg, Plan plan, String executionId,
            @Nullable ExecutionMode mode, ExecutionJournal journal, ExecutionJournal.Replay replay) {
        if (replay.finished()) {
            throw new DrException(ErrorCode.ILLEGAL_STATE, "execution " + executionId + " has finished already ("
                    + replay.status() + ")", executionId);
        }
        Map<String, Object> start = replay.entries().get(0);
        if (mode != null && !mode.name().equals(start.get("mode"))) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "execution " + executionId + " ran " + start.get("mode")
                    + "; resume it as a " + start.get("mode") + " run (" + mode + " was asked for)", "mode");
        }
        if (!plan.name().equals(start.get("plan")) || !plan.shape().equals(start.get("shape"))) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "execution " + executionId + " ran plan "
                    + start.get("plan") + " of another shape; resume it with the same plan", executionId);
        }
        RunState state;
        int entry = 0;
        try {
            state = new RunState(cfg, plan, executionId, ExecutionJournal.constant(start, "mode", ExecutionMode.class),
                    ExecutionJournal.text(start, "actor"), ExecutionJournal.str(start, "incident"),
                    ExecutionJournal.instant(start, "detectedAt"), ExecutionJournal.instant(start, "startedAt"), true);
            for (entry = 1; entry < replay.entries().size(); entry++) {
                state.replay(replay.entries().get(entry));
            }
        } catch (IllegalArgumentException e) {
            String key = journal.key(executionId, entry);
            throw new DrException(ErrorCode.INTEGRITY, "journal of execution " + executionId + " is damaged: entry "
                    + key + " cannot be replayed: " + e.getMessage(), key, e);
        }
        return new ExecutionRun(state, replay.nextSeq());
    }

    private void launchCoordinator() {
        if (leaseEtag != null) {
            Thread r = new Thread(this::renewLease, "dr-exec-lease-" + run.id);
            r.setDaemon(true);
            leaseRenewer = r; // before the coordinator, which stops it at the end
            r.start();
        }
        Thread t = new Thread(this::coordinate, "dr-exec-" + run.id);
        t.setDaemon(true);
        t.start();
    }

    /** Renews the execution's lease until it ends, so that no other process resumes it meanwhile. */
    private void renewLease() {
        ExecutionJournal journal = run.cfg.journal();
        Instant since = run.now();
        String etag = leaseEtag;
        while (journal != null && etag != null) {
            try {
                Thread.sleep(ExecutionJournal.LEASE_RENEWAL.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            try {
                Optional<String> renewed = journal.renewLease(run.id, run.actor, since, etag, run.now());
                if (renewed.isEmpty()) {
                    LOG.error("execution {}: another process took its lease over; its journal entries will be refused",
                            run.id);
                    return;
                }
                etag = renewed.get();
            } catch (RuntimeException e) {
                LOG.warn("execution {}: cannot renew its lease: {}", run.id, e.getMessage());
            }
        }
    }

    // ---------------------------------------------------------------- Execution API

    @Override
    public String id() {
        return run.id;
    }

    @Override
    public ExecutionProgress progress() {
        return run.progress();
    }

    @Override
    public void approve(String step, String approver, String comment) {
        approvals.decide(step, true, approver, comment);
    }

    @Override
    public void reject(String step, String approver, String comment) {
        approvals.decide(step, false, approver, comment);
    }

    @Override
    public void cancel(String by, String reason) {
        run.cancelled = true;
        run.inbox.add(new Signal.Cancel(by, reason));
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
            throw new DrException(ErrorCode.TIMEOUT, "execution " + run.id + " did not end within " + Durations.human(limit),
                    run.id, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DrException(ErrorCode.CANCELLED, "interrupted while waiting for execution " + run.id, run.id, e);
        } catch (ExecutionException e) {
            throw new DrException(ErrorCode.ILLEGAL_STATE, "execution " + run.id + " broke: " + e.getCause(), run.id,
                    e.getCause());
        }
    }

    // ---------------------------------------------------------------- coordination

    private void coordinate() {
        ExecutionResult r = null;
        Throwable broke = null;
        try {
            r = runToEnd();
        } catch (Throwable t) {
            LOG.error("execution {} of plan {} broke", run.id, run.plan.name(), t);
            broke = t;
        } finally {
            Thread renewer = leaseRenewer;
            if (renewer != null) {
                renewer.interrupt();
            }
            letGo(run.cfg, run.id, leaseEtag);
        }
        if (broke != null) {
            result.completeExceptionally(broke);
        } else {
            result.complete(r);
        }
    }

    private ExecutionResult runToEnd() {
        rec.publish(null, Kind.STARTED, 0, (run.resumed ? "resumed " : "started ") + run.mode + " run of plan "
                + run.plan.name());
        rec.audit(run.resumed ? "plan.resume" : "plan.start", run.plan.name(), AuditOutcome.STARTED, Map.of());
        for (StepRun s : run.steps()) {
            if (s.resumed) {
                rec.publish(s.name(), Kind.SUCCEEDED, s.attempts, "completed before the interruption");
            } else if (s.wasRunning) {
                String note = "was running when the execution stopped; it runs again";
                s.notes.add(note);
                rec.publish(s.name(), Kind.PROGRESS, 0, note);
            }
        }
        String failure = verifier.verifyOnce(VerificationPhase.BEFORE);
        if (failure != null) {
            skipPending();
            return finish(ExecutionStatus.FAILED, failure);
        }
        lastCheck = run.now();
        Outcome o = loop();
        if (o.status() != ExecutionStatus.SUCCEEDED) {
            attempts.stopAll();
            skipPending();
            compensation.compensate(false);
            return finish(o.status(), o.reason());
        }
        List<String> failed = names(StepState.FAILED);
        if (!failed.isEmpty() && !run.anyIn(StepState.SUCCEEDED)) {
            compensation.compensate(false);
            return finish(ExecutionStatus.FAILED, "no step succeeded: " + failures(failed));
        }
        recoveredAt = run.now();
        compensation.compensate(true);
        failure = verifier.verifyAfter();
        if (failure != null) {
            compensation.compensate(false);
            return finish(ExecutionStatus.FAILED, failure);
        }
        verifiedAt = run.now();
        if (failed.isEmpty()) {
            return finish(ExecutionStatus.SUCCEEDED, "");
        }
        List<String> skipped = names(StepState.SKIPPED);
        return finish(ExecutionStatus.SUCCEEDED, "succeeded with " + failed.size() + " optional "
                + (failed.size() == 1 ? "step" : "steps") + " failed: " + failures(failed)
                + (skipped.isEmpty() ? "" : "; not run as a dependency failed: " + String.join(", ", skipped)));
    }

    private List<String> names(StepState state) {
        return run.steps().stream().filter(s -> s.state == state).map(StepRun::name).toList();
    }

    /** The failed steps with their errors: {@code a (exit 1), b (timed out ...)}. */
    private String failures(List<String> failed) {
        List<String> out = new ArrayList<>();
        for (String n : failed) {
            String error = run.step(n).error;
            out.add(error == null ? n : n + " (" + error + ")");
        }
        return String.join(", ", out);
    }

    /** Runs the step phase until every step is final, or a failure, cancellation or stop ends it. */
    private Outcome loop() {
        while (true) {
            Signal sig;
            while ((sig = run.inbox.poll()) != null) {
                Outcome o = handle(sig);
                if (o != null) {
                    return o;
                }
            }
            Instant now = run.now();
            attempts.interruptOverdue(now);
            Outcome o = approvals.checkTimes(now,
                    s -> stepFailed(s, 0, "approval not given within "
                    + Durations.human(s.planned.policy().approval().timeout())));
            if (o != null) {
                return o;
            }
            if (lastCheck == null || Duration.between(lastCheck, now).compareTo(run.cfg.checkInterval()) >= 0) {
                o = checkConditions();
                if (o != null) {
                    return o;
                }
            }
            launchReady();
            if (run.steps().stream().allMatch(s -> s.state.isFinal())) {
                return Outcome.SUCCEEDED;
            }
            try {
                sig = run.inbox.poll(run.cfg.pollInterval().toNanos(), TimeUnit.NANOSECONDS);
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
        if (sig instanceof Signal.AttemptStarted a) {
            StepRun s = run.step(a.step());
            if (a.attempt() == 1) {
                rec.journalStep(s, StepState.RUNNING);
            }
            rec.publish(a.step(), Kind.RUNNING, a.attempt(), "attempt " + a.attempt() + " of "
                    + s.planned.policy().maxAttempts());
            return null;
        }
        if (sig instanceof Signal.Note n) {
            rec.publish(n.step(), Kind.PROGRESS, run.step(n.step()).attempts, n.text());
            return null;
        }
        if (sig instanceof Signal.Cancel c) {
            rec.audit("plan.cancel", run.plan.name(), AuditOutcome.SUCCESS, Map.of("reason", c.reason()), c.actor());
            return new Outcome(ExecutionStatus.CANCELLED, "cancelled by " + c.actor() + ": " + c.reason());
        }
        if (sig instanceof Signal.Decision d) {
            return approvals.apply(d) ? null
                    : stepFailed(run.step(d.step()), 0, "rejected by " + d.actor() + ": " + d.comment());
        }
        return stepDone((Signal.StepDone) sig);
    }

    private @Nullable Outcome stepDone(Signal.StepDone d) {
        StepRun s = run.step(d.step());
        s.attempts = d.attempts();
        if (d.error() == null) {
            s.state = StepState.SUCCEEDED;
            s.endedAt = run.now();
            run.completionOrder.add(s.name());
            Map<String, Object> e = rec.stepEntry(s, StepState.SUCCEEDED);
            if (!s.valuesPut.isEmpty()) {
                e.put("values", new LinkedHashMap<>(s.valuesPut));
            }
            rec.journal(e);
            rec.auditStep("plan.step", s.name(), AuditOutcome.SUCCESS, Map.of("attempts", Integer.toString(s.attempts),
                    "duration", s.duration().toString(), "step", s.name()));
            rec.publish(s.name(), Kind.SUCCEEDED, s.attempts, "succeeded after " + s.attempts
                    + (s.attempts == 1 ? " attempt" : " attempts"));
            return checkConditions();
        }
        if (run.cancelled) {
            s.state = StepState.FAILED;
            s.endedAt = run.now();
            s.error = "interrupted by cancellation";
            return null;
        }
        return stepFailed(s, d.attempts(), RunState.describe(d.error()));
    }

    private @Nullable Outcome stepFailed(StepRun s, int tried, String why) {
        s.state = StepState.FAILED;
        s.endedAt = run.now();
        s.error = why;
        rec.journalStep(s, StepState.FAILED);
        rec.auditStep("plan.step", s.name(), AuditOutcome.FAILURE, Map.of("attempts", Integer.toString(tried),
                "error", why, "step", s.name(), "critical", Boolean.toString(s.planned.policy().critical())));
        rec.publish(s.name(), Kind.FAILED, tried, why);
        if (s.planned.policy().critical()) {
            return new Outcome(ExecutionStatus.FAILED, "step " + s.name() + " failed: " + why);
        }
        return null;
    }

    /** Runs the stop conditions and the THROUGHOUT verifications. */
    private @Nullable Outcome checkConditions() {
        lastCheck = run.now();
        ExecutionProgress p = run.progress();
        for (StopCondition c : run.plan.stopConditions()) {
            Optional<String> stop;
            try {
                stop = c.check(p);
            } catch (Exception e) {
                stop = Optional.of("stop condition failed: " + RunState.describe(e));
            }
            if (stop.isPresent()) {
                rec.audit("plan.abort", run.plan.name(), AuditOutcome.FAILURE, Map.of("reason", stop.get()));
                return new Outcome(ExecutionStatus.ABORTED, "stopped: " + stop.get());
            }
        }
        String failed = verifier.checkThroughout();
        return failed == null ? null : new Outcome(ExecutionStatus.ABORTED, failed);
    }

    /** Opens the gates of ready gated steps and launches ready steps up to the concurrency limit. */
    private void launchReady() {
        if (run.cancelled) {
            return; // the cancel signal is handled next; nothing starts in between
        }
        long running = run.steps().stream().filter(s -> s.state == StepState.RUNNING).count();
        for (StepRun s : run.steps()) {
            if (s.state != StepState.PENDING) {
                continue;
            }
            String blocked = failedDependency(s);
            if (blocked != null) {
                s.state = StepState.SKIPPED;
                s.endedAt = run.now();
                String note = "not run: its dependency " + blocked;
                s.notes.add(note);
                rec.auditStep("plan.step.skip", s.name(), AuditOutcome.FAILURE, Map.of("step", s.name(),
                        "reason", note));
                rec.publish(s.name(), Kind.SKIPPED, 0, note);
                continue;
            }
            if (!ready(s)) {
                continue;
            }
            if (approvals.mustWait(s)) {
                approvals.open(s);
                continue;
            }
            if (running >= run.cfg.maxConcurrency()) {
                continue;
            }
            attempts.launch(s);
            running++;
        }
    }

    /** A step is ready when every dependency succeeded. */
    private boolean ready(StepRun s) {
        for (String d : s.planned.dependsOn()) {
            if (run.step(d).state != StepState.SUCCEEDED) {
                return false;
            }
        }
        return true;
    }

    /**
     * Says which dependency of a step failed or was not run, so that the step is not run
     * either (an optional dependency's failure too: the step relied on its work), or null.
     */
    private @Nullable String failedDependency(StepRun s) {
        for (String d : s.planned.dependsOn()) {
            StepRun dep = run.step(d);
            if (dep.state == StepState.FAILED) {
                return d + " failed";
            }
            if (dep.state == StepState.SKIPPED) {
                return d + " was not run";
            }
        }
        return null;
    }

    private void skipPending() {
        for (StepRun s : run.steps()) {
            if (s.state == StepState.PENDING || s.state == StepState.AWAITING_APPROVAL) {
                s.state = StepState.SKIPPED;
                rec.publish(s.name(), Kind.SKIPPED, 0, "not run");
            }
        }
    }

    private ExecutionResult finish(ExecutionStatus status, String reason) {
        List<StepOutcome> outcomes = new ArrayList<>();
        List<String> undoFailed = new ArrayList<>();
        for (StepRun s : run.steps()) {
            outcomes.add(s.outcome());
            if (s.compensationError != null) {
                undoFailed.add(s.name());
            }
        }
        if (!undoFailed.isEmpty()) {
            reason = (reason.isEmpty() ? "" : reason + "; ") + "compensation incomplete: "
                    + String.join(", ", undoFailed) + " (undo failed: the change may still be in place)";
        }
        boolean ok = status == ExecutionStatus.SUCCEEDED;
        ExecutionResult r = new ExecutionResult(run.id, run.plan.name(), run.mode, status, reason, run.incidentId,
                run.detectedAt, run.startedAt, ok ? recoveredAt : null, ok ? verifiedAt : null, run.now(),
                run.dataAsOf(), run.plan.objectives(), outcomes, verifier.outcomes(), run.resumed, run.plannedWaits());
        rec.finished(r);
        return r;
    }
}
