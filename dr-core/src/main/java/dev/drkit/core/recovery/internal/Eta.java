package dev.drkit.core.recovery.internal;

import dev.drkit.core.recovery.ExecutionHistory;
import dev.drkit.core.recovery.StepState;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The estimated time left of an execution: the critical path through the DAG of the steps
 * not yet done, each taking its median duration from earlier runs, less what a running
 * step has spent already.
 */
final class Eta {
    private Eta() {
    }

    /**
     * Estimates the time left.
     *
     * @param plan the plan's name, the history's key
     * @param steps the steps in topological order
     * @param history earlier runs
     * @param now the time now
     * @return the estimate, or null when a step not done has no history
     */
    static @Nullable Duration left(String plan, Iterable<StepRun> steps, ExecutionHistory history, Instant now) {
        Map<String, Duration> finish = new HashMap<>();
        Duration max = Duration.ZERO;
        for (StepRun s : steps) {
            Duration own;
            if (s.state.isFinal()) {
                own = Duration.ZERO;
            } else {
                Optional<Duration> expected = history.expected(plan, s.name());
                if (expected.isEmpty()) {
                    return null;
                }
                own = expected.get();
                Instant st = s.startedAt;
                if (s.state == StepState.RUNNING && st != null) {
                    own = own.minus(Duration.between(st, now));
                    if (own.isNegative()) {
                        own = Duration.ZERO;
                    }
                }
            }
            Duration begin = Duration.ZERO;
            for (String d : s.planned.dependsOn()) {
                Duration f = finish.getOrDefault(d, Duration.ZERO);
                if (f.compareTo(begin) > 0) {
                    begin = f;
                }
            }
            Duration end = begin.plus(own);
            finish.put(s.name(), end);
            if (end.compareTo(max) > 0) {
                max = end;
            }
        }
        return max;
    }
}
