package dev.drkit.api.recovery;

import dev.drkit.api.DrException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How the executor runs one step: the time limit of an attempt, retries with exponential
 * backoff, whether a failure fails the plan, when the step is compensated, who owns it and
 * whether a person must approve it first.
 *
 * @param timeout the longest one attempt may take
 * @param maxAttempts how many attempts in all, {@code >= 1}
 * @param backoff the wait before the second attempt
 * @param backoffMultiplier how much each further wait grows, {@code >= 1}
 * @param critical whether the step's failure fails the plan (else it is skipped over)
 * @param compensation when the step is undone
 * @param owner the team or person who owns the step, for runbooks; may be empty
 * @param approval a gate to pass before the step runs, or {@code null}
 */
public record StepPolicy(Duration timeout, int maxAttempts, Duration backoff, double backoffMultiplier,
        boolean critical, CompensationStrategy compensation, String owner, @Nullable ApprovalGate approval) {

    /** The default time limit of one attempt. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);
    /** The default policy: five minutes, one attempt, critical, compensated on failure. */
    public static final StepPolicy DEFAULT = new StepPolicy(DEFAULT_TIMEOUT, 1, Duration.ofSeconds(1), 2.0, true,
            CompensationStrategy.ON_FAILURE, "", null);

    /**
     * Validates the policy.
     *
     * @throws DrException {@code INVALID_ARGUMENT} for a non-positive timeout, fewer than one
     *     attempt, a negative backoff or a multiplier below 1
     */
    public StepPolicy {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(compensation, "compensation");
        Objects.requireNonNull(owner, "owner");
        if (timeout.isNegative() || timeout.isZero()) {
            throw DrException.invalidArgument("timeout", "must be > 0", timeout);
        }
        if (maxAttempts < 1) {
            throw DrException.invalidArgument("maxAttempts", "must be >= 1", maxAttempts);
        }
        if (backoff.isNegative()) {
            throw DrException.invalidArgument("backoff", "must be >= 0", backoff);
        }
        if (!(backoffMultiplier >= 1.0)) {
            throw DrException.invalidArgument("backoffMultiplier", "must be >= 1", backoffMultiplier);
        }
    }

    /**
     * Returns the approval gate.
     *
     * @return the gate, or empty
     */
    public Optional<ApprovalGate> approvalGate() {
        return Optional.ofNullable(approval);
    }
}
