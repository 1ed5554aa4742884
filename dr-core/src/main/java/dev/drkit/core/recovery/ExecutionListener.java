package dev.drkit.core.recovery;

/** Receives an execution's progress events, on the execution's coordinating thread; must return quickly. */
@FunctionalInterface
public interface ExecutionListener {

    /**
     * Handles an event; an exception is logged and ignored.
     *
     * @param event the event
     */
    void onEvent(ExecutionEvent event);
}
