package dev.drkit.core.incident.internal;

import dev.drkit.api.incident.Notifier;
import java.net.URI;
import java.time.Duration;

/**
 * The one way from {@code Notifiers} into the built-in notifiers, so that they stay
 * package-private. Not API.
 */
public final class BuiltInNotifiers {
    private BuiltInNotifiers() {
    }

    /**
     * Returns the notifier that logs through SLF4J.
     *
     * @return the notifier
     */
    public static Notifier logging() {
        return new LoggingNotifier();
    }

    /**
     * Returns the notifier that posts JSON to a webhook.
     *
     * @param endpoint the webhook's URL
     * @param timeout how long to wait for an answer
     * @return the notifier
     */
    public static Notifier webhook(URI endpoint, Duration timeout) {
        return new WebhookNotifier(endpoint, timeout);
    }
}
