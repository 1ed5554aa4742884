package dev.drkit.core.rollback;

import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.health.HealthStatus;
import dev.drkit.api.health.ProbeResult;
import dev.drkit.api.rollback.Decision;
import dev.drkit.api.rollback.Evidence;
import dev.drkit.api.rollback.GuardState;
import dev.drkit.api.rollback.Observation;
import dev.drkit.api.rollback.RollbackMode;
import dev.drkit.api.rollback.TriggerKind;
import dev.drkit.api.rollback.Verdict;
import dev.drkit.core.rollback.internal.ProbeRunner;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checks a guard runs every probe interval: candidate probes (a DOWN streak rolls back),
 * conditions, the rules, time-gated steps, a gradual rollback's next batch and the end of the
 * revert window. During the revert window the probes and conditions keep watching the
 * promoted version and revert to the previous stable. Probes and conditions run on the probe
 * executor, each within {@link ProbeSettings#timeout()}, so that one that hangs holds neither
 * the others nor the next checks. Owns the executors it created and stops them on {@link #close()}.
 */
final class ScheduledChecks<T> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ScheduledChecks.class);

    private final RolloutMachine<T> m;
    private final List<HealthProbe> candidateProbes;
    private final List<HealthProbe> stableProbes;
    private final List<RollbackCondition> conditions;
    private final ProbeRunner probes;
    private final MissingData probeNoAnswer;
    private final List<ExecutorService> owned;
    private final @Nullable ScheduledExecutorService given;
    private final Supplier<ScheduledExecutorService> ownScheduler;
    private @Nullable ScheduledFuture<?> schedule;
    private volatile boolean closed;

    /**
     * Creates the checks and schedules them every probe interval: at once on a given scheduler;
     * without one, on a scheduler of their own, created when the checks are first needed (at
     * once for a guard with probes, conditions or a time-gated step, else at its first gradual
     * rollback; see {@link #ensureScheduled()}).
     *
     * @param scheduler the scheduler the guard was given, or null
     * @param ownScheduler creates the guard's own scheduler when it was given none
     * @param owned executors created for this guard, shut down on close
     */
    ScheduledChecks(RolloutMachine<T> machine, List<HealthProbe> candidateProbes, List<HealthProbe> stableProbes,
            List<RollbackCondition> conditions, ProbeRunner probes, MissingData probeNoAnswer,
            @Nullable ScheduledExecutorService scheduler, Supplier<ScheduledExecutorService> ownScheduler,
            List<ExecutorService> owned) {
        this.m = machine;
        this.candidateProbes = List.copyOf(candidateProbes);
        this.stableProbes = List.copyOf(stableProbes);
        this.conditions = List.copyOf(conditions);
        this.probes = probes;
        this.probeNoAnswer = probeNoAnswer;
        this.owned = new CopyOnWriteArrayList<>(owned);
        this.given = scheduler;
        this.ownScheduler = ownScheduler;
        boolean timeGated = machine.config.plan().steps().stream().anyMatch(st -> st.minDuration().compareTo(Duration.ZERO) > 0);
        if (scheduler != null || !this.candidateProbes.isEmpty() || !this.stableProbes.isEmpty()
                || !this.conditions.isEmpty() || timeGated) {
            ensureScheduled();
        }
    }

    /** The names of the candidate probes, in the order they were added. */
    List<String> candidateProbeNames() {
        return candidateProbes.stream().map(HealthProbe::name).toList();
    }

    /**
     * Schedules the checks every probe interval unless they are scheduled already or closed,
     * creating the guard's own scheduler when it was given none.
     */
    synchronized void ensureScheduled() {
        if (closed || schedule != null) {
            return;
        }
        ScheduledExecutorService on = given;
        if (on == null) {
            on = ownScheduler.get();
            owned.add(on);
        }
        long interval = m.config.probes().interval().toNanos();
        schedule = on.scheduleWithFixedDelay(this::runSafely, interval, interval, TimeUnit.NANOSECONDS);
    }

    void run() {
        if (closed) {
            return;
        }
        RoutingState<T> s = m.current();
        boolean watchingPromotion = s.phase == GuardState.PROMOTED && s.previous != null && m.withinRevertWindow(s);
        if (s.candidate == null && !watchingPromotion) {
            m.expireRevertWindow(s);
            return;
        }
        // While the previous stable is warm, the probes and conditions keep watching the promoted
        // version: a rollback they ask for reverts the promotion.
        Rollout r = Objects.requireNonNull(s.rollout);
        if (!candidateProbes.isEmpty() && pollCandidate(s, r)) {
            return;
        }
        if (checkConditions(s, r) || watchingPromotion) {
            return;
        }
        Verdict v = m.evaluate(s);
        if (v == null) {
            return;
        }
        if (s.phase == GuardState.ROLLING_BACK) {
            if (stableHealthy()) {
                m.stepDown(s);
            }
        } else if (s.phase == GuardState.ROLLING_OUT) {
            m.progress(s, v);
        }
    }

    /**
     * Evaluates the conditions, in parallel, each within the probe timeout; returns true when
     * one of them rolled back. A condition that throws (an {@link Error} too) or gives no answer
     * in time counts as not holding, and is logged at ERROR.
     */
    private boolean checkConditions(RoutingState<T> s, Rollout r) {
        if (conditions.isEmpty()) {
            return false;
        }
        Observation o = m.observe(s);
        Signals signals = new Signals(o, m.clock.instant(), r.lastProbes);
        List<Callable<Boolean>> tasks = new ArrayList<>(conditions.size());
        for (RollbackCondition condition : conditions) {
            tasks.add(() -> condition.predicate().test(signals));
        }
        List<ProbeRunner.Attempt<Boolean>> attempts = probes.attemptAll(conditions, tasks, Boolean.TRUE::equals);
        RollbackCondition holding = null;
        for (int i = 0; i < conditions.size(); i++) {
            RollbackCondition condition = conditions.get(i);
            ProbeRunner.Attempt<Boolean> a = attempts.get(i);
            Throwable error = a.error();
            if (a.answered() && error == null) {
                if (Boolean.TRUE.equals(a.value()) && holding == null) {
                    holding = condition;
                }
            } else if (error != null) {
                LOG.error("guard {}: condition {} failed, so it counts as not holding: {}", m.name, condition.name(),
                        error.toString());
            } else if (!a.why().startsWith("not awaited")) {
                LOG.error("guard {}: condition {} gave no answer ({}), so it counts as not holding", m.name,
                        condition.name(), a.why());
            }
        }
        if (holding == null) {
            return false;
        }
        String reason = "condition " + holding.name() + " holds";
        m.rollbackFrom(s, RollbackMode.CONDITIONAL, TriggerKind.CONDITION, holding.name(), RolloutMachine.SYSTEM,
                reason, new Verdict(Decision.ROLLBACK, reason, GuardRules.evidenceOf(o)));
        return true;
    }

    /** Polls the candidate's probes; returns true when a DOWN streak rolled the candidate back. */
    private boolean pollCandidate(RoutingState<T> s, Rollout r) {
        Map<String, HealthStatus> statuses = new HashMap<>();
        Map<String, String> details = new HashMap<>();
        Set<String> silent = new HashSet<>();
        Map<String, String> unanswered = new HashMap<>();
        Map<String, Instant> answeredAt = new HashMap<>(r.probeAnsweredAt);
        Map<String, HealthStatus> answers = new HashMap<>(r.probeAnswers);
        Map<String, ProbeRunner.Poll> polls = probes.runAll(candidateProbes);
        Instant now = m.clock.instant();
        for (Map.Entry<String, ProbeRunner.Poll> e : polls.entrySet()) {
            if (e.getValue().answered()) {
                answeredAt.put(e.getKey(), now);
                answers.put(e.getKey(), e.getValue().result().status());
            } else {
                unanswered.put(e.getKey(), e.getValue().result().detail());
            }
        }
        r.probeAnsweredAt = Map.copyOf(answeredAt);
        r.probeAnswers = Map.copyOf(answers);
        r.unansweredProbes = Map.copyOf(unanswered);
        for (Map.Entry<String, ProbeRunner.Poll> e : polls.entrySet()) {
            ProbeResult result = e.getValue().result();
            boolean noAnswer = !e.getValue().answered();
            if (noAnswer && probeNoAnswer != MissingData.FAIL) {
                if (probeNoAnswer == MissingData.HOLD) {
                    silent.add(e.getKey());
                } else {
                    r.probeDowns.computeIfAbsent(e.getKey(), k -> new AtomicInteger()).set(0);
                    statuses.put(e.getKey(), HealthStatus.UP);
                }
                continue;
            }
            statuses.put(e.getKey(), result.status());
            details.put(e.getKey(), result.detail());
            AtomicInteger downs = r.probeDowns.computeIfAbsent(e.getKey(), k -> new AtomicInteger());
            if (result.status() != HealthStatus.DOWN) {
                downs.set(0);
                continue;
            }
            int streak = downs.incrementAndGet();
            if (streak >= m.config.probes().downThreshold()) {
                String reason = "probe " + e.getKey() + " DOWN for " + streak + " consecutive polls: "
                        + result.detail();
                Evidence ev = GuardRules.withExtra(m.evidenceOf(s), Map.of("probe", e.getKey(),
                        "probeDetail", result.detail(), "downStreak", Integer.toString(streak)));
                m.rollbackFrom(s, RollbackMode.AUTOMATIC, TriggerKind.PROBE, e.getKey(), RolloutMachine.SYSTEM, reason,
                        new Verdict(Decision.ROLLBACK, reason, ev));
                return true;
            }
        }
        r.lastProbeDetails = Map.copyOf(details);
        r.lastProbes = Map.copyOf(statuses);
        r.silentProbes = Set.copyOf(silent);
        r.polls.incrementAndGet();
        return false;
    }

    private boolean stableHealthy() {
        if (stableProbes.isEmpty()) {
            return true;
        }
        for (Map.Entry<String, ProbeRunner.Poll> e : probes.runAll(stableProbes).entrySet()) {
            ProbeResult result = e.getValue().result();
            if (result.status() == HealthStatus.DOWN) {
                LOG.warn("guard {}: gradual rollback held, stable probe {} is DOWN: {}", m.name, e.getKey(),
                        result.detail());
                return false;
            }
        }
        return true;
    }

    /**
     * What the scheduler runs: the checks, with any failure (an {@link Error} too) logged so that
     * the next run still happens, since a scheduled task that throws is never run again.
     */
    void runSafely() {
        try {
            run();
        } catch (Throwable e) {
            LOG.error("guard {}: scheduled checks failed; they run again in {}", m.name,
                    m.config.probes().interval(), e);
        }
    }

    @Override
    public void close() {
        ScheduledFuture<?> scheduled;
        synchronized (this) {
            closed = true;
            scheduled = schedule;
        }
        if (scheduled != null) {
            scheduled.cancel(false);
        }
        for (ExecutorService e : owned) {
            e.shutdownNow();
        }
    }
}
