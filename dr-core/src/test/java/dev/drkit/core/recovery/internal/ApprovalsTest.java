package dev.drkit.core.recovery.internal;

import static dev.drkit.core.recovery.internal.Runs.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.recovery.ApprovalGate;
import dev.drkit.core.recovery.ExecutionEvent.Kind;
import dev.drkit.core.recovery.ExecutionStatus;
import dev.drkit.core.recovery.StepState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApprovalsTest {
    static final ApprovalGate GATE = ApprovalGate.of("dba-oncall", Duration.ofMinutes(5), "incident-commander",
            Duration.ofMinutes(15));
    final Runs runs = new Runs(Runs.plan().step("promote", c -> {
    }, s -> s.approval(GATE)).step("free", c -> {
    }).build());
    final Approvals approvals = new Approvals(runs.run, runs.rec);
    final StepRun promote = runs.run.step("promote");
    final List<String> timedOut = new ArrayList<>();

    Outcome check(Duration after) {
        return approvals.checkTimes(T0.plus(after), s -> {
            timedOut.add(s.name());
            return new Outcome(ExecutionStatus.FAILED, "timed out");
        });
    }

    @Test
    void onlyAGatedStepNotYetApprovedMustWait() {
        assertThat(approvals.mustWait(promote)).isTrue();
        assertThat(approvals.mustWait(runs.run.step("free"))).isFalse();
        approvals.open(promote);
        approvals.decide("promote", true, "ana", "go");
        approvals.apply((Signal.Decision) runs.run.inbox.poll());
        assertThat(approvals.mustWait(promote)).isFalse();
        assertThat(promote.state).isEqualTo(StepState.PENDING);
        assertThat(promote.notes).containsExactly("approved by ana: go");
        assertThat(runs.kinds()).containsExactly(Kind.AWAITING_APPROVAL, Kind.APPROVED);
        assertThat(runs.actions()).containsExactly("plan.approval.requested", "plan.approval");
    }

    @Test
    void anUnansweredGateEscalatesOnceThenTimesOut() {
        approvals.open(promote);
        assertThat(check(Duration.ofMinutes(4))).isNull();
        assertThat(runs.kinds()).containsExactly(Kind.AWAITING_APPROVAL);
        assertThat(check(Duration.ofMinutes(5))).isNull();
        assertThat(check(Duration.ofMinutes(6))).isNull();
        assertThat(runs.kinds()).containsExactly(Kind.AWAITING_APPROVAL, Kind.ESCALATED);
        assertThat(promote.notes).containsExactly("approval escalated to incident-commander after 5 min");
        assertThat(timedOut).isEmpty();
        assertThat(check(Duration.ofMinutes(15))).isEqualTo(new Outcome(ExecutionStatus.FAILED, "timed out"));
        assertThat(timedOut).containsExactly("promote");
        // a timed-out gate is decided: it is not handed over again, and nobody can decide it now
        assertThat(check(Duration.ofMinutes(16))).isNull();
        assertThatThrownBy(() -> approvals.decide("promote", true, "ana", "late"))
                .hasMessageContaining("decided already");
    }

    @Test
    void aRejectionIsLeftForTheCoordinatorToFail() {
        approvals.open(promote);
        approvals.decide("promote", false, "ana", "not now");
        assertThat(approvals.apply((Signal.Decision) runs.run.inbox.poll())).isFalse();
        assertThat(promote.state).isEqualTo(StepState.AWAITING_APPROVAL);
        assertThat(runs.audit.get(1).outcome()).isEqualTo(dev.drkit.api.audit.AuditOutcome.DENIED);
    }

    @Test
    void aDecisionIsRefusedForAStepNotWaitingUnknownOrUngated() {
        assertThatThrownBy(() -> approvals.decide("promote", true, "ana", "early"))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ILLEGAL_STATE))
                .hasMessageContaining("is not awaiting approval (it is PENDING)");
        assertThatThrownBy(() -> approvals.decide("nope", true, "ana", ""))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThatThrownBy(() -> approvals.decide("free", true, "ana", ""))
                .hasMessageContaining("has no approval gate");
        approvals.open(promote);
        approvals.decide("promote", true, "ana", "go");
        assertThatThrownBy(() -> approvals.decide("promote", false, "bob", "no"))
                .hasMessageContaining("decided already");
        assertThat(runs.run.inbox).hasSize(1);
    }
}
