package dev.drkit.core.rollback.internal;

import java.util.List;

/**
 * Decides whether an exception is a recorded failure, an ignored one, or a success, the same
 * way for the guard's evidence as for its Resilience4j circuit breakers.
 */
public final class FailureClassifier {
    private final List<Class<? extends Throwable>> recorded;
    private final List<Class<? extends Throwable>> ignored;

    /**
     * Creates a classifier.
     *
     * @param recorded exceptions that count as failures; empty means every exception
     * @param ignored exceptions that count as neither success nor failure; they win over {@code recorded}
     */
    public FailureClassifier(List<Class<? extends Throwable>> recorded, List<Class<? extends Throwable>> ignored) {
        this.recorded = List.copyOf(recorded);
        this.ignored = List.copyOf(ignored);
    }

    /**
     * Returns whether an exception is ignored.
     *
     * @param t the exception
     * @return true when it matches an ignored class
     */
    public boolean isIgnored(Throwable t) {
        for (Class<? extends Throwable> c : ignored) {
            if (c.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Returns whether an exception counts as a failure.
     *
     * @param t the exception
     * @return true when it is not ignored and matches a recorded class (or none are listed)
     */
    public boolean isRecorded(Throwable t) {
        if (isIgnored(t)) {
            return false;
        }
        if (recorded.isEmpty()) {
            return true;
        }
        for (Class<? extends Throwable> c : recorded) {
            if (c.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
