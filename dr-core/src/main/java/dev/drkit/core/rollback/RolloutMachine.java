package dev.drkit.core.rollback;

import dev.drkit.api.Ticker;
import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.api.rollback.Decision;
import dev.drkit.api.rollback.Evidence;
import dev.drkit.api.rollback.GuardSnapshot;
import dev.drkit.api.rollback.GuardState;
import dev.drkit.api.rollback.Hold;
import dev.drkit.api.rollback.HoldReason;
import dev.drkit.api.rollback.Observation;
import dev.drkit.api.rollback.RollbackEvent;
import dev.drkit.api.rollback.RollbackMode;
import dev.drkit.api.rollback.TriggerKind;
import dev.drkit.api.rollback.VariantStats;
import dev.drkit.api.rollback.Verdict;
import dev.drkit.core.report.Durations;
import dev.drkit.core.rollback.internal.DecisionLog;
import dev.drkit.core.rollback.internal.VariantRecorder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rollout state machine: one {@link RoutingState} behind an {@link AtomicReference}, and
 * the automatic transitions (advance a step, promote, roll back, revert a promotion, step a
 * gradual rollback down), each a single compare-and-set recorded once. Operator actions are
 * built on these in {@link OperatorActions}.
 */
final class RolloutMachine<T> implements CallPath.CandidateListener<T> {
    /** The actor recorded for decisions the guard makes on its own. */
    static final String SYSTEM = "system";

    private static final long PROGRESS_CHECK_MASK = 63;
    private static final Logger LOG = LoggerFactory.getLogger(RolloutMachine.class);

    final String name;
    final GuardConfig config;
    final Clock clock;
    private final Ticker ticker;
    final DecisionLog records;
    final BiFunction<String, T, ReleaseVersion<T>> versions;
    final AtomicReference<RoutingState<T>> state;
    private final GuardRules rules;
    private final EvidenceGate gate;
    private final long slowNanos;
    private final AtomicLong epochs = new AtomicLong();

    RolloutMachine(String name, GuardConfig config, Clock clock, Ticker ticker, GuardRules rules, EvidenceGate gate,
            DecisionLog records, BiFunction<String, T, ReleaseVersion<T>> versions, ReleaseVersion<T> stable) {
        this.name = name;
        this.config = config;
        this.clock = clock;
        this.ticker = ticker;
        this.rules = rules;
        this.gate = gate;
        this.records = records;
        this.versions = versions;
        this.slowNanos = config.circuitBreaker().slowCallDuration().toNanos();
        this.state = new AtomicReference<>(RoutingState.stableOnly(stable));
    }

    RoutingState<T> current() {
        return state.get();
    }

    Rollout newRollout() {
        return new Rollout(epochs.incrementAndGet(), new VariantRecorder(slowNanos), new VariantRecorder(slowNanos));
    }

    Observation observe(RoutingState<T> s) {
        Rollout r = s.rollout;
        if (s.candidate == null || r == null) {
            return new Observation(name, VariantStats.EMPTY, VariantStats.EMPTY, 0.0, Duration.ZERO);
        }
        VariantStats stable = r.stable.stats(s.stable.isOpen());
        VariantStats candidate = r.candidate.stats(s.candidate.isOpen());
        Duration elapsed = Duration.between(s.stepStartedAt, clock.instant());
        return new Observation(name, stable, candidate, s.weight, elapsed.isNegative() ? Duration.ZERO : elapsed);
    }

    GuardSnapshot snapshot() {
        RoutingState<T> s = state.get();
        Hold hold = null;
        if (s.phase == GuardState.ROLLING_OUT && s.rollout != null) {
            hold = gate.hold(s, observe(s), clock.instant());
            if (hold == null) {
                Hold judged = s.rollout.judgeHold;
                hold = judged != null ? judged : new Hold(HoldReason.JUDGE, "the judge has not been asked yet");
            }
        }
        return new GuardSnapshot(name, s.phase, s.weight, s.stable.name, s.candidate == null ? null : s.candidate.name,
                s.step, s.lastRollback, hold);
    }

    // ------------------------------------------------------------------ from the call path

    /** Checks the step's gates about once in 64 candidate calls (when a latency bucket's count is a multiple of 64). */
    @Override
    public void candidateSucceeded(RoutingState<T> s, long sample, long nanos) {
        if (nanos >= slowNanos && Objects.requireNonNull(s.candidate).isOpen()) {
            candidateFailed(s);
            return;
        }
        if ((sample & PROGRESS_CHECK_MASK) == 0) {
            RoutingState<T> cur = state.get();
            if (cur.rollout == s.rollout) {
                progress(cur, null);
            }
        }
    }

    @Override
    public void candidateFailed(RoutingState<T> s) {
        RoutingState<T> cur = state.get();
        if (cur.rollout == s.rollout && cur.candidate != null) {
            evaluate(cur);
        }
    }

    // ------------------------------------------------------------------ automatic transitions

    /** Asks the rules; returns the verdict, or null when the candidate was rolled back. */
    @Nullable Verdict evaluate(RoutingState<T> s) {
        GuardRules.Ruling r = rules.evaluate(observe(s));
        GuardRules.Breach b = r.breach();
        if (b != null) {
            rollbackFrom(s, RollbackMode.AUTOMATIC, b.kind(), b.trigger(), SYSTEM, b.verdict().reason(), b.verdict());
            return null;
        }
        return r.verdict();
    }

    /**
     * Advances the rollout when every signal has its evidence, the judge accepts (judging now
     * unless a verdict is given) and no candidate call has been running for longer than the
     * slow-call duration; otherwise records why the step holds. A call that has not returned has
     * nothing in the evidence yet, so the step waits for it: hung calls would otherwise be
     * judged only after the candidate had been promoted over them.
     */
    void progress(RoutingState<T> s, @Nullable Verdict verdict) {
        if (s.phase != GuardState.ROLLING_OUT) {
            return;
        }
        Rollout r = Objects.requireNonNull(s.rollout);
        Instant now = clock.instant();
        if (gate.hold(s, observe(s), now) != null) {
            return;
        }
        Verdict v = verdict != null ? verdict : evaluate(s);
        if (v == null) {
            return;
        }
        if (v.decision() != Decision.PROMOTE) {
            r.judgeHold = new Hold(HoldReason.JUDGE, v.reason());
            return;
        }
        long running = r.candidate.longestRunning(ticker.read());
        if (running > slowNanos) {
            r.judgeHold = new Hold(HoldReason.LATENCY_CALLS, "a candidate call has been running for "
                    + Durations.human(Duration.ofNanos(running)) + ", longer than the slow-call duration "
                    + Durations.human(config.circuitBreaker().slowCallDuration()) + ": the step waits for it to return");
            return;
        }
        r.judgeHold = null;
        if (s.step + 1 < config.plan().size()) {
            int next = s.step + 1;
            double weight = config.plan().step(next).weight();
            RoutingState<T> n = RoutingState.rolling(GuardState.ROLLING_OUT, s.stable,
                    Objects.requireNonNull(s.candidate), r, next, weight, now);
            if (state.compareAndSet(s, n)) {
                records.decision(new GuardEvent.WeightChanged(name, s.candidate.name, next, weight, v, now), SYSTEM,
                        "rollout.step", v, "candidate " + s.candidate.name + " advanced to step " + next
                                + " at weight " + weight, AuditOutcome.SUCCESS);
            }
        } else {
            promote(s, SYSTEM, v, now);
        }
    }

    boolean promote(RoutingState<T> s, String actor, Verdict v, Instant now) {
        ReleaseVersion<T> c = Objects.requireNonNull(s.candidate);
        RoutingState<T> n = RoutingState.promoted(c, s.stable, Objects.requireNonNull(s.rollout), now);
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
    @Nullable RollbackEvent rollbackFrom(RoutingState<T> seen, RollbackMode mode, TriggerKind kind, String trigger,
            String actor, String reason, Verdict verdict) {
        Rollout rollout = seen.rollout;
        if (rollout != null && rollout.irreversible
                && (mode == RollbackMode.AUTOMATIC || mode == RollbackMode.CONDITIONAL)) {
            freeze(rollout, trigger, reason, verdict);
            return null;
        }
        while (true) {
            RoutingState<T> cur = state.get();
            if (cur.rollout != rollout || rollout == null) {
                return null;
            }
            if (cur.candidate != null) {
                RollbackEvent event = new RollbackEvent(name, mode, kind, trigger, actor, reason, verdict,
                        cur.candidate.name, cur.stable.name, clock.instant());
                if (state.compareAndSet(cur, RoutingState.rolledBack(cur.stable, cur.candidate, cur.step, rollout,
                        event))) {
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

    /**
     * Stops the rollout of an irreversible release at its weight instead of rolling it back,
     * and records it once, as a failure that needs a person.
     */
    private void freeze(Rollout rollout, String trigger, String reason, Verdict verdict) {
        while (true) {
            RoutingState<T> cur = state.get();
            if (cur.rollout != rollout) {
                return;
            }
            boolean rolling = cur.candidate != null && cur.phase != GuardState.FROZEN;
            if (rolling && !state.compareAndSet(cur, cur.withPhase(GuardState.FROZEN, cur.stepStartedAt))) {
                continue;
            }
            if (rollout.frozen.compareAndSet(false, true)) {
                String version = cur.candidate != null ? cur.candidate.name : cur.stable.name;
                Instant now = clock.instant();
                LOG.error("guard {}: {} is irreversible, so its rollout froze instead of rolling back: {}", name,
                        version, reason);
                records.decision(new GuardEvent.Frozen(name, version, trigger, reason, now), SYSTEM, "rollout.freeze",
                        verdict, "rollout of irreversible " + version + " frozen: " + reason, AuditOutcome.FAILURE);
            }
            return;
        }
    }

    boolean withinRevertWindow(RoutingState<T> s) {
        Instant at = s.promotedAt;
        return at != null && clock.instant().isBefore(at.plus(config.revertWindow()));
    }

    /** Reverts a promotion to the warm previous stable version; null when the state changed meanwhile. */
    @Nullable RollbackEvent revert(RoutingState<T> cur, RollbackMode mode, TriggerKind kind, String trigger,
            String actor, String reason, Verdict verdict) {
        ReleaseVersion<T> previous = Objects.requireNonNull(cur.previous);
        RollbackEvent event = new RollbackEvent(name, mode, kind, trigger, actor, reason, verdict, cur.stable.name,
                previous.name, clock.instant());
        if (state.compareAndSet(cur, RoutingState.rolledBack(previous, cur.stable, config.plan().size() - 1,
                Objects.requireNonNull(cur.rollout), event))) {
            records.rollback(event);
            return event;
        }
        return null;
    }

    /** Lets a warm previous version go once the revert window has passed. */
    void expireRevertWindow(RoutingState<T> s) {
        if (s.phase == GuardState.PROMOTED && s.previous != null && !withinRevertWindow(s)) {
            state.compareAndSet(s, RoutingState.promoted(s.stable, null, Objects.requireNonNull(s.rollout),
                    Objects.requireNonNull(s.promotedAt)));
        }
    }

    /** Steps a gradual rollback down by one batch; returns false when the state changed meanwhile. */
    boolean stepDown(RoutingState<T> cur) {
        Rollout r = Objects.requireNonNull(cur.rollout);
        Rollout.GradualRollback g = Objects.requireNonNull(r.gradual);
        int batch = cur.phase == GuardState.ROLLING_BACK ? cur.step + 1 : 1;
        int batches = config.gradualBatches();
        ReleaseVersion<T> c = Objects.requireNonNull(cur.candidate);
        if (batch >= batches) {
            Verdict v = new Verdict(Decision.ROLLBACK, g.reason(), evidenceOf(cur));
            rollbackFrom(cur, RollbackMode.GRADUAL, TriggerKind.OPERATOR, "gradual", g.actor(), g.reason(), v);
            return true;
        }
        double weight = g.fromWeight() * (batches - batch) / batches;
        RoutingState<T> n = RoutingState.rolling(GuardState.ROLLING_BACK, cur.stable, c, r, batch, weight,
                clock.instant());
        if (!state.compareAndSet(cur, n)) {
            return false;
        }
        Verdict v = new Verdict(Decision.CONTINUE, g.reason(), evidenceOf(n));
        records.decision(new GuardEvent.WeightChanged(name, c.name, batch, weight, v, n.stepStartedAt), g.actor(),
                "rollback.gradual.step", v, "gradual rollback of " + c.name + ": batch " + batch + "/" + batches
                        + ", weight " + weight, AuditOutcome.SUCCESS);
        return true;
    }

    Evidence evidenceOf(RoutingState<T> s) {
        return GuardRules.evidenceOf(observe(s));
    }
}
