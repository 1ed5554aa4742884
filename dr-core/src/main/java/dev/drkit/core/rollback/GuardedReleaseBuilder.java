package dev.drkit.core.rollback;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.Ticker;
import dev.drkit.api.audit.AuditSink;
import dev.drkit.api.coordination.Coordinator;
import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.rollback.Judge;
import dev.drkit.api.rollback.RollbackTrigger;
import dev.drkit.core.rollback.internal.DecisionLog;
import dev.drkit.core.rollback.internal.FailureClassifier;
import dev.drkit.core.rollback.internal.ProbeRunner;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.function.BiFunction;
import java.util.function.BiPredicate;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Builds a {@link GuardedRelease}. Setting the same thing twice is an error.
 *
 * @param <T> the interface both versions implement
 */
public final class GuardedReleaseBuilder<T> {
    private final String name;
    private GuardConfig config = GuardConfig.DEFAULT;
    private boolean configSet;
    private @Nullable Judge judge;
    private Clock clock = Clock.systemUTC();
    private Ticker ticker = Ticker.system();
    private MissingData probeNoAnswer = MissingData.HOLD;
    private MissingData latencyNoData = MissingData.HOLD;
    private @Nullable String stableVersion;
    private @Nullable T stableImpl;
    private @Nullable String candidateVersion;
    private @Nullable Supplier<? extends T> candidateFactory;
    private final List<HealthProbe> candidateProbes = new ArrayList<>();
    private final List<HealthProbe> stableProbes = new ArrayList<>();
    private final List<RollbackTrigger> triggers = new ArrayList<>();
    private final List<RollbackCondition> conditions = new ArrayList<>();
    private final List<Class<? extends Throwable>> recordExceptions = new ArrayList<>();
    private final List<Class<? extends Throwable>> ignoreExceptions = new ArrayList<>();
    private @Nullable Predicate<Object> failureResult;
    private BiPredicate<Object, Object> comparator = Objects::equals;
    private @Nullable ScheduledExecutorService scheduler;
    private @Nullable ExecutorService probeExecutor;
    private @Nullable AuditSink audit;
    private @Nullable MeterRegistry registry;
    private final List<GuardListener> listeners = new ArrayList<>();
    private @Nullable Coordinator coordinator;

    GuardedReleaseBuilder(String name) {
        if (Objects.requireNonNull(name, "name").isBlank()) {
            throw DrException.invalidArgument("name", "must not be blank", "'" + name + "'");
        }
        this.name = name;
    }

    private static void once(boolean alreadySet, String field) {
        if (alreadySet) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, field + " is set twice", field);
        }
    }

    /**
     * Sets the stable version.
     *
     * @param version its name, such as {@code v1}
     * @param impl the implementation
     * @return this builder
     * @throws DrException {@code INVALID_ARGUMENT} when set twice
     */
    public GuardedReleaseBuilder<T> stable(String version, T impl) {
        once(stableVersion != null, "stable");
        this.stableVersion = Objects.requireNonNull(version, "version");
        this.stableImpl = Objects.requireNonNull(impl, "impl");
        return this;
    }

    /**
     * Sets the candidate, created by a factory when the guard is built; a factory that
     * throws leaves the guard on the stable version.
     *
     * @param version its name, such as {@code v2}
     * @param factory creates the implementation
     * @return this builder
     * @throws DrException {@code INVALID_ARGUMENT} when set twice
     */
    public GuardedReleaseBuilder<T> candidate(String version, Supplier<? extends T> factory) {
        once(candidateVersion != null, "candidate");
        this.candidateVersion = Objects.requireNonNull(version, "version");
        this.candidateFactory = Objects.requireNonNull(factory, "factory");
        return this;
    }

    /**
     * Sets the configuration (default {@link GuardConfig#DEFAULT}).
     *
     * @param value the configuration
     * @return this builder
     * @throws DrException {@code INVALID_ARGUMENT} when set twice
     */
    public GuardedReleaseBuilder<T> config(GuardConfig value) {
        once(configSet, "config");
        this.config = Objects.requireNonNull(value, "config");
        this.configSet = true;
        return this;
    }

    /**
     * Replaces the sequential judge of the configuration with another judge.
     *
     * @param value the judge
     * @return this builder
     * @throws DrException {@code INVALID_ARGUMENT} when set twice
     */
    public GuardedReleaseBuilder<T> judge(Judge value) {
        once(judge != null, "judge");
        this.judge = Objects.requireNonNull(value, "judge");
        return this;
    }

    /**
     * Sets the clock for step durations, revert windows, conditions and circuit breakers.
     *
     * @param value the clock
     * @return this builder
     */
    public GuardedReleaseBuilder<T> clock(Clock value) {
        this.clock = Objects.requireNonNull(value, "clock");
        return this;
    }

    /**
     * Sets the ticker that times calls for the latency limits and the slow-call rate, and
     * probes for their latency and their timeout (default {@link Ticker#system()}). It is read
     * from the calling threads and the probe threads, so it must be thread-safe.
     *
     * @param value the ticker
     * @return this builder
     */
    public GuardedReleaseBuilder<T> ticker(Ticker value) {
        this.ticker = Objects.requireNonNull(value, "ticker");
        return this;
    }

    /**
     * Sets what a candidate probe that does not answer within {@link ProbeSettings#timeout()}
     * (or whose previous poll is still running) counts as: {@link MissingData#HOLD} (default)
     * holds the step without counting toward a rollback, so a probe that hangs never rolls
     * back; {@link MissingData#IGNORE} counts it as UP; {@link MissingData#FAIL} as DOWN, so
     * {@link ProbeSettings#downThreshold()} polls without an answer in a row roll back. Under
     * every setting, {@link GuardedRelease#promote(String, String)} refuses while a probe gave
     * no answer at its last poll.
     *
     * @param value the policy
     * @return this builder
     */
    public GuardedReleaseBuilder<T> probeNoAnswer(MissingData value) {
        this.probeNoAnswer = Objects.requireNonNull(value, "probeNoAnswer");
        return this;
    }

    /**
     * Sets what a step does while a version lacks the {@link LatencySettings#minCalls()} the
     * latency comparison needs: {@link MissingData#HOLD} (default) waits for them,
     * {@link MissingData#IGNORE} advances without the comparison (for a step that sends every
     * call to the candidate).
     *
     * @param value HOLD or IGNORE
     * @return this builder
     * @throws DrException {@code INVALID_ARGUMENT} for FAIL, which has no meaning for latency
     */
    public GuardedReleaseBuilder<T> latencyNoData(MissingData value) {
        if (Objects.requireNonNull(value, "latencyNoData") == MissingData.FAIL) {
            throw DrException.invalidArgument("latencyNoData", "must be HOLD or IGNORE", value);
        }
        this.latencyNoData = value;
        return this;
    }

    /**
     * Adds a probe of the candidate: DOWN for {@link ProbeSettings#downThreshold()}
     * consecutive polls rolls the candidate back.
     *
     * @param probe the probe
     * @return this builder
     */
    public GuardedReleaseBuilder<T> candidateProbe(HealthProbe probe) {
        candidateProbes.add(Objects.requireNonNull(probe, "probe"));
        return this;
    }

    /**
     * Adds a probe of the stable version, which must not be DOWN before each batch of a
     * gradual rollback.
     *
     * @param probe the probe
     * @return this builder
     */
    public GuardedReleaseBuilder<T> stableProbe(HealthProbe probe) {
        stableProbes.add(Objects.requireNonNull(probe, "probe"));
        return this;
    }

    /**
     * Adds a custom rollback trigger, asked with the judge.
     *
     * @param trigger the trigger
     * @return this builder
     */
    public GuardedReleaseBuilder<T> trigger(RollbackTrigger trigger) {
        triggers.add(Objects.requireNonNull(trigger, "trigger"));
        return this;
    }

    /**
     * Adds a rollback condition, checked at each scheduled check. Conditions are checked in
     * parallel on the probe executor, each within {@link ProbeSettings#timeout()}: one that
     * throws (an {@link Error} too) or gives no answer in time counts as not holding and is
     * logged at ERROR naming the guard and the condition, and one still running from an earlier
     * check is not started again. Of several that hold, the first to answer rolls back.
     *
     * @param condition the condition
     * @return this builder
     */
    public GuardedReleaseBuilder<T> condition(RollbackCondition condition) {
        conditions.add(Objects.requireNonNull(condition, "condition"));
        return this;
    }

    /**
     * Lists the exceptions that count as failures (default: every exception); adds to the
     * class names of the configuration.
     *
     * @param types the exception types
     * @return this builder
     */
    @SafeVarargs
    public final GuardedReleaseBuilder<T> recordExceptions(Class<? extends Throwable>... types) {
        for (Class<? extends Throwable> type : types) {
            recordExceptions.add(Objects.requireNonNull(type, "type"));
        }
        return this;
    }

    /**
     * Lists exceptions that count as neither success nor failure, such as a caller's bad
     * input; they are still thrown to the caller.
     *
     * @param types the exception types
     * @return this builder
     */
    @SafeVarargs
    public final GuardedReleaseBuilder<T> ignoreExceptions(Class<? extends Throwable>... types) {
        for (Class<? extends Throwable> type : types) {
            ignoreExceptions.add(Objects.requireNonNull(type, "type"));
        }
        return this;
    }

    /**
     * Sets a predicate that marks results as business failures (for example an error
     * status inside a normal return value).
     *
     * @param predicate true for a result that is a failure
     * @return this builder
     * @throws DrException {@code INVALID_ARGUMENT} when set twice
     */
    public GuardedReleaseBuilder<T> failureResult(Predicate<Object> predicate) {
        once(failureResult != null, "failureResult");
        this.failureResult = Objects.requireNonNull(predicate, "predicate");
        return this;
    }

    /**
     * Sets how shadow mode compares the stable and the candidate results (default {@link Objects#equals}).
     *
     * @param value true when the results agree
     * @return this builder
     */
    public GuardedReleaseBuilder<T> shadowComparator(BiPredicate<Object, Object> value) {
        this.comparator = Objects.requireNonNull(value, "comparator");
        return this;
    }

    /**
     * Sets the scheduler that runs {@link GuardedRelease#runChecks()} every probe interval.
     * Without one, the guard runs its checks on a daemon thread of its own (stopped by
     * {@link GuardedRelease#close()}) whenever they are needed: from the start when it has
     * probes, conditions or a step with a minimum duration, else from its first gradual
     * rollback, whose batches step down at these checks.
     *
     * @param value the scheduler
     * @return this builder
     */
    public GuardedReleaseBuilder<T> scheduler(ScheduledExecutorService value) {
        this.scheduler = Objects.requireNonNull(value, "scheduler");
        return this;
    }

    /**
     * Sets where probes run (default: daemon threads the guard owns).
     *
     * @param value the executor
     * @return this builder
     */
    public GuardedReleaseBuilder<T> probeExecutor(ExecutorService value) {
        this.probeExecutor = Objects.requireNonNull(value, "probeExecutor");
        return this;
    }

    /**
     * Sets where audit events go.
     *
     * @param value the sink
     * @return this builder
     */
    public GuardedReleaseBuilder<T> auditSink(AuditSink value) {
        this.audit = Objects.requireNonNull(value, "auditSink");
        return this;
    }

    /**
     * Sets where the {@code dr.guard.*} and {@code dr.rollback.total} meters go.
     *
     * @param value the registry
     * @return this builder
     */
    public GuardedReleaseBuilder<T> meterRegistry(MeterRegistry value) {
        this.registry = Objects.requireNonNull(value, "meterRegistry");
        return this;
    }

    /**
     * Adds a listener for the guard's decisions.
     *
     * @param listener the listener
     * @return this builder
     */
    public GuardedReleaseBuilder<T> listener(GuardListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * Shares the guard's decisions with the other instances of its fleet: every rollback
     * (automatic, on an alert or by an operator), promotion, pause, resume and undone rollback
     * is published to the coordinator's shared state {@code guard.<name>}, and every decision
     * another instance published there about a version this guard runs is applied here, with
     * the deciding member and actor in its audit record. A decision takes effect locally at
     * once; while the coordinator cannot be reached the guard keeps serving on the last
     * decision it knows, queues its own, and catches up when the coordinator answers again.
     * An instance that starts later applies what the fleet decided about its candidate. Of a
     * rollback and a promotion that race, the rollback wins within the revert window.
     *
     * @param value the coordinator, shared by every guard of the instance; the guard does not close it
     * @return this builder
     * @throws DrException {@code INVALID_ARGUMENT} when a coordinator was set already: a guard
     *     belongs to one fleet
     */
    public GuardedReleaseBuilder<T> coordinator(Coordinator value) {
        Objects.requireNonNull(value, "coordinator");
        if (coordinator != null) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "guard " + name + " has a coordinator already ("
                    + coordinator.memberId() + "); a guard shares its decisions with one fleet, so it takes one "
                    + "coordinator", "coordinator");
        }
        FleetLink.stateName(name);
        this.coordinator = value;
        return this;
    }

    /**
     * Builds the guard and, when a candidate was given, starts its rollout.
     *
     * @return the guard
     * @throws DrException {@code INVALID_ARGUMENT} when the stable version is missing, the
     *     candidate has the stable version's name, or an exception class named in the configuration cannot be loaded
     */
    public GuardedRelease<T> build() {
        if (stableVersion == null || stableImpl == null) {
            throw DrException.invalidArgument("stable", "must be set", null);
        }
        if (stableVersion.equals(candidateVersion)) {
            throw DrException.invalidArgument("candidateVersion", "must differ from stableVersion (" + stableVersion
                    + ")", candidateVersion);
        }
        for (String cls : config.circuitBreaker().recordExceptions()) {
            recordExceptions.add(exceptionClass("circuitBreaker.recordExceptions", cls));
        }
        for (String cls : config.circuitBreaker().ignoreExceptions()) {
            ignoreExceptions.add(exceptionClass("circuitBreaker.ignoreExceptions", cls));
        }
        return assemble();
    }

    /**
     * Returns the version of a guard's configuration: the first 12 hex digits of the SHA-256 of
     * its JSON form, so that a decision names the settings it was taken under.
     */
    static String configVersion(GuardConfig config) {
        String json = RollbackConfigJson.write(new RollbackConfig(Map.of("guard", config)));
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(json.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JDK", e);
        }
    }

    private GuardedRelease<T> assemble() {
        FailureClassifier classifier = new FailureClassifier(recordExceptions, ignoreExceptions);
        GuardMeters meters = new GuardMeters(name, registry);
        FleetLink fleet = coordinator == null ? null : new FleetLink(name, coordinator);
        CircuitBreakerConfig breakers = breakerConfig(config.circuitBreaker(), classifier);
        BiFunction<String, T, ReleaseVersion<T>> versions = (version, impl) -> new ReleaseVersion<>(version, impl,
                CircuitBreaker.of(name + ":" + version, breakers), meters.callCounters(version));
        GuardRules rules = new GuardRules(name, judge, config.judge(), triggers, config.latency());
        EvidenceGate gate = new EvidenceGate(config.plan(), !candidateProbes.isEmpty(),
                config.probes().downThreshold(), probeNoAnswer, rules, latencyNoData);
        RolloutMachine<T> machine = new RolloutMachine<>(name, config, clock, ticker, rules, gate,
                new DecisionLog(name, audit, registry, withFleet(fleet), configVersion(config)), versions,
                versions.apply(Objects.requireNonNull(stableVersion), Objects.requireNonNull(stableImpl)));
        CallPath<T> calls = new CallPath<>(machine::current, machine, classifier, failureResult, comparator, ticker,
                config.shadow(), config.retryOnStable());
        List<ExecutorService> owned = new ArrayList<>();
        ExecutorService probeThreads = probeExecutor;
        if (probeThreads == null) {
            probeThreads = Executors.newCachedThreadPool(daemon("dr-probe-" + name));
            owned.add(probeThreads);
        }
        ScheduledChecks<T> checks = new ScheduledChecks<>(machine, candidateProbes, stableProbes, conditions,
                new ProbeRunner(probeThreads, config.probes().timeout(), ticker), probeNoAnswer, scheduler,
                () -> Executors.newSingleThreadScheduledExecutor(daemon("dr-guard-" + name)), owned);
        GuardedRelease<T> guard = new GuardedRelease<>(machine, calls, checks, fleet);
        meters.bindWeight(guard, GuardedRelease::candidateWeight);
        if (candidateVersion != null && candidateFactory != null) {
            guard.deploy(candidateVersion, candidateFactory);
        }
        if (fleet != null) {
            // After the deploy, so that the fleet's decisions about the candidate apply to it.
            fleet.attach(guard);
        }
        return guard;
    }

    private List<GuardListener> withFleet(@Nullable FleetLink fleet) {
        if (fleet == null) {
            return listeners;
        }
        List<GuardListener> all = new ArrayList<>(listeners);
        all.add(fleet);
        return all;
    }

    private static ThreadFactory daemon(String threadName) {
        return r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        };
    }

    private CircuitBreakerConfig breakerConfig(CircuitBreakerSettings cb, FailureClassifier classifier) {
        CircuitBreakerConfig.Builder b = CircuitBreakerConfig.custom()
                .failureRateThreshold(cb.failureRateThreshold())
                .slowCallRateThreshold(cb.slowCallRateThreshold())
                .slowCallDurationThreshold(cb.slowCallDuration())
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(cb.slidingWindowSize())
                .minimumNumberOfCalls(cb.minimumNumberOfCalls())
                .waitDurationInOpenState(cb.waitInOpenState())
                .recordException(classifier::isRecorded)
                .ignoreException(classifier::isIgnored)
                .clock(clock);
        if (failureResult != null) {
            b.recordResult(failureResult);
        }
        return b.build();
    }

    private static Class<? extends Throwable> exceptionClass(String field, String className) {
        try {
            Class<?> c = Class.forName(className, false, Thread.currentThread().getContextClassLoader());
            if (!Throwable.class.isAssignableFrom(c)) {
                throw DrException.invalidArgument(field, "must name Throwable classes", className);
            }
            return c.asSubclass(Throwable.class);
        } catch (ClassNotFoundException e) {
            throw DrException.invalidArgument(field, "must name classes on the class path", className);
        }
    }
}
