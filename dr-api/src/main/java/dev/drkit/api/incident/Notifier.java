package dev.drkit.api.incident;

/**
 * Sends notifications to people: a log, a chat webhook, a pager. DR Kit ships a logging and a
 * JSON webhook notifier; users add their own.
 */
@FunctionalInterface
public interface Notifier {

    /**
     * Sends a notification.
     *
     * @param notification what to send
     * @throws Exception when it could not be sent; callers record the failure and go on
     */
    void send(Notification notification) throws Exception;
}
