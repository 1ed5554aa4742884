package dev.drkit.core.recovery;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.audit.AuditSink;
import dev.drkit.api.recovery.ExecutionMode;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.recovery.internal.ExecutionJournal;
import dev.drkit.core.recovery.internal.ExecutionRun;
import dev.drkit.core.recovery.internal.ExecutorSettings;
import dev.drkit.core.report.Durations;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Runs recovery plans: steps in dependency order, parallel where the DAG allows and the
 * concurrency limit permits, each attempt bounded by its timeout and retried with backoff,
 * approvals awaited, completed steps compensated on failure, verifications checked, and the
 * RTO and RPO measured. With a journal store, an execution interrupted by a crash resumes
 * from its last completed step through {@link #resume}.
 *
 * <p>Thread-safe; one executor runs any number of executions. Close it to stop its threads.
 */
public final class RecoveryExecutor implements AutoCloseable {
    private final ExecutorSettings config;
    private final boolean ownsExecutor;

    private RecoveryExecutor(ExecutorSettings config, boolean ownsExecutor) {
        this.config = config;
        this.ownsExecutor = ownsExecutor;
    }

    /**
     * Returns a builder with the system clock, no journal, no audit and no meters.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts an execution of a plan.
     *
     * @param plan the plan
     * @param request mode, actor, detection time, incident
     * @return the running execution
     * @throws DrException {@code ALREADY_EXISTS} when this executor runs an execution with the
     *     requested id, or the journal holds one, saying whether it finished (and how) or can be
     *     resumed; {@code LOCKED} when another process holds the id's lease in the journal;
     *     {@code INVALID_ARGUMENT} for a detection time after now
     */
    public Execution start(Plan plan, ExecutionRequest request) {
        return ExecutionRun.start(config, plan, request);
    }

    /**
     * Runs a plan within a time limit and waits for its result.
     *
     * <p>The limit bounds the run, not only the wait: when the execution has not ended within
     * it, the execution is cancelled as {@link Execution#cancel} does (in the request's actor's
     * name, audited as {@code plan.cancel}): no further step starts, running steps are
     * interrupted and completed ones compensated. This method returns only once the execution
     * has ended, so the cancellation's compensation may add up to the steps' timeouts to the
     * limit. To wait without cancelling, use {@link #start} and {@link Execution#await}.
     *
     * @param plan the plan
     * @param request mode, actor, detection time, incident
     * @param limit how long the execution may run before it is cancelled
     * @return the result
     * @throws DrException {@code TIMEOUT} with the execution id as input when the execution did
     *     not end within the limit and was cancelled
     */
    public ExecutionResult run(Plan plan, ExecutionRequest request, Duration limit) {
        Objects.requireNonNull(limit, "limit");
        Execution execution = start(plan, request);
        try {
            return execution.await(limit);
        } catch (DrException e) {
            if (e.code() != ErrorCode.TIMEOUT) {
                throw e;
            }
            execution.cancel(request.actor(), "the run limit of " + Durations.human(limit) + " was reached");
            ExecutionResult ended = awaitEnd(execution);
            if (ended.status() != ExecutionStatus.CANCELLED) {
                return ended; // it ended on its own before the cancellation took effect
            }
            throw new DrException(ErrorCode.TIMEOUT, "execution " + execution.id() + " of plan " + plan.name()
                    + " did not end within " + Durations.human(limit) + " and was cancelled: running steps interrupted, completed"
                    + " ones compensated", execution.id(), e);
        }
    }

    /** Waits for a cancelled execution to end; its compensation is bounded by the steps' timeouts. */
    private static ExecutionResult awaitEnd(Execution execution) {
        try {
            return execution.result().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DrException(ErrorCode.CANCELLED, "interrupted while execution " + execution.id()
                    + " was being cancelled", execution.id(), e);
        } catch (ExecutionException e) {
            throw new DrException(ErrorCode.ILLEGAL_STATE, "execution " + execution.id() + " broke: " + e.getCause(),
                    execution.id(), e.getCause());
        }
    }

    /**
     * Resumes an execution from its journal: steps that completed are not run again, a step
     * that was running is run again with the same idempotency key, and the RTO still counts
     * from the original detection.
     *
     * @param plan the same plan the execution ran
     * @param executionId the execution's id
     * @return the running execution
     * @throws DrException {@code ILLEGAL_STATE} without a journal store or when the execution
     *     finished (the message gives its status); {@code NOT_FOUND} when the journal has no such execution;
     *     {@code INVALID_ARGUMENT} when the plan's shape differs; {@code INTEGRITY} when the
     *     journal is damaged other than at its tail; {@code LOCKED} naming the holder (actor,
     *     host, pid, since when, lease expiry) while this executor or another process runs it:
     *     a lease that expired, or that a process of this host that no longer runs held, is
     *     taken over
     */
    public Execution resume(Plan plan, String executionId) {
        return ExecutionRun.resume(config, plan, executionId, null);
    }

    /**
     * Resumes an execution from its journal as {@link #resume(Plan, String)} does, refusing
     * when it ran in another mode: a drill is never resumed live, nor a live run as a drill.
     *
     * @param plan the same plan the execution ran
     * @param executionId the execution's id
     * @param mode the mode the caller means the execution to run in
     * @return the running execution
     * @throws DrException {@code INVALID_ARGUMENT} with input {@code mode} when the execution
     *     ran in the other mode; else as {@link #resume(Plan, String)}
     */
    public Execution resume(Plan plan, String executionId, ExecutionMode mode) {
        return ExecutionRun.resume(config, plan, executionId, Objects.requireNonNull(mode, "mode"));
    }

    /**
     * Lists the executions in the journal that have not finished, for resumption after a restart.
     *
     * @return their ids
     * @throws DrException {@code ILLEGAL_STATE} without a journal store
     */
    public List<String> unfinished() {
        if (config.journal() == null) {
            throw new DrException(ErrorCode.ILLEGAL_STATE, "the executor has no journal store", null);
        }
        return config.journal().unfinished();
    }

    @Override
    public void close() {
        if (ownsExecutor) {
            config.stepExecutor().shutdownNow();
        }
    }

    /** Builds a {@link RecoveryExecutor}. */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private @Nullable ExecutorService stepExecutor;
        private int maxConcurrency = 4;
        private Duration pollInterval = Duration.ofMillis(10);
        private Duration checkInterval = Duration.ofSeconds(5);
        private @Nullable SnapshotStore journalStore;
        private String journalPrefix = "executions";
        private @Nullable AuditSink audit;
        private @Nullable MeterRegistry meters;
        private ExecutionHistory history = new ExecutionHistory();
        private final List<ExecutionListener> listeners = new ArrayList<>();

        private Builder() {
        }

        /**
         * Sets the clock; tests pass a manual one.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Sets the executor that runs step attempts; the caller keeps ownership of it.
         *
         * @param executor the executor
         * @return this builder
         */
        public Builder stepExecutor(ExecutorService executor) {
            this.stepExecutor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * Sets how many steps of one execution may run at once.
         *
         * @param limit the limit, {@code >= 1}
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} below 1
         */
        public Builder maxConcurrency(int limit) {
            if (limit < 1) {
                throw DrException.invalidArgument("maxConcurrency", "must be >= 1", limit);
            }
            this.maxConcurrency = limit;
            return this;
        }

        /**
         * Sets how often a waiting execution looks at the clock (timeouts, approvals).
         *
         * @param interval the interval, {@code > 0}
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} when not positive
         */
        public Builder pollInterval(Duration interval) {
            if (interval.isNegative() || interval.isZero()) {
                throw DrException.invalidArgument("pollInterval", "must be > 0", interval);
            }
            this.pollInterval = interval;
            return this;
        }

        /**
         * Sets how often, by the clock, stop conditions and throughout-verifications run while
         * the execution waits; they also run after every step.
         *
         * @param interval the interval, {@code > 0}
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} when not positive
         */
        public Builder checkInterval(Duration interval) {
            if (interval.isNegative() || interval.isZero()) {
                throw DrException.invalidArgument("checkInterval", "must be > 0", interval);
            }
            this.checkInterval = interval;
            return this;
        }

        /**
         * Keeps a journal of every execution in a store, so that it can be resumed after a crash.
         * {@link #build()} creates the store's location when it is missing (a file store's
         * directory); once built, a location that disappears fails the journal's writes.
         *
         * @param store the store
         * @param prefix the key prefix, such as {@code executions}
         * @return this builder
         */
        public Builder journal(SnapshotStore store, String prefix) {
            this.journalStore = Objects.requireNonNull(store, "store");
            this.journalPrefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        /**
         * Records every start, step, approval, compensation and end in an audit sink.
         *
         * @param audit the sink
         * @return this builder
         */
        public Builder audit(AuditSink audit) {
            this.audit = Objects.requireNonNull(audit, "audit");
            return this;
        }

        /**
         * Publishes {@code dr.recovery.duration} and {@code dr.recovery.objective.breach}.
         *
         * @param registry the registry
         * @return this builder
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.meters = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * Sets the history that ETAs come from and that executions add to.
         *
         * @param history the history
         * @return this builder
         */
        public Builder history(ExecutionHistory history) {
            this.history = Objects.requireNonNull(history, "history");
            return this;
        }

        /**
         * Adds a progress listener for every execution.
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder listener(ExecutionListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Builds the executor.
         *
         * @return the executor
         */
        public RecoveryExecutor build() {
            if (journalStore != null) {
                journalStore.createLocationIfMissing(); // a journal's first use makes a file store's directory
            }
            boolean owns = stepExecutor == null;
            ExecutorService ex = stepExecutor;
            if (ex == null) {
                AtomicInteger n = new AtomicInteger();
                ex = Executors.newCachedThreadPool(r -> {
                    Thread t = new Thread(r, "dr-step-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
            }
            ExecutionJournal journal = journalStore == null ? null : new ExecutionJournal(journalStore, journalPrefix);
            return new RecoveryExecutor(new ExecutorSettings(clock, ex, maxConcurrency, pollInterval, checkInterval, journal,
                    audit, meters, history, List.copyOf(listeners)), owns);
        }
    }
}
