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
import java.time.Instant;
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
    private final RolloutMachine<T> m;

    OperatorActions(RolloutMachine<T> machine) {
        this.m = machine;
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
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(reason, "reason");
        while (true) {
            RoutingState<T> cur = m.current();
            if (cur.candidate == null) {
                throw illegal("has no candidate to promote (state " + cur.phase + ")");
            }
            Map<String, String> down = downProbes(cur.rollout);
            if (!down.isEmpty() && !force) {
                throw illegal("will not promote " + cur.candidate.name + " while its probe "
                        + describe(down) + " at the last poll; promote with force"
                        + " (GuardedRelease.promote(actor, reason, true)) to override");
            }
            Evidence evidence = m.evidenceOf(cur);
            String why = reason;
            if (!down.isEmpty()) {
                evidence = GuardRules.withExtra(evidence, Map.of("forced", "true", "downProbes", describe(down)));
                why = "forced while probe " + describe(down) + ": " + reason;
            }
            Verdict v = new Verdict(Decision.PROMOTE, why, evidence);
            if (m.promote(cur, actor, v, m.clock.instant())) {
                return;
            }
        }
    }

    /** The candidate probes DOWN at the last poll, with their detail, sorted by name. */
    private static Map<String, String> downProbes(@Nullable Rollout r) {
        Map<String, String> down = new TreeMap<>();
        if (r == null) {
            return down;
        }
        Map<String, String> details = r.lastProbeDetails;
        r.lastProbes.forEach((probe, status) -> {
            if (status == HealthStatus.DOWN) {
                down.put(probe, details.getOrDefault(probe, ""));
            }
        });
        return down;
    }

    private static String describe(Map<String, String> down) {
        StringBuilder b = new StringBuilder();
        down.forEach((probe, detail) -> b.append(b.length() == 0 ? "" : ", ").append(probe).append(" was DOWN")
                .append(detail.isBlank() ? "" : " (" + detail + ")"));
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
