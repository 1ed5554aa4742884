package dev.drkit.core.recovery.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.api.recovery.ApprovalGate;
import dev.drkit.core.recovery.ExecutionEvent.Kind;
import dev.drkit.core.recovery.StepState;
import dev.drkit.core.report.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The approval gates of an execution: opening a gate when its step is ready, taking a
 * person's decision (from any thread, once), escalating an unanswered gate and failing
 * its step when the gate times out, all by the execution's clock.
 */
final class Approvals {
    private final RunState run;
    private final Recorder rec;

    Approvals(RunState run, Recorder rec) {
        this.run = run;
        this.rec = rec;
    }

    /** Returns whether the step must wait for a decision before it runs. */
    boolean mustWait(StepRun s) {
        return s.planned.policy().approval() != null && !s.approved;
    }

    /** Opens the step's gate: the step waits, the approvers are asked. */
    void open(StepRun s) {
        ApprovalGate gate = s.planned.policy().approval();
        s.state = StepState.AWAITING_APPROVAL;
        s.gateOpenedAt = run.now();
        rec.auditStep("plan.approval.requested", s.name(), AuditOutcome.STARTED,
                Map.of("approvers", gate.approvers(), "timeout", gate.timeout().toString()));
        rec.publish(s.name(), Kind.AWAITING_APPROVAL, 0, "waiting for approval by " + gate.approvers());
    }

    /**
     * Takes a decision from a caller's thread and passes it to the coordinator.
     *
     * @throws DrException {@code NOT_FOUND} for an unknown step, {@code ILLEGAL_STATE} for a
     *     step without a gate, one not waiting, or one decided already
     */
    void decide(String step, boolean approved, String approver, String comment) {
        StepRun s = run.findStep(step);
        if (s == null) {
            throw new DrException(ErrorCode.NOT_FOUND, "plan " + run.plan.name() + " has no step " + step, step);
        }
        if (s.planned.policy().approval() == null) {
            throw new DrException(ErrorCode.ILLEGAL_STATE, "step " + step + " has no approval gate", step);
        }
        synchronized (s) {
            if (s.decided) {
                throw new DrException(ErrorCode.ILLEGAL_STATE, "step " + step + " was decided already ("
                        + s.decision + "); it is " + s.state, step);
            }
            if (s.state != StepState.AWAITING_APPROVAL) {
                throw new DrException(ErrorCode.ILLEGAL_STATE, "step " + step + " is not awaiting approval (it is "
                        + s.state + ")", step);
            }
            s.decided = true;
            s.decision = (approved ? "approved by " : "rejected by ") + approver;
        }
        run.inbox.add(new Signal.Decision(step, approved, approver, comment));
    }

    /**
     * Applies a decision on the coordinating thread: an approved step goes back to PENDING
     * to run; a rejected one is left for the caller to fail.
     *
     * @return whether the step was approved
     */
    boolean apply(Signal.Decision d) {
        StepRun s = run.step(d.step());
        rec.audit("plan.approval", run.plan.name() + "/" + d.step(), d.approved() ? AuditOutcome.SUCCESS
                : AuditOutcome.DENIED, Map.of("comment", d.comment(), "decision", d.approved() ? "approve" : "reject"),
                d.actor());
        if (d.approved()) {
            s.notes.add("approved by " + d.actor() + ": " + d.comment());
            s.approved = true;
            s.state = StepState.PENDING;
            rec.publish(s.name(), Kind.APPROVED, 0, "approved by " + d.actor() + ": " + d.comment());
        }
        return d.approved();
    }

    /**
     * Escalates gates unanswered past their escalation time and hands each gate past its
     * timeout to {@code timedOut}, which fails the step.
     *
     * @param now the time by the execution's clock
     * @param timedOut fails a step whose gate timed out; a non-null outcome ends the check
     * @return the first non-null outcome of {@code timedOut}, or null
     */
    @Nullable Outcome checkTimes(Instant now, Function<StepRun, @Nullable Outcome> timedOut) {
        for (StepRun s : run.steps()) {
            ApprovalGate gate = s.planned.policy().approval();
            Instant opened = s.gateOpenedAt;
            if (s.state != StepState.AWAITING_APPROVAL || s.decided || gate == null || opened == null) {
                continue;
            }
            Duration waited = Duration.between(opened, now);
            if (!s.escalated && waited.compareTo(gate.escalateAfter()) >= 0) {
                s.escalated = true;
                rec.auditStep("plan.approval.escalated", s.name(), AuditOutcome.STARTED,
                        Map.of("escalateTo", gate.escalateTo(), "waited", waited.toString()));
                s.notes.add("approval escalated to " + gate.escalateTo() + " after " + Durations.human(waited));
                rec.publish(s.name(), Kind.ESCALATED, 0, "approval by " + gate.approvers() + " not given after "
                        + Durations.human(waited) + "; escalated to " + gate.escalateTo());
            }
            if (waited.compareTo(gate.timeout()) >= 0) {
                synchronized (s) {
                    if (s.decided) {
                        continue;
                    }
                    s.decided = true;
                    s.decision = "approval not given within " + Durations.human(gate.timeout());
                }
                Outcome o = timedOut.apply(s);
                if (o != null) {
                    return o;
                }
            }
        }
        return null;
    }
}
