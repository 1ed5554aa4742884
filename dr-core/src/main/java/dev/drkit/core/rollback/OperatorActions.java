package dev.drkit.core.rollback;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.api.health.HealthStatus;
import dev.drkit.api.rollback.Decision;
import dev.drkit.api.rollback.Evidence;
import dev.drkit.api.rollback.GuardState;
import dev.drkit.api.rollback.RollbackEvent;
import dev.drkit.api.rollback.RollbackMode;
import dev.drkit.api.rollback.TriggerKind;
import dev.drkit.api.rollback.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * What people and other systems ask of a guard (roll back, roll back gradually, promote, undo,
 * pause, resume, deploy, restore), each a loop of compare-and-set on the state machine that
 * retries when an automatic decision won the race.
 */
final class OperatorActions<T> {
    private static final String WAS_DOWN = "was DOWN";

    private final RolloutMachine<T> m;
    private final List<String> candidateProbes;

    OperatorActions(RolloutMachine<T> machine, List<String> candidateProbes) {
        this.m = machine;
        this.candidateProbes = List.copyOf(candidateProbes);
    }

    private DrException illegal(String message) {
        return new DrException(ErrorCode.ILLEGAL_STATE, "guard " + m.name + " " + message, m.name);
    }

    RollbackEvent rollback(String actor, String reason) {
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(reason, "reason");
        while (true) {
            RoutingState<T> cur = m.current();
            RollbackEvent e;
            if (cur.candidate != null) {
                Verdict v = new Verdict(Decision.ROLLBACK, reason, m.evidenceOf(cur));
                e = m.rollbackFrom(cur, RollbackMode.EMERGENCY, TriggerKind.OPERATOR, "operator", actor, reason, v);
            } else if (cur.phase == GuardState.PROMOTED && cur.previous != null && m.withinRevertWindow(cur)) {
                e = m.revert(cur, RollbackMode.EMERGENCY, TriggerKind.OPERATOR, "operator", actor, reason,
                        new Verdict(Decision.ROLLBACK, reason, Evidence.NONE));
            } else if (cur.phase == GuardState.ROLLED_BACK && cur.lastRollback != null) {
                return cur.lastRollback;
            } else {
                throw illegal("has no candidate to roll back (state " + cur.phase + ")");
            }
            if (e != null) {
                return e;
            }
        }
    }

    Optional<RollbackEvent> rollbackOnAlert(String alert, String reason) {
        RoutingState<T> cur = m.current();
        boolean promotedRecently = cur.phase == GuardState.PROMOTED && cur.previous != null
                && m.withinRevertWindow(cur);
        if (cur.candidate == null && !promotedRecently) {
            return Optional.empty();
        }
        Verdict v = new Verdict(Decision.ROLLBACK, reason, m.evidenceOf(cur));
        return Optional.ofNullable(m.rollbackFrom(cur, RollbackMode.AUTOMATIC, TriggerKind.ALERT, alert,
                RolloutMachine.SYSTEM, reason, v));
    }

    void rollbackGradually(String actor, String reason) {
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(reason, "reason");
        while (true) {
            RoutingState<T> cur = m.current();
            if (cur.candidate == null || cur.phase == GuardState.ROLLING_BACK) {
                throw illegal("has no rollout to roll back gradually (state " + cur.phase + ")");
            }
            Objects.requireNonNull(cur.rollout).gradual = new Rollout.GradualRollback(actor, reason, cur.weight);
            if (m.stepDown(cur)) {
                return;
            }
        }
    }

    void promote(String actor, String reason, boolean force) {
        promote(actor, reason, force, false);
    }

    /**
     * Promotes the candidate; {@code fromFleet} applies a promotion another instance decided,
     * refused here only while a local candidate probe was DOWN at its last poll (a probe that
     * has not answered here yet, or the state of a local gradual rollback, does not hold back
     * what the fleet decided).
     */
    void promote(String actor, String reason, boolean force, boolean fromFleet) {
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(reason, "reason");
        while (true) {
            RoutingState<T> cur = m.current();
            if (cur.candidate == null) {
                throw illegal("has no candidate to promote (state " + cur.phase + ")");
            }
            if (cur.phase == GuardState.ROLLING_BACK && !force && !fromFleet) {
                throw illegal("will not promote " + cur.candidate.name + " during its gradual rollback (state "
                        + cur.phase + "); promote with force (GuardedRelease.promote(actor, reason, true)) to "
                        + "override");
            }
            Map<String, String> notUp = probesNotUp(cur.rollout);
            if (fromFleet) {
                notUp.values().removeIf(d -> !d.startsWith(WAS_DOWN));
            }
            if (!notUp.isEmpty() && !force) {
                throw illegal("will not promote " + cur.candidate.name + " while its probe " + describe(notUp)
                        + "; promote with force (GuardedRelease.promote(actor, reason, true)) to override");
            }
            Evidence evidence = m.evidenceOf(cur);
            String why = reason;
            Map<String, String> extra = new TreeMap<>();
            if (!notUp.isEmpty()) {
                extra.put("forced", "true");
                extra.put("probesNotUp", describe(notUp));
                Map<String, String> down = new TreeMap<>(notUp);
                down.values().removeIf(d -> !d.startsWith(WAS_DOWN));
                if (!down.isEmpty()) {
                    extra.put("downProbes", describe(down));
                }
                why = "forced while probe " + describe(notUp);
            }
            if (cur.phase == GuardState.ROLLING_BACK && !fromFleet) {
                extra.put("forced", "true");
                extra.put("forcedState", cur.phase.name());
                why = notUp.isEmpty() ? "forced during gradual rollback" : why + ", during gradual rollback";
            }
            if (!extra.isEmpty()) {
                evidence = GuardRules.withExtra(evidence, extra);
                why = why + ": " + reason;
            }
            Verdict v = new Verdict(Decision.PROMOTE, why, evidence);
            if (m.promote(cur, actor, v, m.clock.instant())) {
                return;
            }
        }
    }

    /**
     * The candidate probes whose last answer was not UP, or not recent (within two probe
     * intervals and a timeout), with what is wrong, sorted by name.
     */
    private Map<String, String> probesNotUp(@Nullable Rollout r) {
        Map<String, String> bad = new TreeMap<>();
        if (candidateProbes.isEmpty()) {
            return bad;
        }
        Map<String, String> unanswered = r == null ? Map.of() : r.unansweredProbes;
        Map<String, HealthStatus> answers = r == null ? Map.of() : r.probeAnswers;
        Map<String, Instant> answeredAt = r == null ? Map.of() : r.probeAnsweredAt;
        Map<String, String> details = r == null ? Map.of() : r.lastProbeDetails;
        ProbeSettings settings = m.config.probes();
        Duration recent = settings.interval().multipliedBy(2).plus(settings.timeout());
        Instant now = m.clock.instant();
        for (String probe : candidateProbes) {
            HealthStatus status = answers.get(probe);
            Instant at = answeredAt.get(probe);
            String detail = details.getOrDefault(probe, "");
            String because = detail.isBlank() ? "" : " (" + detail + ")";
            if (unanswered.containsKey(probe)) {
                bad.put(probe, "gave no answer at the last poll (" + unanswered.get(probe) + ")");
            } else if (status == null || at == null) {
                bad.put(probe, "has not answered yet");
            } else if (status == HealthStatus.DOWN) {
                bad.put(probe, WAS_DOWN + because);
            } else if (status != HealthStatus.UP) {
                bad.put(probe, "was " + status + because);
            } else if (Duration.between(at, now).compareTo(recent) > 0) {
                bad.put(probe, "last answered at " + at + ", more than " + recent + " ago");
            }
        }
        return bad;
    }

    private static String describe(Map<String, String> probes) {
        StringBuilder b = new StringBuilder();
        probes.forEach((probe, what) -> b.append(b.length() == 0 ? "" : ", ").append(probe).append(' ').append(what));
        return b.toString();
    }

    void undoRollback(String actor, String reason) {
        while (true) {
            RoutingState<T> cur = m.current();
            ReleaseVersion<T> c = cur.rolledBack;
            if (cur.phase != GuardState.ROLLED_BACK || c == null) {
                throw illegal("has no rollback to undo (state " + cur.phase + ")");
            }
            c.breaker.reset();
            int step = Math.min(cur.rolledBackStep, m.config.plan().size() - 1);
            Instant now = m.clock.instant();
            RoutingState<T> n = RoutingState.rolling(GuardState.ROLLING_OUT, cur.stable, c, m.newRollout(), step,
                    m.config.plan().step(step).weight(), now);
            if (m.state.compareAndSet(cur, n)) {
                m.records.decision(new GuardEvent.RollbackUndone(m.name, c.name, actor, reason, now), actor,
                        "rollback.undo", null, "rollback of " + c.name + " undone by " + actor + ": " + reason,
                        AuditOutcome.SUCCESS);
                return;
            }
        }
    }

    void setPaused(String actor, boolean paused) {
        while (true) {
            RoutingState<T> cur = m.current();
            boolean allowed = paused ? cur.phase == GuardState.ROLLING_OUT
                    : cur.phase == GuardState.PAUSED || cur.phase == GuardState.FROZEN;
            if (!allowed) {
                throw illegal("cannot be " + (paused ? "paused" : "resumed") + " in state " + cur.phase);
            }
            Instant now = m.clock.instant();
            RoutingState<T> n = cur.withPhase(paused ? GuardState.PAUSED : GuardState.ROLLING_OUT,
                    paused ? cur.stepStartedAt : now);
            if (m.state.compareAndSet(cur, n)) {
                m.records.decision(new GuardEvent.PauseChanged(m.name, paused, actor, now), actor,
                        paused ? "rollout.pause" : "rollout.resume", null,
                        "rollout " + (paused ? "paused" : "resumed") + " by " + actor, AuditOutcome.SUCCESS);
                return;
            }
        }
    }

    void markIrreversible(String actor, String reason) {
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(reason, "reason");
        RoutingState<T> cur = m.current();
        boolean promotedRecently = cur.phase == GuardState.PROMOTED && cur.previous != null
                && m.withinRevertWindow(cur);
        if (cur.rollout == null || (cur.candidate == null && !promotedRecently)) {
            throw illegal("has no release to mark irreversible (state " + cur.phase + ")");
        }
        cur.rollout.irreversible = true;
        String version = cur.candidate != null ? cur.candidate.name : cur.stable.name;
        Instant now = m.clock.instant();
        m.records.decision(new GuardEvent.MarkedIrreversible(m.name, version, actor, reason, now), actor,
                "rollout.irreversible", null, version + " marked irreversible by " + actor + ": " + reason,
                AuditOutcome.SUCCESS);
    }

    boolean deploy(String version, Supplier<? extends T> factory) {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(factory, "factory");
        RoutingState<T> cur = m.current();
        if (cur.candidate != null) {
            throw illegal("is already rolling out " + cur.candidate.name);
        }
        if (version.equals(cur.stable.name)) {
            throw DrException.invalidArgument("version", "must differ from the stable version (" + cur.stable.name
                    + ")", version);
        }
        T impl;
        try {
            impl = Objects.requireNonNull(factory.get(), "candidate factory returned null");
        } catch (RuntimeException e) {
            m.records.decision(new GuardEvent.RolloutFailed(m.name, version, e.toString(), m.clock.instant()),
                    RolloutMachine.SYSTEM, "rollout.start", null,
                    "candidate " + version + " could not be created: " + e,
                    AuditOutcome.FAILURE);
            return false;
        }
        Instant now = m.clock.instant();
        double weight = m.config.plan().step(0).weight();
        RoutingState<T> n = RoutingState.rolling(GuardState.ROLLING_OUT, cur.stable, m.versions.apply(version, impl),
                m.newRollout(), 0, weight, now);
        if (!m.state.compareAndSet(cur, n)) {
            throw illegal("changed state while deploying " + version);
        }
        m.records.decision(new GuardEvent.RolloutStarted(m.name, cur.stable.name, version, weight, now),
                RolloutMachine.SYSTEM, "rollout.start", null, "rolling out " + version + " over " + cur.stable.name
                        + " at weight " + weight, AuditOutcome.SUCCESS);
        return true;
    }

    RollbackEvent restore(String version, T impl, String actor, String reason) {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(impl, "impl");
        ReleaseVersion<T> target = null;
        while (true) {
            RoutingState<T> cur = m.current();
            if (cur.candidate != null) {
                rollback(actor, reason);
                continue;
            }
            if (target == null) {
                target = m.versions.apply(version, impl);
            }
            Verdict v = new Verdict(Decision.ROLLBACK, reason, Evidence.NONE);
            RollbackEvent event = new RollbackEvent(m.name, RollbackMode.EMERGENCY, TriggerKind.OPERATOR, "operator",
                    actor, reason, v, cur.stable.name, version, m.clock.instant());
            Rollout rollout = cur.rollout != null ? cur.rollout : m.newRollout();
            if (m.state.compareAndSet(cur, RoutingState.rolledBack(target, cur.stable, 0, rollout, event))) {
                m.records.rollback(event);
                return event;
            }
        }
    }
}
