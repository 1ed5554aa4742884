package dev.drkit.core.rollback;

import dev.drkit.api.health.HealthStatus;
import dev.drkit.api.rollback.Hold;
import dev.drkit.api.rollback.HoldReason;
import dev.drkit.api.rollback.Observation;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether every configured signal has reported enough, and healthy, since a rollout
 * step began for the step to advance: the step's calls and duration, at least
 * {@code downThreshold} polls of the candidate probes with none DOWN or silent at the last
 * one, and the calls the latency comparison needs on both versions. The judge's acceptance
 * is asked after this gate opens.
 */
final class EvidenceGate {
    private final RolloutPlan plan;
    private final boolean probes;
    private final int downThreshold;
    private final MissingData probeNoAnswer;
    private final GuardRules rules;
    private final MissingData latencyNoData;

    EvidenceGate(RolloutPlan plan, boolean probes, int downThreshold, MissingData probeNoAnswer, GuardRules rules,
            MissingData latencyNoData) {
        this.plan = plan;
        this.probes = probes;
        this.downThreshold = downThreshold;
        this.probeNoAnswer = probeNoAnswer;
        this.rules = rules;
        this.latencyNoData = latencyNoData;
    }

    /**
     * Returns why the step of {@code s} must wait, or null when every signal has its evidence.
     *
     * @param s a state with a rollout
     * @param o the rollout's observation
     * @param now the time
     */
    @Nullable Hold hold(RoutingState<?> s, Observation o, Instant now) {
        Rollout r = Objects.requireNonNull(s.rollout);
        RolloutStep step = plan.step(Math.min(s.step, plan.size() - 1));
        long calls = r.candidate.calls() - s.stepStartCalls;
        if (calls < step.minCalls()) {
            return new Hold(HoldReason.NO_TRAFFIC, "step " + s.step + " has seen " + calls + " of "
                    + step.minCalls() + " candidate calls");
        }
        Duration lasted = Duration.between(s.stepStartedAt, now);
        if (lasted.compareTo(step.minDuration()) < 0) {
            return new Hold(HoldReason.STEP_DURATION, "step " + s.step + " has lasted " + lasted + " of "
                    + step.minDuration());
        }
        if (probes) {
            Hold h = probeHold(s, r);
            if (h != null) {
                return h;
            }
        }
        if (rules.latencyLimited() && latencyNoData == MissingData.HOLD && !rules.latencyHasData(o)) {
            return new Hold(HoldReason.LATENCY_CALLS, "latency needs " + rules.latencyMinCalls()
                    + " calls on each version, has " + o.stable().calls() + " stable and " + o.candidate().calls()
                    + " candidate");
        }
        return null;
    }

    private @Nullable Hold probeHold(RoutingState<?> s, Rollout r) {
        long polls = r.polls.get() - s.stepStartPolls;
        if (polls < downThreshold) {
            return new Hold(HoldReason.PROBE_POLLS, "candidate probes polled " + polls + " of " + downThreshold
                    + " times in step " + s.step);
        }
        if (probeNoAnswer == MissingData.HOLD && !r.silentProbes.isEmpty()) {
            return new Hold(HoldReason.PROBE_NO_DATA, "no answer from probe " + String.join(", ",
                    r.silentProbes.stream().sorted().toList()) + " at the last poll");
        }
        for (Map.Entry<String, HealthStatus> e : r.lastProbes.entrySet()) {
            if (e.getValue() == HealthStatus.DOWN) {
                return new Hold(HoldReason.PROBE_DOWN, "probe " + e.getKey() + " was DOWN at the last poll");
            }
        }
        return null;
    }
}
