package dev.drkit.core.recovery.internal;

import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.recovery.ExecutionMode;
import dev.drkit.core.recovery.ExecutionEvent;
import dev.drkit.core.recovery.ExecutionHistory;
import dev.drkit.core.recovery.Plan;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A run's shared state over a plan, for testing one part alone: fixed clock, recorded audit and events. */
final class Runs {
    static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    final List<AuditEvent> audit = new CopyOnWriteArrayList<>();
    final List<ExecutionEvent> events = new CopyOnWriteArrayList<>();
    final ExecutionHistory history = new ExecutionHistory();
    final ExecutorService executor = Executors.newCachedThreadPool();
    final RunState run;
    final Recorder rec;

    Runs(Plan plan) {
        ExecutorSettings cfg = new ExecutorSettings(Clock.fixed(T0, ZoneOffset.UTC), executor, 4, Duration.ofMillis(1),
                Duration.ofSeconds(5), null, audit::add, null, history, List.of(events::add));
        run = new RunState(cfg, plan, "x1", ExecutionMode.LIVE, "tester", null, T0, T0, false);
        rec = new Recorder(run, 0);
    }

    static Plan.Builder plan() {
        return Plan.builder("p").objectives(Duration.ofMinutes(10), Duration.ofMinutes(5));
    }

    List<ExecutionEvent.Kind> kinds() {
        return events.stream().map(ExecutionEvent::kind).toList();
    }

    List<String> actions() {
        return audit.stream().map(AuditEvent::action).toList();
    }
}
