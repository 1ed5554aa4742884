package dev.drkit.core.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.drkit.api.incident.Notification;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExecutionNotificationsTest {
    static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    final List<Notification> sent = new ArrayList<>();
    final ExecutionListener listener = ExecutionNotifications.to(sent::add);

    static ExecutionEvent event(String step, ExecutionEvent.Kind kind, String message) {
        return new ExecutionEvent("x1", "orders", step, kind, 0, T0,
                new ExecutionProgress("x1", Map.of(), 50.0, Duration.ZERO, null), message);
    }

    @Test
    void peopleAreToldWhatNeedsThemAndNothingElse() {
        for (ExecutionEvent.Kind k : ExecutionEvent.Kind.values()) {
            listener.onEvent(event(k == ExecutionEvent.Kind.FINISHED ? null : "restore", k, "m " + k));
        }
        assertThat(sent).extracting(Notification::kind).containsExactly("plan.awaiting_approval", "plan.escalated",
                "plan.failed", "plan.finished");
        assertThat(sent).extracting(Notification::subject).containsExactly(
                "Approval needed: step restore of plan orders", "Approval escalated: step restore of plan orders",
                "Step restore of plan orders failed", "Plan orders: m FINISHED");
        assertThat(sent.get(0).fields()).containsEntry("percentDone", "50").containsEntry("step", "restore");
    }

    @Test
    void aFailingNotifierDoesNotDisturbTheExecution() {
        ExecutionListener failing = ExecutionNotifications.to(n -> {
            throw new IllegalStateException("webhook down");
        });
        assertThatCode(() -> failing.onEvent(event("restore", ExecutionEvent.Kind.FAILED, "boom")))
                .doesNotThrowAnyException();
    }
}
