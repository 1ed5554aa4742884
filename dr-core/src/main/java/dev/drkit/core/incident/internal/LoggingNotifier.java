package dev.drkit.core.incident.internal;

import dev.drkit.api.incident.Notification;
import dev.drkit.api.incident.Notifier;
import dev.drkit.api.incident.Severity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs notifications through SLF4J. */
final class LoggingNotifier implements Notifier {
    private static final Logger LOG = LoggerFactory.getLogger("dev.drkit.notifications");

    @Override
    public void send(Notification n) {
        Severity s = n.severity();
        String line = "[{}] {}{}: {}";
        Object[] args = {n.kind(), n.incidentId() == null ? "" : n.incidentId() + " ", n.subject(), n.text()};
        if (s == null || s.atLeast(Severity.SEV2)) {
            LOG.warn(line, args);
        } else {
            LOG.info(line, args);
        }
    }

    @Override
    public String toString() {
        return "LoggingNotifier";
    }
}
