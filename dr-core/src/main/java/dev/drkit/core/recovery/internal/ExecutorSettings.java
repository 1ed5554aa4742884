package dev.drkit.core.recovery.internal;

import dev.drkit.api.audit.AuditSink;
import dev.drkit.core.recovery.ExecutionHistory;
import dev.drkit.core.recovery.ExecutionListener;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import org.jspecify.annotations.Nullable;

/**
 * A recovery executor's settings, shared by its executions.
 *
 * @param clock the clock that timestamps and measures everything
 * @param stepExecutor runs step attempts
 * @param maxConcurrency how many steps of one execution run at once
 * @param pollInterval how often a waiting execution looks at the clock
 * @param checkInterval how often stop conditions and throughout-verifications run while waiting
 * @param journal the journal, or null
 * @param audit the audit sink, or null
 * @param meters the meter registry, or null
 * @param history the step durations of earlier runs
 * @param listeners progress listeners of every execution
 * @param running the executions of this executor that have not ended, by id, with who started
 *     them and when, so that an id is not run twice at once
 */
public record ExecutorSettings(Clock clock, ExecutorService stepExecutor, int maxConcurrency, Duration pollInterval,
        Duration checkInterval, @Nullable ExecutionJournal journal, @Nullable AuditSink audit,
        @Nullable MeterRegistry meters, ExecutionHistory history, List<ExecutionListener> listeners,
        Map<String, String> running) {

    /** Settings with no execution running yet. */
    public ExecutorSettings(Clock clock, ExecutorService stepExecutor, int maxConcurrency, Duration pollInterval,
            Duration checkInterval, @Nullable ExecutionJournal journal, @Nullable AuditSink audit,
            @Nullable MeterRegistry meters, ExecutionHistory history, List<ExecutionListener> listeners) {
        this(clock, stepExecutor, maxConcurrency, pollInterval, checkInterval, journal, audit, meters, history,
                listeners, new ConcurrentHashMap<>());
    }
}
