package dev.drkit.core.incident;

import dev.drkit.api.incident.Notifier;
import dev.drkit.core.incident.internal.BuiltInNotifiers;
import java.net.URI;
import java.time.Duration;

/** The built-in {@link Notifier}s: one that logs through SLF4J and one that posts JSON to a webhook. */
public final class Notifiers {
    private Notifiers() {
    }

    /**
     * Returns a notifier that logs each notification at WARN (INFO for SEV3 and SEV4) on the
     * logger {@code dev.drkit.notifications}.
     *
     * @return the notifier
     */
    public static Notifier logging() {
        return BuiltInNotifiers.logging();
    }

    /**
     * Returns a notifier that POSTs each notification as a JSON object ({@code kind},
     * {@code subject}, {@code text}, {@code severity}, {@code incidentId}, {@code at},
     * {@code fields}) and counts any status but 2xx as a failure.
     *
     * @param endpoint the webhook's URL
     * @param timeout how long to wait for an answer
     * @return the notifier
     */
    public static Notifier webhook(URI endpoint, Duration timeout) {
        return BuiltInNotifiers.webhook(endpoint, timeout);
    }
}
