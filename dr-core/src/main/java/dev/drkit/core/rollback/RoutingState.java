package dev.drkit.core.rollback;

import dev.drkit.api.rollback.GuardState;
import dev.drkit.api.rollback.RollbackEvent;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** The immutable routing state of a guard; every change is one compare-and-set of its reference. */
final class RoutingState<T> {
    /** Keys hash into this many buckets; a key goes to the candidate when its bucket is below the threshold. */
    static final int BUCKETS = 10_000;

    final GuardState phase;
    final ReleaseVersion<T> stable;
    final @Nullable ReleaseVersion<T> candidate;
    final @Nullable Rollout rollout;
    final int step;
    final double weight;
    final int threshold;
    final Instant stepStartedAt;
    final long stepStartCalls;
    final long stepStartPolls;
    final @Nullable ReleaseVersion<T> previous;
    final @Nullable Instant promotedAt;
    final @Nullable ReleaseVersion<T> rolledBack;
    final int rolledBackStep;
    final @Nullable RollbackEvent lastRollback;

    private RoutingState(GuardState phase, ReleaseVersion<T> stable, @Nullable ReleaseVersion<T> candidate,
            @Nullable Rollout rollout, int step, double weight, Instant stepStartedAt, long stepStartCalls,
            long stepStartPolls, @Nullable ReleaseVersion<T> previous, @Nullable Instant promotedAt,
            @Nullable ReleaseVersion<T> rolledBack, int rolledBackStep, @Nullable RollbackEvent lastRollback) {
        this.phase = phase;
        this.stable = stable;
        this.candidate = candidate;
        this.rollout = rollout;
        this.step = step;
        this.weight = weight;
        this.threshold = candidate == null ? 0 : (int) Math.round(weight * BUCKETS);
        this.stepStartedAt = stepStartedAt;
        this.stepStartCalls = stepStartCalls;
        this.stepStartPolls = stepStartPolls;
        this.previous = previous;
        this.promotedAt = promotedAt;
        this.rolledBack = rolledBack;
        this.rolledBackStep = rolledBackStep;
        this.lastRollback = lastRollback;
    }

    static <T> RoutingState<T> stableOnly(ReleaseVersion<T> stable) {
        return new RoutingState<>(GuardState.STABLE, stable, null, null, 0, 0.0, Instant.EPOCH, 0, 0, null, null, null,
                0, null);
    }

    /**
     * A candidate at a step (rolling out, paused or rolling back), whose gates count from
     * {@code rollout}'s current totals.
     */
    static <T> RoutingState<T> rolling(GuardState phase, ReleaseVersion<T> stable, ReleaseVersion<T> candidate,
            Rollout rollout, int step, double weight, Instant stepStartedAt) {
        return new RoutingState<>(phase, stable, candidate, rollout, step, weight, stepStartedAt,
                rollout.candidate.calls(), rollout.polls.get(), null, null, null, 0, null);
    }

    /** The same step in another phase, keeping its gates (restarting the time gate at {@code newStepStartedAt}). */
    RoutingState<T> withPhase(GuardState newPhase, Instant newStepStartedAt) {
        return new RoutingState<>(newPhase, stable, candidate, rollout, step, weight, newStepStartedAt, stepStartCalls,
                stepStartPolls, null, null, null, 0, null);
    }

    static <T> RoutingState<T> promoted(ReleaseVersion<T> stable, @Nullable ReleaseVersion<T> previous,
            Rollout rollout, Instant promotedAt) {
        return new RoutingState<>(GuardState.PROMOTED, stable, null, rollout, 0, 0.0, promotedAt, 0, 0, previous,
                promotedAt, null, 0, null);
    }

    static <T> RoutingState<T> rolledBack(ReleaseVersion<T> stable, ReleaseVersion<T> rolledBack, int step,
            Rollout rollout, RollbackEvent event) {
        return new RoutingState<>(GuardState.ROLLED_BACK, stable, null, rollout, 0, 0.0, event.at(), 0, 0, null, null,
                rolledBack, step, event);
    }

    /** Returns whether a key is routed to the candidate. */
    boolean toCandidate(Object key) {
        return candidate != null && bucket(key) < threshold;
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
}
