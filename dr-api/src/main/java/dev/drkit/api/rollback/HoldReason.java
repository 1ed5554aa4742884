package dev.drkit.api.rollback;

/** Why a {@link Guard} holds its rollout step: the evidence a signal owes before the step may advance. */
public enum HoldReason {
    /** The step has not yet seen its minimum number of candidate calls. */
    NO_TRAFFIC,
    /** The step has not yet lasted its minimum duration. */
    STEP_DURATION,
    /** The candidate's probes have not been polled often enough since the step began to be able to veto it. */
    PROBE_POLLS,
    /** A candidate probe gave no answer at its last poll (for example it timed out). */
    PROBE_NO_DATA,
    /** A candidate probe is DOWN, not yet for long enough to roll back. */
    PROBE_DOWN,
    /** One version has not yet completed the calls the latency comparison needs. */
    LATENCY_CALLS,
    /** The judge has not yet seen enough evidence to accept the candidate. */
    JUDGE
}
