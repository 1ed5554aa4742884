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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checks a guard runs every probe interval: candidate probes (a DOWN streak rolls back),
 * conditions, the rules, time-gated steps, a gradual rollback's next batch and the end of the
 * revert window. During the revert window the probes and conditions keep watching the
 * promoted version and revert to the previous stable. Owns the executors it created and stops them on {@link #close()}.
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
    private final @Nullable ScheduledFuture<?> schedule;
    private volatile boolean closed;

    /**
     * Creates the checks and, when a scheduler is given, schedules them every probe interval.
     *
     * @param owned executors created for this guard, shut down on close
     */
    ScheduledChecks(RolloutMachine<T> machine, List<HealthProbe> candidateProbes, List<HealthProbe> stableProbes,
            List<RollbackCondition> conditions, ProbeRunner probes, MissingData probeNoAnswer,
            @Nullable ScheduledExecutorService scheduler, List<ExecutorService> owned) {
        this.m = machine;
        this.candidateProbes = List.copyOf(candidateProbes);
        this.stableProbes = List.copyOf(stableProbes);
        this.conditions = List.copyOf(conditions);
        this.probes = probes;
        this.probeNoAnswer = probeNoAnswer;
        this.owned = List.copyOf(owned);
        long interval = machine.config.probes().interval().toNanos();
        this.schedule = scheduler == null ? null
                : scheduler.scheduleWithFixedDelay(this::runSafely, interval, interval, TimeUnit.NANOSECONDS);
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

    /** Evaluates the conditions; returns true when one of them rolled back. */
    private boolean checkConditions(RoutingState<T> s, Rollout r) {
        Observation o = m.observe(s);
        Signals signals = new Signals(o, m.clock.instant(), r.lastProbes);
        for (RollbackCondition condition : conditions) {
            boolean holds;
            try {
                holds = condition.predicate().test(signals);
            } catch (RuntimeException e) {
                LOG.error("guard {}: condition {} failed: {}", m.name, condition.name(), e.toString());
                continue;
            }
            if (holds) {
                String reason = "condition " + condition.name() + " holds";
                m.rollbackFrom(s, RollbackMode.CONDITIONAL, TriggerKind.CONDITION, condition.name(),
                        RolloutMachine.SYSTEM, reason,
                        new Verdict(Decision.ROLLBACK, reason, GuardRules.evidenceOf(o)));
                return true;
            }
        }
        return false;
    }

    /** Polls the candidate's probes; returns true when a DOWN streak rolled the candidate back. */
    private boolean pollCandidate(RoutingState<T> s, Rollout r) {
        Map<String, HealthStatus> statuses = new HashMap<>();
        Map<String, String> details = new HashMap<>();
        Set<String> silent = new HashSet<>();
        for (Map.Entry<String, ProbeRunner.Poll> e : probes.runAll(candidateProbes).entrySet()) {
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

    /** What the scheduler runs: the checks, with any failure logged so that the next run still happens. */
    void runSafely() {
        try {
            run();
        } catch (RuntimeException e) {
            LOG.error("guard {}: scheduled checks failed", m.name, e);
        }
    }

    @Override
    public void close() {
        closed = true;
        if (schedule != null) {
            schedule.cancel(false);
        }
        for (ExecutorService e : owned) {
            e.shutdownNow();
        }
    }
}
