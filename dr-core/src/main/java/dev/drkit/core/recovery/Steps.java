package dev.drkit.core.recovery;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.health.HealthStatus;
import dev.drkit.api.health.ProbeResult;
import dev.drkit.api.incident.Notification;
import dev.drkit.api.incident.Notifier;
import dev.drkit.api.recovery.ExecutionMode;
import dev.drkit.api.recovery.Failover;
import dev.drkit.api.recovery.RecoveryStep;
import dev.drkit.api.recovery.StepContext;
import dev.drkit.api.rollback.Guard;
import dev.drkit.api.rollback.RollbackEvent;
import dev.drkit.core.report.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The built-in recovery steps: restore, roll back a guard, fail over, run a probe, wait and
 * notify. Each says what it does for runbooks and, in a DRILL, checks what it can and
 * reports what it would do without changing the real system.
 */
public final class Steps {
    private Steps() {
    }

    /**
     * Wraps a step with the sentence that runbooks show for it.
     *
     * @param description one imperative sentence
     * @param step the step
     * @return the described step, compensating and verifying as the wrapped one
     */
    public static RecoveryStep described(String description, RecoveryStep step) {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(step, "step");
        return new RecoveryStep() {
            @Override
            public void execute(StepContext context) throws Exception {
                step.execute(context);
            }

            @Override
            public void compensate(StepContext context) throws Exception {
                step.compensate(context);
            }

            @Override
            public String describe() {
                return description;
            }

            @Override
            public Optional<String> describeCompensation() {
                return step.describeCompensation();
            }

            @Override
            public boolean verifies() {
                return step.verifies();
            }
        };
    }

    /**
     * Restores data through a {@link Restorer} and reports the restored data's time, from
     * which the execution measures the achieved RPO. The restorer sees the mode and rehearses
     * in a DRILL.
     *
     * @param what what is restored, for runbooks: {@code "the latest snapshot of orders-db"}
     * @param restorer does the restore
     * @return the step
     */
    public static RecoveryStep restore(String what, Restorer restorer) {
        Objects.requireNonNull(what, "what");
        Objects.requireNonNull(restorer, "restorer");
        return new RecoveryStep() {
            @Override
            public void execute(StepContext context) throws Exception {
                Instant asOf = restorer.restore(context);
                if (asOf == null) {
                    throw new DrException(ErrorCode.ILLEGAL_STATE, "the restorer of " + what
                            + " did not say when its data was captured", context.stepName());
                }
                context.restoredDataAsOf(asOf);
                context.put(context.stepName() + ".dataAsOf", asOf.toString());
                context.progress(1.0, (context.mode() == ExecutionMode.DRILL ? "rehearsed restore of " : "restored ")
                        + what + " as of " + asOf);
            }

            @Override
            public String describe() {
                return "Restore " + what;
            }
        };
    }

    /**
     * Rolls a guard back to its stable version; a guard with no candidate counts as rolled
     * back already. In a DRILL it reports the guard's state and what it would do.
     *
     * @param guard the guard
     * @param reason why, for the rollback's audit record
     * @return the step
     */
    public static RecoveryStep rollback(Guard<?> guard, String reason) {
        Objects.requireNonNull(guard, "guard");
        Objects.requireNonNull(reason, "reason");
        return new RecoveryStep() {
            @Override
            public void execute(StepContext context) {
                if (context.mode() == ExecutionMode.DRILL) {
                    context.progress(1.0, "would roll back guard " + guard.name() + " (state " + guard.state()
                            + ", candidate weight " + guard.candidateWeight() + ")");
                    return;
                }
                try {
                    RollbackEvent e = guard.rollback("plan:" + context.planName(), reason);
                    context.progress(1.0, "rolled back guard " + guard.name() + ": " + e);
                } catch (DrException e) {
                    if (e.code() != ErrorCode.ILLEGAL_STATE) {
                        throw e;
                    }
                    context.progress(1.0, "guard " + guard.name() + " has no candidate to roll back: " + e.getMessage());
                }
            }

            @Override
            public String describe() {
                return "Roll back guard " + guard.name() + " to its stable version";
            }
        };
    }

    /**
     * Fails over from primary to standby; compensated by failing back. In a DRILL it only
     * checks that the standby is ready.
     *
     * @param failover the user's failover
     * @return the step
     */
    public static RecoveryStep failover(Failover failover) {
        Objects.requireNonNull(failover, "failover");
        return new RecoveryStep() {
            @Override
            public void execute(StepContext context) throws Exception {
                failover.verifyReady();
                if (context.mode() == ExecutionMode.DRILL) {
                    context.progress(1.0, "standby ready; would fail over " + failover.describe());
                    return;
                }
                context.put(context.stepName() + ".failover", "begun");
                failover.failover(context.idempotencyKey());
                context.progress(1.0, "failed over " + failover.describe());
            }

            @Override
            public void compensate(StepContext context) throws Exception {
                if (context.mode() == ExecutionMode.DRILL) {
                    context.progress(1.0, "would fail back " + failover.describe());
                    return;
                }
                if (context.get(context.stepName() + ".failover").isEmpty()) {
                    return; // the failover never began: nothing to undo
                }
                failover.failback(context.idempotencyKey());
            }

            @Override
            public String describe() {
                return "Fail over " + failover.describe();
            }

            @Override
            public Optional<String> describeCompensation() {
                return Optional.of("Fail back " + failover.describe());
            }
        };
    }

    /**
     * Runs a probe and fails when it answers DOWN (or DEGRADED, unless allowed); read-only,
     * so it runs the same in a DRILL.
     *
     * @param probe the probe
     * @param degradedIsOk whether DEGRADED passes
     * @return the step
     */
    public static RecoveryStep probe(HealthProbe probe, boolean degradedIsOk) {
        Objects.requireNonNull(probe, "probe");
        return new RecoveryStep() {
            @Override
            public void execute(StepContext context) throws Exception {
                ProbeResult r = probe.check();
                boolean ok = r.status() == HealthStatus.UP || (degradedIsOk && r.status() == HealthStatus.DEGRADED);
                if (!ok) {
                    throw new DrException(ErrorCode.UNAVAILABLE, "probe " + probe.name() + " answered " + r.status()
                            + (r.detail().isEmpty() ? "" : ": " + r.detail()), probe.name());
                }
                context.progress(1.0, "probe " + probe.name() + " answered " + r.status()
                        + (r.detail().isEmpty() ? "" : ": " + r.detail()));
            }

            @Override
            public String describe() {
                return "Check that probe " + probe.name() + " answers UP";
            }

            @Override
            public boolean verifies() {
                return true;
            }
        };
    }

    /**
     * Waits, by the execution's clock, for a while: for caches to drain or replicas to catch
     * up. In a DRILL it reports the wait without waiting.
     *
     * @param duration how long
     * @return the step
     * @throws DrException {@code INVALID_ARGUMENT} for a negative duration
     */
    public static RecoveryStep pause(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw DrException.invalidArgument("duration", "must be >= 0", duration);
        }
        return new RecoveryStep() {
            @Override
            public void execute(StepContext context) throws InterruptedException {
                if (context.mode() == ExecutionMode.DRILL) {
                    context.plannedWait(duration);
                    context.progress(1.0, "would wait " + Durations.human(duration) + " (counted in the drill's RTO)");
                    return;
                }
                Instant until = context.clock().instant().plus(duration);
                context.progress(0.0, "waiting " + duration + " until " + until);
                while (context.clock().instant().isBefore(until)) {
                    if (context.isCancelled()) {
                        throw new DrException(ErrorCode.CANCELLED, "wait cancelled", context.stepName());
                    }
                    Duration left = Duration.between(context.clock().instant(), until);
                    Thread.sleep(Math.max(1, Math.min(left.toMillis(), 50)));
                }
            }

            @Override
            public String describe() {
                return "Wait " + Durations.human(duration);
            }
        };
    }

    /**
     * Sends a notification; in a DRILL the subject is marked {@code [DRILL]}.
     *
     * @param notifier where to send it
     * @param subject the subject
     * @param text the body
     * @return the step
     */
    public static RecoveryStep notify(Notifier notifier, String subject, String text) {
        Objects.requireNonNull(notifier, "notifier");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(text, "text");
        return new RecoveryStep() {
            @Override
            public void execute(StepContext context) throws Exception {
                String s = context.mode() == ExecutionMode.DRILL ? "[DRILL] " + subject : subject;
                notifier.send(new Notification(context.clock().instant(), "plan.notify", s, text, null, null,
                        Map.of("plan", context.planName(), "execution", context.executionId(),
                                "step", context.stepName(), "mode", context.mode().name())));
            }

            @Override
            public String describe() {
                return "Notify: " + subject;
            }
        };
    }
}
