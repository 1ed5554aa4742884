package dev.drkit.core.recovery;

import dev.drkit.api.incident.Notification;
import dev.drkit.api.incident.Notifier;
import dev.drkit.core.recovery.ExecutionEvent.Kind;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link ExecutionListener} that tells people what needs them: an approval to give, an
 * approval that escalated, a failed step, and how the execution ended. A notifier that fails
 * is logged and does not disturb the execution.
 */
public final class ExecutionNotifications implements ExecutionListener {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutionNotifications.class);
    private static final EnumSet<Kind> KINDS = EnumSet.of(Kind.AWAITING_APPROVAL, Kind.ESCALATED, Kind.FAILED,
            Kind.FINISHED);

    private final Notifier notifier;

    private ExecutionNotifications(Notifier notifier) {
        this.notifier = notifier;
    }

    /**
     * Returns a listener that sends through a notifier.
     *
     * @param notifier where to send
     * @return the listener, for {@link RecoveryExecutor.Builder#listener}
     */
    public static ExecutionListener to(Notifier notifier) {
        return new ExecutionNotifications(Objects.requireNonNull(notifier, "notifier"));
    }

    @Override
    public void onEvent(ExecutionEvent e) {
        if (!KINDS.contains(e.kind())) {
            return;
        }
        String subject = switch (e.kind()) {
            case AWAITING_APPROVAL -> "Approval needed: step " + e.step() + " of plan " + e.planName();
            case ESCALATED -> "Approval escalated: step " + e.step() + " of plan " + e.planName();
            case FAILED -> "Step " + e.step() + " of plan " + e.planName() + " failed";
            default -> "Plan " + e.planName() + ": " + e.message();
        };
        try {
            notifier.send(new Notification(e.at(), "plan." + e.kind().name().toLowerCase(Locale.ROOT), subject,
                    e.message(), null, null, Map.of("plan", e.planName(), "execution", e.executionId(),
                            "step", e.step() == null ? "" : e.step(), "percentDone",
                            String.format(Locale.ROOT, "%.0f", e.progress().percentDone()))));
        } catch (Exception ex) {
            LOG.warn("notifier {} failed on {} of execution {}: {}", notifier, e.kind(), e.executionId(), ex.toString());
        }
    }
}
