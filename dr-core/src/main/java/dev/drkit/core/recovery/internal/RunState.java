package dev.drkit.core.recovery.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.recovery.ExecutionMode;
import dev.drkit.api.recovery.RecoveryPlan.PlannedStep;
import dev.drkit.core.recovery.ExecutionProgress;
import dev.drkit.core.recovery.Plan;
import dev.drkit.core.recovery.StepState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import org.jspecify.annotations.Nullable;

/** What the parts of one execution share: its identity, its steps, its inbox and its flags. */
final class RunState {
    final ExecutorSettings cfg;
    final Plan plan;
    final String id;
    final ExecutionMode mode;
    final String actor;
    final @Nullable String incidentId;
    final Clock clock;
    final Instant detectedAt;
    final Instant startedAt;
    final boolean resumed;
    final BlockingQueue<Signal> inbox = new LinkedBlockingQueue<>();
    /** Values steps put for later steps, kept across a resume. */
    final Map<String, String> values = new ConcurrentHashMap<>();
    /** Succeeded steps in the order they succeeded, which compensation reverses. */
    final List<String> completionOrder = new ArrayList<>();
    private final Map<String, StepRun> steps = new LinkedHashMap<>();
    /** Set once the step phase ended: no new attempt starts, no failure is retried. */
    volatile boolean stopping;
    volatile boolean cancelled;
    private volatile @Nullable Instant dataAsOf;

    RunState(ExecutorSettings cfg, Plan plan, String id, ExecutionMode mode, String actor,
            @Nullable String incidentId, Instant detectedAt, Instant startedAt, boolean resumed) {
        this.cfg = cfg;
        this.plan = plan;
        this.id = id;
        this.mode = mode;
        this.actor = actor;
        this.incidentId = incidentId;
        this.clock = cfg.clock();
        this.detectedAt = detectedAt;
        this.startedAt = startedAt;
        this.resumed = resumed;
        for (PlannedStep s : plan.steps()) {
            steps.put(s.name(), new StepRun(s));
        }
    }

    Collection<StepRun> steps() {
        return steps.values();
    }

    /** Returns a step of the plan; names come from the plan or its signals. */
    StepRun step(String name) {
        StepRun s = steps.get(name);
        if (s == null) {
            throw new DrException(ErrorCode.NOT_FOUND, "plan " + plan.name() + " has no step " + name, name);
        }
        return s;
    }

    @Nullable StepRun findStep(String name) {
        return steps.get(name);
    }

    boolean anyIn(StepState state) {
        return steps.values().stream().anyMatch(s -> s.state == state);
    }

    Instant now() {
        return clock.instant();
    }

    @Nullable Instant dataAsOf() {
        return dataAsOf;
    }

    /** Keeps the oldest restored-data time: the RPO is as bad as the stalest restore. */
    /** The value under which a step's {@code plannedWait} is kept, journaled with the step's values. */
    static final String PLANNED_WAIT = "dr.plannedWait.";

    /** The waits the steps skipped in a drill and a live run would take. */
    Duration plannedWaits() {
        Duration sum = Duration.ZERO;
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (e.getKey().startsWith(PLANNED_WAIT)) {
                sum = sum.plus(Duration.parse(e.getValue()));
            }
        }
        return sum;
    }

    synchronized void noteDataAsOf(Instant t) {
        Instant cur = dataAsOf;
        if (cur == null || t.isBefore(cur)) {
            dataAsOf = t;
        }
    }

    /**
     * Replays a journal entry of a resumed run: a step that succeeded stays done, with its
     * values and restored-data time; a RUNNING or FAILED one runs again.
     *
     * @throws IllegalArgumentException naming the field when the entry is malformed
     */
    void replay(Map<String, Object> e) {
        if (!"step".equals(e.get("type"))) {
            return;
        }
        StepRun s = findStep(ExecutionJournal.text(e, "step"));
        if (s == null) {
            return;
        }
        Instant started = ExecutionJournal.optionalInstant(e, "startedAt");
        StepState state = ExecutionJournal.constant(e, "state", StepState.class);
        s.wasRunning = state == StepState.RUNNING;
        if (state == StepState.SUCCEEDED) {
            // a step that runs again counts from its new start, not across the time nobody ran it
            s.startedAt = started;
            int attempts = ExecutionJournal.count(e, "attempts", 1);
            Instant ended = ExecutionJournal.instant(e, "at");
            Instant asOf = ExecutionJournal.optionalInstant(e, Recorder.DATA_AS_OF);
            s.state = StepState.SUCCEEDED;
            s.resumed = true;
            s.attempts = attempts;
            s.endedAt = ended;
            if (e.get("values") instanceof Map<?, ?> m) {
                m.forEach((k, v) -> values.put(String.valueOf(k), String.valueOf(v)));
            }
            if (asOf != null) {
                noteDataAsOf(asOf);
            }
            completionOrder.add(s.name());
        }
    }

    ExecutionProgress progress() {
        Map<String, StepState> states = new LinkedHashMap<>();
        int done = 0;
        for (StepRun s : steps.values()) {
            states.put(s.name(), s.state);
            if (s.state == StepState.SUCCEEDED || s.state == StepState.COMPENSATED) {
                done++;
            }
        }
        Instant now = clock.instant();
        return new ExecutionProgress(id, states, steps.isEmpty() ? 100.0 : 100.0 * done / steps.size(),
                Duration.between(startedAt, now), Eta.left(plan.name(), steps.values(), cfg.history(), now));
    }

    /**
     * Says what went wrong, for notes, audit records and reasons: the throwable's type (an
     * error's own, as {@code StackOverflowError}) and message; without a message, the first
     * message down the cause chain with the types it passed ({@code IllegalStateException:
     * IOException: disk gone}); with no message anywhere, where it was thrown.
     */
    static String describe(Throwable t) {
        StringBuilder types = new StringBuilder();
        Throwable c = t;
        for (int depth = 0; c != null && depth < 16; depth++) {
            String m = c.getMessage();
            if (m != null && !m.isBlank()) {
                return types + (c instanceof DrException ? "" : c.getClass().getSimpleName() + ": ") + m;
            }
            types.append(c.getClass().getSimpleName()).append(": ");
            c = c.getCause() == c ? null : c.getCause();
        }
        StackTraceElement[] trace = t.getStackTrace();
        return types.substring(0, types.length() - 2) + " (no message"
                + (trace.length == 0 ? ")" : ", thrown at " + trace[0] + ")");
    }
}
