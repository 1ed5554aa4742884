package dev.drkit.core.recovery;

import dev.drkit.api.DrException;
import dev.drkit.api.recovery.ExecutionMode;
import dev.drkit.api.recovery.RecoveryObjectives;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What an execution did and achieved: every step's outcome, the verifications, and the
 * timestamps that give the achieved RTO (detection to verified recovery) and RPO (age of the
 * restored data at detection), against the plan's objectives.
 *
 * @param executionId the execution
 * @param planName the plan
 * @param mode LIVE or DRILL
 * @param status how it ended
 * @param reason why it failed, was cancelled or aborted; for a success, empty when it succeeded
 *     cleanly, else which optional steps failed ({@code succeeded with 1 optional step failed:
 *     warm-cache (...); not run as a dependency failed: preload}); in either case it ends with
 *     {@code compensation incomplete: a, b (...)} when the undo of steps failed
 * @param incidentId the incident it belongs to, or {@code null}
 * @param detectedAt when the failure was detected
 * @param startedAt when the execution started
 * @param recoveredAt when the last step succeeded, or {@code null}
 * @param verifiedAt when the after-verifications passed, or {@code null}
 * @param finishedAt when the execution ended
 * @param restoredDataAsOf the time of the oldest data restored, or {@code null} when nothing was restored
 * @param objectives the plan's objectives
 * @param steps each step's outcome, in plan order
 * @param verifications each verification's outcome
 * @param resumed whether the execution was resumed after an interruption
 * @param plannedWaits the waits a DRILL skipped that a LIVE run would take (its pauses, reported
 *     through {@code StepContext.plannedWait}); counted in {@link #achievedRto()}; zero for a LIVE run
 */
public record ExecutionResult(String executionId, String planName, ExecutionMode mode, ExecutionStatus status,
        String reason, @Nullable String incidentId, Instant detectedAt, Instant startedAt, @Nullable Instant recoveredAt,
        @Nullable Instant verifiedAt, Instant finishedAt, @Nullable Instant restoredDataAsOf,
        RecoveryObjectives objectives, List<StepOutcome> steps, List<VerificationOutcome> verifications,
        boolean resumed, Duration plannedWaits) {

    /** Copies the lists so that the result is immutable. */
    public ExecutionResult {
        Objects.requireNonNull(executionId, "executionId");
        Objects.requireNonNull(planName, "planName");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detectedAt, "detectedAt");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
        Objects.requireNonNull(objectives, "objectives");
        Objects.requireNonNull(plannedWaits, "plannedWaits");
        if (plannedWaits.isNegative()) {
            throw DrException.invalidArgument("plannedWaits", "must be >= 0", plannedWaits);
        }
        steps = List.copyOf(steps);
        verifications = List.copyOf(verifications);
    }

    /**
     * Returns whether the execution succeeded.
     *
     * @return true for {@link ExecutionStatus#SUCCEEDED}
     */
    public boolean succeeded() {
        return status == ExecutionStatus.SUCCEEDED;
    }

    /**
     * Returns whether the execution succeeded with nothing left over: no optional step failed
     * (so none was skipped for a failed dependency) and every compensation that ran succeeded.
     *
     * @return true for a success without failed steps or failed compensations
     */
    public boolean succeededCleanly() {
        return succeeded() && failedSteps().isEmpty() && compensationIncomplete().isEmpty();
    }

    /**
     * Returns the steps that failed, in plan order: for a success, the optional ones.
     *
     * @return their names
     */
    public List<String> failedSteps() {
        return steps.stream().filter(s -> s.state() == StepState.FAILED).map(StepOutcome::name).toList();
    }

    /**
     * Returns the steps whose compensation ran and failed, in plan order: their changes may
     * still be in place.
     *
     * @return their names; empty when every compensation that ran succeeded
     */
    public List<String> compensationIncomplete() {
        return steps.stream().filter(StepOutcome::compensationFailed).map(StepOutcome::name).toList();
    }

    /**
     * Returns the achieved recovery time: from detection to verified recovery (to recovery
     * when the plan has no after-verification), plus the {@link #plannedWaits()} a DRILL
     * skipped, which the LIVE run would spend.
     *
     * @return the time, or empty when the recovery did not complete
     */
    public Optional<Duration> achievedRto() {
        return measuredRto().map(d -> d.plus(plannedWaits));
    }

    /**
     * Returns the recovery time as the clock measured it, without the {@link #plannedWaits()}
     * that a DRILL skipped.
     *
     * @return the time, or empty when the recovery did not complete
     */
    public Optional<Duration> measuredRto() {
        Instant end = verifiedAt != null ? verifiedAt : recoveredAt;
        return end == null || status != ExecutionStatus.SUCCEEDED ? Optional.empty()
                : Optional.of(Duration.between(detectedAt, end));
    }

    /**
     * Returns the achieved recovery point: how old the restored data was at detection (zero
     * for data captured after detection).
     *
     * @return the age, or empty when no step reported restored data
     */
    public Optional<Duration> achievedRpo() {
        if (restoredDataAsOf == null) {
            return Optional.empty();
        }
        return Optional.of(restoredDataAsOf.isAfter(detectedAt) ? Duration.ZERO
                : Duration.between(restoredDataAsOf, detectedAt));
    }

    /**
     * Returns whether the recovery completed within the RTO.
     *
     * @return false when it did not complete or took longer
     */
    public boolean rtoMet() {
        return achievedRto().map(d -> d.compareTo(objectives.rto()) <= 0).orElse(false);
    }

    /**
     * Returns whether the restored data was no older than the RPO; true when nothing was restored.
     *
     * @return whether the RPO was met
     */
    public boolean rpoMet() {
        return achievedRpo().map(d -> d.compareTo(objectives.rpo()) <= 0).orElse(true);
    }

    /**
     * Returns one step's outcome.
     *
     * @param name the step
     * @return the outcome, or empty for an unknown name
     */
    public Optional<StepOutcome> step(String name) {
        return steps.stream().filter(s -> s.name().equals(name)).findFirst();
    }
}
