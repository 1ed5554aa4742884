package dev.drkit.core.recovery;

import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.core.audit.AuditRecord;
import java.time.Duration;
import java.time.format.DateTimeParseException;
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
     * Learns step durations from an audit log's {@code plan.step} records, so that ETAs survive
     * a restart: every successful step with a recorded duration counts.
     *
     * @param records the audit records, oldest first
     * @return this history
     */
    public ExecutionHistory learnFrom(List<AuditRecord> records) {
        for (AuditRecord r : records) {
            String step = r.details().get("step");
            String duration = r.details().get("duration");
            int slash = r.target().lastIndexOf('/');
            if (!r.action().equals("plan.step") || r.outcome() != AuditOutcome.SUCCESS
                    || step == null || duration == null || slash < 1) {
                continue;
            }
            try {
                record(r.target().substring(0, slash), step, Duration.parse(duration));
            } catch (DateTimeParseException e) {
                // a record from another writer; skip it
            }
        }
        return this;
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
