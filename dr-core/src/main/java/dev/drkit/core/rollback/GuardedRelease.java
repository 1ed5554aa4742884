package dev.drkit.core.rollback;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.api.audit.AuditSink;
import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.health.HealthStatus;
import dev.drkit.api.health.ProbeResult;
import dev.drkit.api.rollback.Decision;
import dev.drkit.api.rollback.Evidence;
import dev.drkit.api.rollback.Guard;
import dev.drkit.api.rollback.GuardState;
import dev.drkit.api.rollback.Judge;
import dev.drkit.api.rollback.Observation;
import dev.drkit.api.rollback.RollbackEvent;
import dev.drkit.api.rollback.RollbackMode;
import dev.drkit.api.rollback.RollbackTrigger;
import dev.drkit.api.rollback.TriggerKind;
import dev.drkit.api.rollback.Variant;
import dev.drkit.api.rollback.VariantStats;
import dev.drkit.api.rollback.Verdict;
import dev.drkit.core.rollback.internal.DecisionLog;
import dev.drkit.core.rollback.internal.FailureClassifier;
import dev.drkit.core.rollback.internal.ProbeRunner;
import dev.drkit.core.rollback.internal.SequentialJudge;
import dev.drkit.core.rollback.internal.VariantRecorder;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A guarded release: a stable and a candidate implementation of one interface, calls routed
 * between them sticky by key, the candidate's weight following a {@link RolloutPlan}, and a
 * rollback as soon as the judge, a circuit breaker, a probe, the latency limits, a trigger, a
 * condition or an operator asks for one.
 *
 * <p>The routing state is one immutable object behind an {@link AtomicReference}: every
 * decision (advance, promote, roll back, pause, undo) is a single compare-and-set, so a
 * rollback takes effect for every new call at once, in-flight calls finish on the version
 * they started on, and of two racing rollbacks exactly one is recorded. The call path takes
 * no lock of its own: it reads the state, asks the version's Resilience4j circuit breaker for
 * permission, and records the outcome with atomic counters.
 *
 * <pre>{@code
 * GuardedRelease<PriceService> prices = GuardedRelease.<PriceService>builder("prices")
 *         .stable("v1", new PriceServiceV1())
 *         .candidate("v2", PriceServiceV2::new)
 *         .scheduler(scheduler)
 *         .build();
 * Money price = prices.call(customerId, s -> s.price(item));
 * }</pre>
 *
 * @param <T> the interface both versions implement
 */
public final class GuardedRelease<T> implements Guard<T>, AutoCloseable {
    /** The actor recorded for decisions the guard makes on its own. */
    public static final String SYSTEM = "system";

    private static final Logger LOG = LoggerFactory.getLogger(GuardedRelease.class);
    private static final int BUCKETS = 10_000;
    private static final long PROGRESS_CHECK_MASK = 63;

    private final String name;
    private final GuardConfig config;
    private final Judge judge;
    private final String judgeName;
    private final Clock clock;
    private final List<HealthProbe> candidateProbes;
    private final List<HealthProbe> stableProbes;
    private final List<RollbackTrigger> triggers;
    private final List<RollbackCondition> conditions;
    private final FailureClassifier classifier;
    private final @Nullable Predicate<Object> failureResult;
    private final BiPredicate<Object, Object> comparator;
    private final CircuitBreakerConfig breakerConfig;
    private final @Nullable MeterRegistry registry;
    private final DecisionLog records;
    private final ProbeRunner probeRunner;
    private final @Nullable ExecutorService ownedProbeExecutor;
    private final @Nullable ScheduledFuture<?> schedule;
    private final long slowNanos;
    private final AtomicLong epochs = new AtomicLong();
    private volatile boolean closed;
    private final AtomicReference<State<T>> state;

    private GuardedRelease(Builder<T> b) {
        this.name = b.name;
        this.config = b.config;
        this.judge = b.judge != null ? b.judge : new SequentialJudge(b.config.judge());
        this.judgeName = b.judge != null ? b.judge.getClass().getSimpleName() : "sequential";
        this.clock = b.clock;
        this.candidateProbes = List.copyOf(b.candidateProbes);
        this.stableProbes = List.copyOf(b.stableProbes);
        this.triggers = List.copyOf(b.triggers);
        this.conditions = List.copyOf(b.conditions);
        this.classifier = new FailureClassifier(b.recordExceptions, b.ignoreExceptions);
        this.failureResult = b.failureResult;
        this.comparator = b.comparator;
        this.registry = b.registry;
        this.records = new DecisionLog(name, b.audit, b.registry, b.listeners);
        CircuitBreakerSettings cb = config.circuitBreaker();
        this.slowNanos = cb.slowCallDuration().toNanos();
        CircuitBreakerConfig.Builder cbb = CircuitBreakerConfig.custom()
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
            cbb.recordResult(failureResult);
        }
        this.breakerConfig = cbb.build();
        if (b.probeExecutor != null) {
            this.ownedProbeExecutor = null;
            this.probeRunner = new ProbeRunner(b.probeExecutor, config.probes().timeout());
        } else {
            this.ownedProbeExecutor = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "dr-probe-" + name);
                t.setDaemon(true);
                return t;
            });
            this.probeRunner = new ProbeRunner(ownedProbeExecutor, config.probes().timeout());
        }
        Version<T> stable = newVersion(Objects.requireNonNull(b.stableVersion, "stable version"),
                Objects.requireNonNull(b.stableImpl, "stable implementation"));
        this.state = new AtomicReference<>(State.stableOnly(stable));
        if (registry != null) {
            Gauge.builder("dr.guard.weight", this, GuardedRelease::candidateWeight)
                    .description("Share of calls routed to the candidate").tag("guard", name).register(registry);
        }
        if (b.candidateVersion != null && b.candidateFactory != null) {
            deploy(b.candidateVersion, b.candidateFactory);
        }
        long interval = config.probes().interval().toNanos();
        this.schedule = b.scheduler == null ? null
                : b.scheduler.scheduleWithFixedDelay(this::runChecksSafely, interval, interval, TimeUnit.NANOSECONDS);
    }

    /**
     * Starts building a guarded release.
     *
     * @param name the guard's name, used in metrics, audit records and logs
     * @param <T> the interface both versions implement
     * @return the builder
     * @throws DrException {@code INVALID_ARGUMENT} for a blank name
     */
    public static <T> Builder<T> builder(String name) {
        return new Builder<>(name);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public GuardState state() {
        return state.get().phase;
    }

    @Override
    public double candidateWeight() {
        return state.get().weight;
    }

    /**
     * Returns the name of the version calls go to when they do not go to the candidate.
     *
     * @return the stable version's name
     */
    public String stableVersion() {
        return state.get().stable.name;
    }

    /**
     * Returns the candidate being rolled out (or rolled back gradually), if any.
     *
     * @return the candidate version's name
     */
    public Optional<String> candidateVersion() {
        Version<T> c = state.get().candidate;
        return c == null ? Optional.empty() : Optional.of(c.name);
    }

    /**
     * Returns the index of the rollout step in force (for a gradual rollback, the batch).
     *
     * @return the step, from 0
     */
    public int step() {
        return state.get().step;
    }

    /**
     * Returns the most recent rollback of this guard.
     *
     * @return the rollback, or empty when none happened since the last rollout started
     */
    public Optional<RollbackEvent> lastRollback() {
        return Optional.ofNullable(state.get().lastRollback);
    }

    /**
     * Returns the configuration the guard was built with.
     *
     * @return the configuration
     */
    public GuardConfig config() {
        return config;
    }

    /**
     * Returns which version a key is routed to right now.
     *
     * @param key the routing key
     * @return STABLE or CANDIDATE
     */
    public Variant routeOf(Object key) {
        State<T> s = state.get();
        return s.candidate != null && bucket(key) < s.threshold ? Variant.CANDIDATE : Variant.STABLE;
    }

    /**
     * Returns what each version has done since the current rollout began.
     *
     * @return the observation, with empty candidate stats when no rollout is active
     */
    public Observation observe() {
        return observe(state.get());
    }

    // ------------------------------------------------------------------ the call path

    @Override
    public <R> R call(Object key, Function<? super T, ? extends R> fn) {
        State<T> s = state.get();
        Version<T> candidate = s.candidate;
        if (candidate == null || bucket(key) >= s.threshold) {
            return invokeStable(s, fn);
        }
        if (config.shadow()) {
            return shadowCall(s, candidate, fn);
        }
        return invokeCandidate(s, candidate, fn);
    }

    private <R> R invokeStable(State<T> s, Function<? super T, ? extends R> fn) {
        Version<T> v = s.stable;
        Rollout rollout = s.candidate == null ? null : s.rollout;
        CircuitBreaker cb = v.breaker;
        cb.acquirePermission();
        long start = System.nanoTime();
        R result;
        try {
            result = fn.apply(v.impl);
        } catch (RuntimeException | Error t) {
            long d = System.nanoTime() - start;
            cb.onError(d, TimeUnit.NANOSECONDS, t);
            if (classifier.isIgnored(t)) {
                v.count(v.ignored);
            } else if (classifier.isRecorded(t)) {
                v.count(v.failure);
                if (rollout != null) {
                    rollout.stable.failure(d);
                }
            } else {
                v.count(v.success);
                if (rollout != null) {
                    rollout.stable.success(d);
                }
            }
            throw t;
        }
        long d = System.nanoTime() - start;
        cb.onResult(d, TimeUnit.NANOSECONDS, result);
        Predicate<Object> bad = failureResult;
        if (bad != null && bad.test(result)) {
            v.count(v.failure);
            if (rollout != null) {
                rollout.stable.failure(d);
            }
        } else {
            v.count(v.success);
            if (rollout != null) {
                rollout.stable.success(d);
            }
        }
        return result;
    }

    private <R> R invokeCandidate(State<T> s, Version<T> c, Function<? super T, ? extends R> fn) {
        Rollout rollout = Objects.requireNonNull(s.rollout);
        CircuitBreaker cb = c.breaker;
        if (!cb.tryAcquirePermission()) {
            afterCandidateFailure(s);
            return invokeStable(s, fn);
        }
        long start = System.nanoTime();
        R result;
        try {
            result = fn.apply(c.impl);
        } catch (RuntimeException | Error t) {
            long d = System.nanoTime() - start;
            cb.onError(d, TimeUnit.NANOSECONDS, t);
            if (classifier.isIgnored(t)) {
                c.count(c.ignored);
                throw t;
            }
            if (!classifier.isRecorded(t)) {
                c.count(c.success);
                afterCandidateSuccess(s, rollout.candidate.success(d), d);
                throw t;
            }
            c.count(c.failure);
            rollout.candidate.failure(d);
            afterCandidateFailure(s);
            if (config.retryOnStable()) {
                return invokeStable(s, fn);
            }
            throw t;
        }
        long d = System.nanoTime() - start;
        cb.onResult(d, TimeUnit.NANOSECONDS, result);
        Predicate<Object> bad = failureResult;
        if (bad != null && bad.test(result)) {
            c.count(c.failure);
            rollout.candidate.failure(d);
            afterCandidateFailure(s);
            return config.retryOnStable() ? invokeStable(s, fn) : result;
        }
        c.count(c.success);
        afterCandidateSuccess(s, rollout.candidate.success(d), d);
        return result;
    }

    private <R> R shadowCall(State<T> s, Version<T> c, Function<? super T, ? extends R> fn) {
        R stableResult = invokeStable(s, fn);
        Rollout rollout = Objects.requireNonNull(s.rollout);
        CircuitBreaker cb = c.breaker;
        if (!cb.tryAcquirePermission()) {
            afterCandidateFailure(s);
            return stableResult;
        }
        long start = System.nanoTime();
        Object shadowResult;
        try {
            shadowResult = fn.apply(c.impl);
        } catch (RuntimeException | Error t) {
            long d = System.nanoTime() - start;
            cb.onError(d, TimeUnit.NANOSECONDS, t);
            if (classifier.isIgnored(t)) {
                c.count(c.ignored);
            } else {
                c.count(c.failure);
                rollout.candidate.failure(d);
                afterCandidateFailure(s);
            }
            return stableResult;
        }
        long d = System.nanoTime() - start;
        boolean mismatch = !comparator.test(stableResult, shadowResult);
        if (mismatch) {
            cb.onError(d, TimeUnit.NANOSECONDS, new ShadowMismatchException());
            c.count(c.failure);
            rollout.candidate.failure(d);
            afterCandidateFailure(s);
        } else {
            cb.onResult(d, TimeUnit.NANOSECONDS, shadowResult);
            c.count(c.success);
            afterCandidateSuccess(s, rollout.candidate.success(d), d);
        }
        return stableResult;
    }

    /** Checks the step's gates about once in 64 candidate calls (when a latency bucket's count is a multiple of 64). */
    private void afterCandidateSuccess(State<T> s, long sample, long nanos) {
        if (nanos >= slowNanos && isOpen(Objects.requireNonNull(s.candidate).breaker)) {
            afterCandidateFailure(s);
            return;
        }
        if ((sample & PROGRESS_CHECK_MASK) == 0) {
            State<T> current = state.get();
            if (current.rollout == s.rollout) {
                progress(current, null);
            }
        }
    }

    private void afterCandidateFailure(State<T> s) {
        State<T> current = state.get();
        if (current.rollout == s.rollout && current.candidate != null) {
            evaluate(current);
        }
    }

    // ------------------------------------------------------------------ evaluation

    private Observation observe(State<T> s) {
        Rollout r = s.rollout;
        if (s.candidate == null || r == null) {
            return new Observation(name, VariantStats.EMPTY, VariantStats.EMPTY, 0.0, Duration.ZERO);
        }
        VariantStats stable = r.stable.stats(isOpen(s.stable.breaker));
        VariantStats candidate = r.candidate.stats(isOpen(s.candidate.breaker));
        Duration elapsed = Duration.between(s.stepStartedAt, clock.instant());
        return new Observation(name, stable, candidate, s.weight, elapsed.isNegative() ? Duration.ZERO : elapsed);
    }

    private static boolean isOpen(CircuitBreaker cb) {
        CircuitBreaker.State st = cb.getState();
        return st == CircuitBreaker.State.OPEN || st == CircuitBreaker.State.FORCED_OPEN;
    }

    /** Asks the judge, the triggers and the latency limits; returns null when the candidate was rolled back. */
    private @Nullable Verdict evaluate(State<T> s) {
        Observation o = observe(s);
        Verdict v = judge.judge(o);
        if (v.decision() == Decision.ROLLBACK) {
            String rule = v.evidence().extra().getOrDefault("rule", "");
            TriggerKind kind = rule.equals("circuitOpen") || rule.equals("consecutiveFailures")
                    ? TriggerKind.CIRCUIT_BREAKER : TriggerKind.JUDGE;
            rollbackFrom(s, RollbackMode.AUTOMATIC, kind, kind == TriggerKind.JUDGE ? judgeName : rule, SYSTEM,
                    v.reason(), v);
            return null;
        }
        for (RollbackTrigger trigger : triggers) {
            Optional<String> why;
            try {
                why = trigger.evaluate(o);
            } catch (RuntimeException e) {
                LOG.error("guard {}: trigger {} failed: {}", name, trigger.name(), e.toString());
                continue;
            }
            if (why.isPresent()) {
                rollbackFrom(s, RollbackMode.AUTOMATIC, TriggerKind.CUSTOM, trigger.name(), SYSTEM, why.get(),
                        new Verdict(Decision.ROLLBACK, why.get(), v.evidence()));
                return null;
            }
        }
        String slow = latencyBreach(o);
        if (slow != null) {
            rollbackFrom(s, RollbackMode.AUTOMATIC, TriggerKind.LATENCY, "latency", SYSTEM, slow,
                    new Verdict(Decision.ROLLBACK, slow, withExtra(v.evidence(), Map.of(
                            "stableP95", o.stable().p95().toString(), "stableP99", o.stable().p99().toString(),
                            "candidateP95", o.candidate().p95().toString(),
                            "candidateP99", o.candidate().p99().toString()))));
            return null;
        }
        return v;
    }

    private @Nullable String latencyBreach(Observation o) {
        LatencySettings l = config.latency();
        VariantStats st = o.stable();
        VariantStats c = o.candidate();
        if (st.calls() < l.minCalls() || c.calls() < l.minCalls()) {
            return null;
        }
        long slack = l.slack().toNanos();
        if (l.maxP95Ratio() > 0 && c.p95().toNanos() > l.maxP95Ratio() * st.p95().toNanos()
                && c.p95().toNanos() - st.p95().toNanos() > slack) {
            return "candidate p95 " + c.p95() + " exceeds " + l.maxP95Ratio() + "x stable p95 " + st.p95();
        }
        if (l.maxP99Ratio() > 0 && c.p99().toNanos() > l.maxP99Ratio() * st.p99().toNanos()
                && c.p99().toNanos() - st.p99().toNanos() > slack) {
            return "candidate p99 " + c.p99() + " exceeds " + l.maxP99Ratio() + "x stable p99 " + st.p99();
        }
        return null;
    }

    private static Evidence withExtra(Evidence e, Map<String, String> more) {
        Map<String, String> extra = new HashMap<>(e.extra());
        extra.putAll(more);
        return new Evidence(e.candidateCalls(), e.candidateFailures(), e.baselineCalls(), e.baselineFailures(),
                e.candidateRate(), e.baselineRate(), e.statistic(), e.rollbackThreshold(), e.promoteThreshold(), extra);
    }

    /** Advances the rollout when the step's gates and the judge allow it (judging now unless a verdict is given). */
    private void progress(State<T> s, @Nullable Verdict verdict) {
        if (s.phase != GuardState.ROLLING_OUT) {
            return;
        }
        Rollout r = Objects.requireNonNull(s.rollout);
        RolloutStep step = config.plan().step(s.step);
        long stepCalls = r.candidate.calls() - s.stepStartCalls;
        Instant now = clock.instant();
        if (stepCalls < step.minCalls() || Duration.between(s.stepStartedAt, now).compareTo(step.minDuration()) < 0) {
            return;
        }
        Verdict v = verdict != null ? verdict : evaluate(s);
        if (v == null || v.decision() != Decision.PROMOTE) {
            return;
        }
        if (s.step + 1 < config.plan().size()) {
            int next = s.step + 1;
            double weight = config.plan().step(next).weight();
            State<T> n = State.rolling(GuardState.ROLLING_OUT, s.stable, Objects.requireNonNull(s.candidate), r, next,
                    weight, now, r.candidate.calls());
            if (state.compareAndSet(s, n)) {
                records.decision(new GuardEvent.WeightChanged(name, n.candidate.name, next, weight, v, now), SYSTEM,
                        "rollout.step", v, "candidate " + n.candidate.name + " advanced to step " + next + " at weight "
                                + weight, AuditOutcome.SUCCESS);
            }
        } else {
            promote(s, SYSTEM, v, now);
        }
    }

    private boolean promote(State<T> s, String actor, Verdict v, Instant now) {
        Version<T> c = Objects.requireNonNull(s.candidate);
        State<T> n = State.promoted(c, s.stable, Objects.requireNonNull(s.rollout), now);
        if (!state.compareAndSet(s, n)) {
            return false;
        }
        records.decision(new GuardEvent.Promoted(name, c.name, s.stable.name, actor, v, now), actor,
                "rollout.promote", v, "candidate " + c.name + " promoted to stable; " + s.stable.name
                        + " kept warm for " + config.revertWindow(), AuditOutcome.SUCCESS);
        return true;
    }

    /**
     * Switches every new call to the stable version, once per rollout: returns the event when
     * this request won, or null when another rollback of the same rollout already happened.
     */
    private @Nullable RollbackEvent rollbackFrom(State<T> seen, RollbackMode mode, TriggerKind kind, String trigger,
            String actor, String reason, Verdict verdict) {
        long decided = System.nanoTime();
        Rollout rollout = seen.rollout;
        while (true) {
            State<T> cur = state.get();
            if (cur.rollout != rollout || rollout == null) {
                return null;
            }
            if (cur.candidate != null) {
                Instant now = clock.instant();
                RollbackEvent event = new RollbackEvent(name, mode, kind, trigger, actor, reason, verdict,
                        cur.candidate.name, cur.stable.name, now);
                if (state.compareAndSet(cur, State.rolledBack(cur.stable, cur.candidate, cur.step, rollout, event))) {
                    long switched = System.nanoTime() - decided;
                    LOG.debug("guard {}: switch to stable took {} ns", name, switched);
                    records.rollback(event);
                    return event;
                }
            } else if (cur.phase == GuardState.PROMOTED && cur.previous != null && withinRevertWindow(cur)) {
                // A rollback decided on the candidate raced with its promotion: the rollback still wins.
                RollbackEvent event = revert(cur, mode, kind, trigger, actor, reason, verdict);
                if (event != null) {
                    return event;
                }
            } else {
                return null;
            }
        }
    }

    private boolean withinRevertWindow(State<T> s) {
        Instant at = s.promotedAt;
        return at != null && clock.instant().isBefore(at.plus(config.revertWindow()));
    }

    private @Nullable RollbackEvent revert(State<T> cur, RollbackMode mode, TriggerKind kind, String trigger,
            String actor, String reason, Verdict verdict) {
        Version<T> previous = Objects.requireNonNull(cur.previous);
        RollbackEvent event = new RollbackEvent(name, mode, kind, trigger, actor, reason, verdict, cur.stable.name,
                previous.name, clock.instant());
        if (state.compareAndSet(cur, State.rolledBack(previous, cur.stable, config.plan().size() - 1,
                Objects.requireNonNull(cur.rollout), event))) {
            records.rollback(event);
            return event;
        }
        return null;
    }

    // ------------------------------------------------------------------ operator actions

    @Override
    public RollbackEvent rollback(String actor, String reason) {
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(reason, "reason");
        while (true) {
            State<T> cur = state.get();
            if (cur.candidate != null) {
                Verdict v = new Verdict(Decision.ROLLBACK, reason, evidenceOf(observe(cur)));
                RollbackEvent e = rollbackFrom(cur, RollbackMode.EMERGENCY, TriggerKind.OPERATOR, "operator", actor,
                        reason, v);
                if (e != null) {
                    return e;
                }
                continue;
            }
            if (cur.phase == GuardState.PROMOTED && cur.previous != null && withinRevertWindow(cur)) {
                RollbackEvent e = revert(cur, RollbackMode.EMERGENCY, TriggerKind.OPERATOR, "operator", actor, reason,
                        new Verdict(Decision.ROLLBACK, reason, Evidence.NONE));
                if (e != null) {
                    return e;
                }
                continue;
            }
            if (cur.phase == GuardState.ROLLED_BACK && cur.lastRollback != null) {
                return cur.lastRollback;
            }
            throw new DrException(ErrorCode.ILLEGAL_STATE, "guard " + name + " has no candidate to roll back (state "
                    + cur.phase + ")", name);
        }
    }

    /**
     * Rolls the candidate back because an external alert fired (for example an Alertmanager
     * webhook): an automatic rollback whose trigger is the alert.
     *
     * @param alert the alert's name
     * @param reason why, for the audit record
     * @return the rollback, or empty when there was no candidate to roll back
     */
    public Optional<RollbackEvent> rollbackOnAlert(String alert, String reason) {
        State<T> cur = state.get();
        if (cur.candidate == null) {
            return Optional.empty();
        }
        Verdict v = new Verdict(Decision.ROLLBACK, reason, evidenceOf(observe(cur)));
        return Optional.ofNullable(rollbackFrom(cur, RollbackMode.AUTOMATIC, TriggerKind.ALERT, alert, SYSTEM, reason,
                v));
    }

    /**
     * Starts a gradual rollback: the candidate's weight steps down in
     * {@link GuardConfig#gradualBatches()} batches, the first at once and each next one at a
     * scheduled check once the stable version's probes are not DOWN; at weight 0 the rollback
     * (mode GRADUAL) is recorded. The judge and the other triggers keep watching meanwhile and
     * may still roll back at once.
     *
     * @param actor who asks
     * @param reason why
     * @throws DrException {@code ILLEGAL_STATE} when no rollout is active
     */
    public void rollbackGradually(String actor, String reason) {
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(reason, "reason");
        while (true) {
            State<T> cur = state.get();
            if (cur.candidate == null || cur.phase == GuardState.ROLLING_BACK) {
                throw new DrException(ErrorCode.ILLEGAL_STATE, "guard " + name + " has no rollout to roll back gradually"
                        + " (state " + cur.phase + ")", name);
            }
            Rollout r = Objects.requireNonNull(cur.rollout);
            r.gradual = new GradualRollback(actor, reason, cur.weight);
            if (stepDown(cur)) {
                return;
            }
        }
    }

    /** Steps a gradual rollback down by one batch; returns false when the state changed meanwhile. */
    private boolean stepDown(State<T> cur) {
        Rollout r = Objects.requireNonNull(cur.rollout);
        GradualRollback g = Objects.requireNonNull(r.gradual);
        int batch = cur.phase == GuardState.ROLLING_BACK ? cur.step + 1 : 1;
        int batches = config.gradualBatches();
        Version<T> c = Objects.requireNonNull(cur.candidate);
        if (batch >= batches) {
            Verdict v = new Verdict(Decision.ROLLBACK, g.reason, evidenceOf(observe(cur)));
            rollbackFrom(cur, RollbackMode.GRADUAL, TriggerKind.OPERATOR, "gradual", g.actor, g.reason, v);
            return true;
        }
        double weight = g.fromWeight * (batches - batch) / batches;
        State<T> n = State.rolling(GuardState.ROLLING_BACK, cur.stable, c, r, batch, weight, clock.instant(),
                r.candidate.calls());
        if (!state.compareAndSet(cur, n)) {
            return false;
        }
        Verdict v = new Verdict(Decision.CONTINUE, g.reason, evidenceOf(observe(n)));
        records.decision(new GuardEvent.WeightChanged(name, c.name, batch, weight, v, n.stepStartedAt), g.actor,
                "rollback.gradual.step", v, "gradual rollback of " + c.name + ": batch " + batch + "/" + batches
                        + ", weight " + weight, AuditOutcome.SUCCESS);
        return true;
    }

    /**
     * Promotes the candidate at once on an operator's word (a roll forward), skipping the
     * remaining steps.
     *
     * @param actor who asks
     * @param reason why
     * @throws DrException {@code ILLEGAL_STATE} when no rollout is active
     */
    public void promote(String actor, String reason) {
        while (true) {
            State<T> cur = state.get();
            if (cur.candidate == null) {
                throw new DrException(ErrorCode.ILLEGAL_STATE, "guard " + name + " has no candidate to promote (state "
                        + cur.phase + ")", name);
            }
            Verdict v = new Verdict(Decision.PROMOTE, reason, evidenceOf(observe(cur)));
            if (promote(cur, actor, v, clock.instant())) {
                return;
            }
        }
    }

    /**
     * Undoes the last rollback: the rolled-back candidate resumes its rollout at the step it
     * was rolled back from, with fresh evidence and a reset circuit breaker.
     *
     * @param actor who asks
     * @param reason why
     * @throws DrException {@code ILLEGAL_STATE} when the guard is not rolled back
     */
    public void undoRollback(String actor, String reason) {
        while (true) {
            State<T> cur = state.get();
            Version<T> c = cur.rolledBack;
            if (cur.phase != GuardState.ROLLED_BACK || c == null) {
                throw new DrException(ErrorCode.ILLEGAL_STATE, "guard " + name + " has no rollback to undo (state "
                        + cur.phase + ")", name);
            }
            c.breaker.reset();
            int step = Math.min(cur.rolledBackStep, config.plan().size() - 1);
            Rollout r = newRollout();
            Instant now = clock.instant();
            State<T> n = State.rolling(GuardState.ROLLING_OUT, cur.stable, c, r, step,
                    config.plan().step(step).weight(), now, 0);
            if (state.compareAndSet(cur, n)) {
                records.decision(new GuardEvent.RollbackUndone(name, c.name, actor, reason, now), actor,
                        "rollback.undo", null, "rollback of " + c.name + " undone by " + actor + ": " + reason,
                        AuditOutcome.SUCCESS);
                return;
            }
        }
    }

    /**
     * Holds the rollout at its current weight: no step advances until {@link #resume}; the
     * judge and every trigger keep watching and may still roll back.
     *
     * @param actor who asks
     * @throws DrException {@code ILLEGAL_STATE} when no rollout is in progress
     */
    public void pause(String actor) {
        setPaused(actor, true);
    }

    /**
     * Resumes a paused rollout; the current step's time gate restarts.
     *
     * @param actor who asks
     * @throws DrException {@code ILLEGAL_STATE} when the rollout is not paused
     */
    public void resume(String actor) {
        setPaused(actor, false);
    }

    private void setPaused(String actor, boolean paused) {
        GuardState from = paused ? GuardState.ROLLING_OUT : GuardState.PAUSED;
        while (true) {
            State<T> cur = state.get();
            if (cur.phase != from) {
                throw new DrException(ErrorCode.ILLEGAL_STATE, "guard " + name + " cannot be "
                        + (paused ? "paused" : "resumed") + " in state " + cur.phase, name);
            }
            Instant now = clock.instant();
            Rollout r = Objects.requireNonNull(cur.rollout);
            State<T> n = State.rolling(paused ? GuardState.PAUSED : GuardState.ROLLING_OUT, cur.stable,
                    Objects.requireNonNull(cur.candidate), r, cur.step, cur.weight, paused ? cur.stepStartedAt : now,
                    cur.stepStartCalls);
            if (state.compareAndSet(cur, n)) {
                records.decision(new GuardEvent.PauseChanged(name, paused, actor, now), actor,
                        paused ? "rollout.pause" : "rollout.resume", null,
                        "rollout " + (paused ? "paused" : "resumed") + " by " + actor, AuditOutcome.SUCCESS);
                return;
            }
        }
    }

    /**
     * Starts rolling out a new candidate from the first step of the plan. When the factory
     * throws, no rollout starts, a {@link GuardEvent.RolloutFailed} is recorded and the
     * failure is returned as empty.
     *
     * @param version the candidate's version name
     * @param factory creates the candidate implementation
     * @return true when the rollout started, false when the factory threw
     * @throws DrException {@code ILLEGAL_STATE} when another candidate is being rolled out
     */
    public boolean deploy(String version, Supplier<? extends T> factory) {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(factory, "factory");
        State<T> cur = state.get();
        if (cur.candidate != null) {
            throw new DrException(ErrorCode.ILLEGAL_STATE, "guard " + name + " is already rolling out "
                    + cur.candidate.name, name);
        }
        T impl;
        try {
            impl = Objects.requireNonNull(factory.get(), "candidate factory returned null");
        } catch (RuntimeException e) {
            Instant now = clock.instant();
            records.decision(new GuardEvent.RolloutFailed(name, version, e.toString(), now), SYSTEM, "rollout.start",
                    null, "candidate " + version + " could not be created: " + e, AuditOutcome.FAILURE);
            return false;
        }
        Version<T> c = newVersion(version, impl);
        Rollout r = newRollout();
        Instant now = clock.instant();
        RolloutStep first = config.plan().step(0);
        State<T> n = State.rolling(GuardState.ROLLING_OUT, cur.stable, c, r, 0, first.weight(), now, 0);
        if (!state.compareAndSet(cur, n)) {
            throw new DrException(ErrorCode.ILLEGAL_STATE, "guard " + name + " changed state while deploying " + version,
                    name);
        }
        records.decision(new GuardEvent.RolloutStarted(name, cur.stable.name, version, first.weight(), now), SYSTEM,
                "rollout.start", null, "rolling out " + version + " over " + cur.stable.name + " at weight "
                        + first.weight(), AuditOutcome.SUCCESS);
        return true;
    }

    /**
     * Makes another implementation the stable version at once, for restoring an earlier
     * release: a rollout in progress is rolled back first (recorded as an emergency rollback),
     * then the switch itself is recorded as an emergency rollback from the current stable to
     * {@code version}.
     *
     * @param version the version to restore
     * @param impl its implementation
     * @param actor who asks
     * @param reason why
     * @return the rollback that restored the version
     */
    public RollbackEvent restore(String version, T impl, String actor, String reason) {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(impl, "impl");
        if (state.get().candidate != null) {
            rollback(actor, reason);
        }
        Version<T> target = newVersion(version, impl);
        while (true) {
            State<T> cur = state.get();
            if (cur.candidate != null) {
                rollback(actor, reason);
                continue;
            }
            Instant now = clock.instant();
            Verdict v = new Verdict(Decision.ROLLBACK, reason, Evidence.NONE);
            RollbackEvent event = new RollbackEvent(name, RollbackMode.EMERGENCY, TriggerKind.OPERATOR, "operator",
                    actor, reason, v, cur.stable.name, version, now);
            Rollout rollout = cur.rollout != null ? cur.rollout : newRollout();
            if (state.compareAndSet(cur, State.rolledBack(target, cur.stable, 0, rollout, event))) {
                records.rollback(event);
                return event;
            }
        }
    }

    // ------------------------------------------------------------------ scheduled checks

    /**
     * Runs the scheduled checks now: polls the probes (a DOWN streak of
     * {@link ProbeSettings#downThreshold()} rolls back), evaluates the conditions, the judge,
     * the triggers and the latency limits, advances time-gated steps, steps a gradual rollback
     * down and lets a warm previous version go once the revert window has passed. The
     * scheduler given to the builder calls this every {@link ProbeSettings#interval()}. Does
     * nothing once the guard is closed.
     */
    public void runChecks() {
        if (closed) {
            return;
        }
        State<T> s = state.get();
        if (s.candidate == null) {
            if (s.phase == GuardState.PROMOTED && s.previous != null && !withinRevertWindow(s)) {
                state.compareAndSet(s, State.promoted(s.stable, null, Objects.requireNonNull(s.rollout),
                        Objects.requireNonNull(s.promotedAt)));
            }
            return;
        }
        Rollout r = Objects.requireNonNull(s.rollout);
        if (!candidateProbes.isEmpty()) {
            Map<String, ProbeResult> results = probeRunner.runAll(candidateProbes);
            Map<String, HealthStatus> statuses = new HashMap<>();
            for (Map.Entry<String, ProbeResult> e : results.entrySet()) {
                statuses.put(e.getKey(), e.getValue().status());
                AtomicInteger downs = r.probeDowns.computeIfAbsent(e.getKey(), k -> new AtomicInteger());
                if (e.getValue().status() == HealthStatus.DOWN) {
                    int streak = downs.incrementAndGet();
                    if (streak >= config.probes().downThreshold()) {
                        String reason = "probe " + e.getKey() + " DOWN for " + streak + " consecutive polls: "
                                + e.getValue().detail();
                        Evidence ev = withExtra(evidenceOf(observe(s)), Map.of("probe", e.getKey(),
                                "probeDetail", e.getValue().detail(), "downStreak", Integer.toString(streak)));
                        rollbackFrom(s, RollbackMode.AUTOMATIC, TriggerKind.PROBE, e.getKey(), SYSTEM, reason,
                                new Verdict(Decision.ROLLBACK, reason, ev));
                        return;
                    }
                } else {
                    downs.set(0);
                }
            }
            r.lastProbes = Map.copyOf(statuses);
        }
        Observation o = observe(s);
        Signals signals = new Signals(o, clock.instant(), r.lastProbes);
        for (RollbackCondition condition : conditions) {
            boolean holds;
            try {
                holds = condition.predicate().test(signals);
            } catch (RuntimeException e) {
                LOG.error("guard {}: condition {} failed: {}", name, condition.name(), e.toString());
                continue;
            }
            if (holds) {
                String reason = "condition " + condition.name() + " holds";
                rollbackFrom(s, RollbackMode.CONDITIONAL, TriggerKind.CONDITION, condition.name(), SYSTEM, reason,
                        new Verdict(Decision.ROLLBACK, reason, evidenceOf(o)));
                return;
            }
        }
        if (s.phase == GuardState.ROLLING_BACK) {
            if (evaluate(s) == null) {
                return;
            }
            if (stableHealthy()) {
                stepDown(s);
            }
            return;
        }
        Verdict v = evaluate(s);
        if (v != null && s.phase == GuardState.ROLLING_OUT) {
            progress(s, v);
        }
    }

    private boolean stableHealthy() {
        if (stableProbes.isEmpty()) {
            return true;
        }
        for (Map.Entry<String, ProbeResult> e : probeRunner.runAll(stableProbes).entrySet()) {
            if (e.getValue().status() == HealthStatus.DOWN) {
                LOG.warn("guard {}: gradual rollback held, stable probe {} is DOWN: {}", name, e.getKey(),
                        e.getValue().detail());
                return false;
            }
        }
        return true;
    }

    private void runChecksSafely() {
        try {
            runChecks();
        } catch (RuntimeException e) {
            LOG.error("guard {}: scheduled checks failed", name, e);
        }
    }

    /** Stops the scheduled checks and the probe threads the guard created; calls keep working. */
    @Override
    public void close() {
        closed = true;
        if (schedule != null) {
            schedule.cancel(false);
        }
        if (ownedProbeExecutor != null) {
            ownedProbeExecutor.shutdownNow();
        }
    }

    // ------------------------------------------------------------------ helpers

    private static Evidence evidenceOf(Observation o) {
        VariantStats c = o.candidate();
        VariantStats s = o.stable();
        return new Evidence(c.calls(), c.failures(), s.calls(), s.failures(), c.failureRate(), s.failureRate(), 0, 0,
                0, Map.of("callsTaken", Long.toString(c.calls()), "consecutiveFailures",
                        Long.toString(c.consecutiveFailures())));
    }

    private Rollout newRollout() {
        return new Rollout(epochs.incrementAndGet(), new VariantRecorder(slowNanos), new VariantRecorder(slowNanos));
    }

    private Version<T> newVersion(String version, T impl) {
        CircuitBreaker cb = CircuitBreaker.of(name + ":" + version, breakerConfig);
        Counter ok = null;
        Counter failed = null;
        Counter ignored = null;
        if (registry != null) {
            ok = callCounter(version, "success");
            failed = callCounter(version, "failure");
            ignored = callCounter(version, "ignored");
        }
        return new Version<>(version, impl, cb, ok, failed, ignored);
    }

    private Counter callCounter(String version, String outcome) {
        return Counter.builder("dr.guard.calls").description("Calls through a guarded release")
                .tag("guard", name).tag("version", version).tag("outcome", outcome)
                .register(Objects.requireNonNull(registry));
    }

    static int bucket(Object key) {
        int h = key.hashCode();
        h ^= h >>> 16;
        h *= 0x45d9f3b;
        h ^= h >>> 16;
        h *= 0x45d9f3b;
        h ^= h >>> 16;
        return (h & 0x7fffffff) % BUCKETS;
    }

    @Override
    public String toString() {
        State<T> s = state.get();
        return String.format(Locale.ROOT, "GuardedRelease[%s %s stable=%s candidate=%s weight=%.4f]", name, s.phase,
                s.stable.name, s.candidate == null ? "-" : s.candidate.name, s.weight);
    }

    /** Marks a shadow call whose result differed from the stable one, for the circuit breaker. */
    private static final class ShadowMismatchException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ShadowMismatchException() {
            super("shadow result differs from stable result", null, false, false);
        }
    }

    /** One version of the component with its circuit breaker and meters. */
    private static final class Version<T> {
        final String name;
        final T impl;
        final CircuitBreaker breaker;
        final @Nullable Counter success;
        final @Nullable Counter failure;
        final @Nullable Counter ignored;

        Version(String name, T impl, CircuitBreaker breaker, @Nullable Counter success, @Nullable Counter failure,
                @Nullable Counter ignored) {
            this.name = name;
            this.impl = impl;
            this.breaker = breaker;
            this.success = success;
            this.failure = failure;
            this.ignored = ignored;
        }

        void count(@Nullable Counter counter) {
            if (counter != null) {
                counter.increment();
            }
        }
    }

    /** An operator's gradual rollback in progress. */
    private record GradualRollback(String actor, String reason, double fromWeight) {
    }

    /** One rollout of one candidate: its evidence, shared by the states of all its steps. */
    private static final class Rollout {
        final long epoch;
        final VariantRecorder stable;
        final VariantRecorder candidate;
        final Map<String, AtomicInteger> probeDowns = new ConcurrentHashMap<>();
        volatile Map<String, HealthStatus> lastProbes = Map.of();
        volatile @Nullable GradualRollback gradual;

        Rollout(long epoch, VariantRecorder stable, VariantRecorder candidate) {
            this.epoch = epoch;
            this.stable = stable;
            this.candidate = candidate;
        }

        @Override
        public String toString() {
            return "Rollout#" + epoch;
        }
    }

    /** The immutable routing state; every change is one compare-and-set of the reference. */
    private static final class State<T> {
        final GuardState phase;
        final Version<T> stable;
        final @Nullable Version<T> candidate;
        final @Nullable Rollout rollout;
        final int step;
        final double weight;
        final int threshold;
        final Instant stepStartedAt;
        final long stepStartCalls;
        final @Nullable Version<T> previous;
        final @Nullable Instant promotedAt;
        final @Nullable Version<T> rolledBack;
        final int rolledBackStep;
        final @Nullable RollbackEvent lastRollback;

        private State(GuardState phase, Version<T> stable, @Nullable Version<T> candidate, @Nullable Rollout rollout,
                int step, double weight, Instant stepStartedAt, long stepStartCalls,
                @Nullable Version<T> previous, @Nullable Instant promotedAt, @Nullable Version<T> rolledBack,
                int rolledBackStep, @Nullable RollbackEvent lastRollback) {
            this.phase = phase;
            this.stable = stable;
            this.candidate = candidate;
            this.rollout = rollout;
            this.step = step;
            this.weight = weight;
            this.threshold = candidate == null ? 0 : (int) Math.round(weight * BUCKETS);
            this.stepStartedAt = stepStartedAt;
            this.stepStartCalls = stepStartCalls;
            this.previous = previous;
            this.promotedAt = promotedAt;
            this.rolledBack = rolledBack;
            this.rolledBackStep = rolledBackStep;
            this.lastRollback = lastRollback;
        }

        static <T> State<T> stableOnly(Version<T> stable) {
            return new State<>(GuardState.STABLE, stable, null, null, 0, 0.0, Instant.EPOCH, 0, null,
                    null, null, 0, null);
        }

        static <T> State<T> rolling(GuardState phase, Version<T> stable, Version<T> candidate, Rollout rollout,
                int step, double weight, Instant stepStartedAt, long stepStartCalls) {
            return new State<>(phase, stable, candidate, rollout, step, weight, stepStartedAt, stepStartCalls,
                    null, null, null, 0, null);
        }

        static <T> State<T> promoted(Version<T> stable, @Nullable Version<T> previous, Rollout rollout,
                Instant promotedAt) {
            return new State<>(GuardState.PROMOTED, stable, null, rollout, 0, 0.0, promotedAt, 0,
                    previous, promotedAt, null, 0, null);
        }

        static <T> State<T> rolledBack(Version<T> stable, Version<T> rolledBack, int step, Rollout rollout,
                RollbackEvent event) {
            return new State<>(GuardState.ROLLED_BACK, stable, null, rollout, 0, 0.0, event.at(), 0,
                    null, null, rolledBack, step, event);
        }
    }

    /**
     * Builds a {@link GuardedRelease}. Setting the same thing twice is an error.
     *
     * @param <T> the interface both versions implement
     */
    public static final class Builder<T> {
        private final String name;
        private GuardConfig config = GuardConfig.DEFAULT;
        private boolean configSet;
        private @Nullable Judge judge;
        private Clock clock = Clock.systemUTC();
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

        private Builder(String name) {
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
        public Builder<T> stable(String version, T impl) {
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
        public Builder<T> candidate(String version, Supplier<? extends T> factory) {
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
        public Builder<T> config(GuardConfig value) {
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
        public Builder<T> judge(Judge value) {
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
        public Builder<T> clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * Adds a probe of the candidate: DOWN for {@link ProbeSettings#downThreshold()}
         * consecutive polls rolls the candidate back.
         *
         * @param probe the probe
         * @return this builder
         */
        public Builder<T> candidateProbe(HealthProbe probe) {
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
        public Builder<T> stableProbe(HealthProbe probe) {
            stableProbes.add(Objects.requireNonNull(probe, "probe"));
            return this;
        }

        /**
         * Adds a custom rollback trigger, asked with the judge.
         *
         * @param trigger the trigger
         * @return this builder
         */
        public Builder<T> trigger(RollbackTrigger trigger) {
            triggers.add(Objects.requireNonNull(trigger, "trigger"));
            return this;
        }

        /**
         * Adds a rollback condition, checked at each scheduled check.
         *
         * @param condition the condition
         * @return this builder
         */
        public Builder<T> condition(RollbackCondition condition) {
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
        public final Builder<T> recordExceptions(Class<? extends Throwable>... types) {
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
        public final Builder<T> ignoreExceptions(Class<? extends Throwable>... types) {
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
        public Builder<T> failureResult(Predicate<Object> predicate) {
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
        public Builder<T> shadowComparator(BiPredicate<Object, Object> value) {
            this.comparator = Objects.requireNonNull(value, "comparator");
            return this;
        }

        /**
         * Sets the scheduler that runs {@link GuardedRelease#runChecks()} every probe interval;
         * without one, the owner calls it.
         *
         * @param value the scheduler
         * @return this builder
         */
        public Builder<T> scheduler(ScheduledExecutorService value) {
            this.scheduler = Objects.requireNonNull(value, "scheduler");
            return this;
        }

        /**
         * Sets where probes run (default: daemon threads the guard owns).
         *
         * @param value the executor
         * @return this builder
         */
        public Builder<T> probeExecutor(ExecutorService value) {
            this.probeExecutor = Objects.requireNonNull(value, "probeExecutor");
            return this;
        }

        /**
         * Sets where audit events go.
         *
         * @param value the sink
         * @return this builder
         */
        public Builder<T> auditSink(AuditSink value) {
            this.audit = Objects.requireNonNull(value, "auditSink");
            return this;
        }

        /**
         * Sets where the {@code dr.guard.*} and {@code dr.rollback.total} meters go.
         *
         * @param value the registry
         * @return this builder
         */
        public Builder<T> meterRegistry(MeterRegistry value) {
            this.registry = Objects.requireNonNull(value, "meterRegistry");
            return this;
        }

        /**
         * Adds a listener for the guard's decisions.
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder<T> listener(GuardListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Builds the guard and, when a candidate was given, starts its rollout.
         *
         * @return the guard
         * @throws DrException {@code INVALID_ARGUMENT} when the stable version is missing or an
         *     exception class named in the configuration cannot be loaded
         */
        public GuardedRelease<T> build() {
            if (stableVersion == null || stableImpl == null) {
                throw DrException.invalidArgument("stable", "must be set", null);
            }
            for (String cls : config.circuitBreaker().recordExceptions()) {
                recordExceptions.add(exceptionClass("circuitBreaker.recordExceptions", cls));
            }
            for (String cls : config.circuitBreaker().ignoreExceptions()) {
                ignoreExceptions.add(exceptionClass("circuitBreaker.ignoreExceptions", cls));
            }
            return new GuardedRelease<>(this);
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
}
