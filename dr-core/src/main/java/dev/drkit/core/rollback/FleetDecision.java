package dev.drkit.core.rollback;

import dev.drkit.api.DrException;
import java.time.Instant;
import java.util.Objects;

/**
 * One decision of a guard shared with the other instances of its fleet through a
 * {@link dev.drkit.api.coordination.Coordinator}: every instance whose guard has the same name
 * applies it (see {@link GuardedReleaseBuilder#coordinator}).
 *
 * @param sequence the version of the shared state that committed it; later decisions have
 *     greater sequences
 * @param kind what was decided
 * @param version the candidate version the decision is about
 * @param member the member id of the instance that decided
 * @param actor who decided there: {@code system} or an operator
 * @param reason why
 * @param at when it was decided, by the deciding instance's clock (for people only: the order
 *     is the sequence's)
 */
public record FleetDecision(long sequence, Kind kind, String version, String member, String actor, String reason,
        Instant at) {

    /** What a fleet decision does to a guard that has the version it names. */
    public enum Kind {
        /** Roll the candidate back (or revert its promotion within the revert window). */
        ROLLBACK,
        /** Promote the candidate to stable. */
        PROMOTE,
        /** Hold the rollout at its weight. */
        PAUSE,
        /** Resume a paused or frozen rollout. */
        RESUME,
        /** Undo the rollback of the candidate, resuming its rollout. */
        UNDO_ROLLBACK
    }

    /**
     * Checks the fields.
     *
     * @throws DrException {@code INVALID_ARGUMENT} for a negative sequence
     */
    public FleetDecision {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(member, "member");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(at, "at");
        if (sequence < 0) {
            throw DrException.invalidArgument("sequence", "must be >= 0", sequence);
        }
    }

    FleetDecision withSequence(long value) {
        return new FleetDecision(value, kind, version, member, actor, reason, at);
    }
}
