package dev.drkit.core.rollback;

import dev.drkit.api.health.HealthStatus;
import dev.drkit.api.rollback.Hold;
import dev.drkit.core.rollback.internal.VariantRecorder;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/** One rollout of one candidate: its evidence, shared by the routing states of all its steps. */
final class Rollout {
    final long epoch;
    final VariantRecorder stable;
    final VariantRecorder candidate;
    /** Consecutive DOWN polls per candidate probe. */
    final Map<String, AtomicInteger> probeDowns = new ConcurrentHashMap<>();
    /** Completed polls of the candidate probes. */
    final AtomicLong polls = new AtomicLong();
    volatile Map<String, HealthStatus> lastProbes = Map.of();
    /** What each candidate probe said at the last poll (the probe's detail), for messages. */
    volatile Map<String, String> lastProbeDetails = Map.of();
    /** Candidate probes that did not answer at their last poll, when no answer holds the step. */
    volatile Set<String> silentProbes = Set.of();
    /** Candidate probes that did not answer at their last poll, whatever no answer counts as, with why. */
    volatile Map<String, String> unansweredProbes = Map.of();
    /** When each candidate probe last answered, on the guard's clock. */
    volatile Map<String, Instant> probeAnsweredAt = Map.of();
    /** What each candidate probe answered the last time it answered. */
    volatile Map<String, HealthStatus> probeAnswers = Map.of();
    /** Why the judge held the step when it was last asked to advance it. */
    volatile @Nullable Hold judgeHold;
    volatile @Nullable GradualRollback gradual;
    /** Whether the release made changes a rollback cannot undo: automatic rollbacks freeze instead. */
    volatile boolean irreversible;
    /** Set once the rollout froze, so that the freeze is recorded once. */
    final AtomicBoolean frozen = new AtomicBoolean();

    Rollout(long epoch, VariantRecorder stable, VariantRecorder candidate) {
        this.epoch = epoch;
        this.stable = stable;
        this.candidate = candidate;
    }

    /** An operator's gradual rollback in progress. */
    record GradualRollback(String actor, String reason, double fromWeight) {
    }

    @Override
    public String toString() {
        return "Rollout#" + epoch;
    }
}
