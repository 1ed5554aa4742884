package dev.drkit.core.recovery;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How long each step took in earlier executions of a plan, which gives a running execution
 * its ETA: the median of the last {@value #KEPT} successful runs of each step. Thread-safe.
 */
public final class ExecutionHistory {
    /** How many durations are kept per step. */
    public static final int KEPT = 10;

    private final Map<String, Deque<Duration>> durations = new ConcurrentHashMap<>();

    /** Creates an empty history. */
    public ExecutionHistory() {
    }

    private static String key(String plan, String step) {
        return plan + "\u0000" + step;
    }

    /**
     * Records the step durations of a finished execution (successful steps only).
     *
     * @param result the execution's result
     */
    public void record(ExecutionResult result) {
        for (StepOutcome s : result.steps()) {
            if (s.state() == StepState.SUCCEEDED && !s.resumed()) {
                s.duration().ifPresent(d -> record(result.planName(), s.name(), d));
            }
        }
    }

    /**
     * Records one step duration.
     *
     * @param plan the plan
     * @param step the step
     * @param duration how long it took
     */
    public void record(String plan, String step, Duration duration) {
        Deque<Duration> q = durations.computeIfAbsent(key(plan, step), k -> new ArrayDeque<>());
        synchronized (q) {
            q.addLast(duration);
            while (q.size() > KEPT) {
                q.removeFirst();
            }
        }
    }

    /**
     * Returns how long a step is expected to take.
     *
     * @param plan the plan
     * @param step the step
     * @return the median of its recorded durations, or empty when it never ran
     */
    public Optional<Duration> expected(String plan, String step) {
        Deque<Duration> q = durations.get(key(plan, step));
        if (q == null) {
            return Optional.empty();
        }
        List<Duration> copy;
        synchronized (q) {
            copy = new ArrayList<>(q);
        }
        if (copy.isEmpty()) {
            return Optional.empty();
        }
        Collections.sort(copy);
        return Optional.of(copy.get(copy.size() / 2));
    }
}
