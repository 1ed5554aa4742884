package dev.drkit.test.drill;

import dev.drkit.core.audit.AuditLog;
import dev.drkit.core.audit.AuditVerification;
import dev.drkit.core.audit.AuditVerifier;
import dev.drkit.core.recovery.ExecutionResult;
import dev.drkit.core.recovery.ExecutionStatus;
import dev.drkit.core.recovery.StepOutcome;
import dev.drkit.core.recovery.StepState;
import dev.drkit.core.report.Durations;
import java.nio.file.Path;
import java.time.Duration;
import org.assertj.core.api.AbstractAssert;

/** AssertJ entry points for drills: {@code assertThat(result).succeeded().metRto().metRpo()}. */
public final class DrillAssertions {
    private DrillAssertions() {
    }

    /**
     * Starts assertions on an execution's result.
     *
     * @param actual the result
     * @return the assertion
     */
    public static ExecutionAssert assertThat(ExecutionResult actual) {
        return new ExecutionAssert(actual);
    }

    /**
     * Starts assertions on an audit log.
     *
     * @param actual the log
     * @return the assertion
     */
    public static AuditAssert assertThat(AuditLog actual) {
        return new AuditAssert(actual.verify(), actual.toString());
    }

    /**
     * Starts assertions on an audit log file.
     *
     * @param file the file
     * @return the assertion
     */
    public static AuditAssert assertThatAuditFile(Path file) {
        return new AuditAssert(AuditVerifier.verify(file, null, null), file.toString());
    }

    /** Assertions on an {@link ExecutionResult}. */
    public static final class ExecutionAssert extends AbstractAssert<ExecutionAssert, ExecutionResult> {
        ExecutionAssert(ExecutionResult actual) {
            super(actual, ExecutionAssert.class);
        }

        /**
         * Checks that the execution succeeded.
         *
         * @return this
         */
        public ExecutionAssert succeeded() {
            isNotNull();
            if (actual.status() != ExecutionStatus.SUCCEEDED) {
                failWithMessage("Expected execution %s of plan %s to succeed, but it %s: %s", actual.executionId(),
                        actual.planName(), actual.status(), actual.reason());
            }
            return this;
        }

        /**
         * Checks that the execution ended with a status.
         *
         * @param status the status
         * @return this
         */
        public ExecutionAssert endedWith(ExecutionStatus status) {
            isNotNull();
            if (actual.status() != status) {
                failWithMessage("Expected execution %s to end %s, but it ended %s: %s", actual.executionId(), status,
                        actual.status(), actual.reason());
            }
            return this;
        }

        /**
         * Checks that the execution met its RTO (a drill's counting the waits it skipped).
         *
         * @return this
         */
        public ExecutionAssert metRto() {
            isNotNull();
            if (!actual.rtoMet()) {
                failWithMessage("Expected execution %s to meet its RTO of %s, but it achieved %s", actual.executionId(),
                        Durations.human(actual.objectives().rto()), actual.achievedRto().map(this::rto)
                                .orElse("no recovery (" + actual.status() + reason() + ")"));
            }
            return this;
        }

        /**
         * Checks that the execution succeeded and restored data no older than its RPO: a run
         * that failed, or restored nothing, has achieved no recovery point and does not pass.
         *
         * @return this
         */
        public ExecutionAssert metRpo() {
            isNotNull();
            Duration rpo = actual.objectives().rpo();
            if (actual.status() != ExecutionStatus.SUCCEEDED) {
                failWithMessage("Expected execution %s to meet its RPO of %s, but it %s%s", actual.executionId(),
                        Durations.human(rpo), actual.status(), reason());
            } else if (actual.achievedRpo().isEmpty()) {
                failWithMessage("Expected execution %s to meet its RPO of %s, but nothing was restored (no step "
                        + "reported restored data)", actual.executionId(), Durations.human(rpo));
            } else if (!actual.rpoMet()) {
                failWithMessage("Expected execution %s to meet its RPO of %s, but the restored data was %s old",
                        actual.executionId(), Durations.human(rpo), Durations.human(actual.achievedRpo().get()));
            }
            return this;
        }

        private String rto(Duration achieved) {
            return actual.plannedWaits().isZero() ? Durations.human(achieved)
                    : Durations.human(achieved) + " (" + Durations.human(actual.plannedWaits()) + " of it planned waits "
                            + "that the drill skipped)";
        }

        private String reason() {
            return actual.reason().isEmpty() ? "" : ": " + actual.reason();
        }

        /**
         * Checks that the execution recovered within a duration.
         *
         * @param limit the longest acceptable RTO
         * @return this
         */
        public ExecutionAssert recoveredWithin(Duration limit) {
            isNotNull();
            Duration rto = actual.achievedRto().orElse(null);
            if (rto == null || rto.compareTo(limit) > 0) {
                failWithMessage("Expected execution %s to recover within %s, but it achieved %s", actual.executionId(),
                        Durations.human(limit), rto == null ? "no recovery (" + actual.status() + reason() + ")"
                                : rto(rto));
            }
            return this;
        }

        /**
         * Checks that a step took no longer than a duration on the drill's clock, from its first
         * attempt to its end: a step that advances the clock past its {@code timeout} and returns
         * is not interrupted (the executor checks timeouts while steps run), so this is how a
         * test holds a step to its time.
         *
         * @param step the step
         * @param limit the longest acceptable duration
         * @return this
         */
        public ExecutionAssert stepTookAtMost(String step, Duration limit) {
            isNotNull();
            StepOutcome o = actual.step(step).orElse(null);
            if (o == null) {
                failWithMessage("Expected plan %s to have a step %s", actual.planName(), step);
            } else if (o.duration().isEmpty()) {
                failWithMessage("Expected step %s to take at most %s, but it never ran (%s)", step,
                        Durations.human(limit), o.state());
            } else if (o.duration().get().compareTo(limit) > 0) {
                failWithMessage("Expected step %s to take at most %s, but it took %s", step, Durations.human(limit),
                        Durations.human(o.duration().get()));
            }
            return this;
        }

        /**
         * Checks one step's final state.
         *
         * @param step the step
         * @param state the state
         * @return this
         */
        public ExecutionAssert stepEnded(String step, StepState state) {
            isNotNull();
            StepOutcome o = actual.step(step).orElse(null);
            if (o == null) {
                failWithMessage("Expected plan %s to have a step %s", actual.planName(), step);
            } else if (o.state() != state) {
                failWithMessage("Expected step %s to end %s, but it ended %s%s", step, state, o.state(),
                        o.error() == null ? "" : ": " + o.error());
            }
            return this;
        }
    }

    /** Assertions on an audit log's verification. */
    public static final class AuditAssert extends AbstractAssert<AuditAssert, AuditVerification> {
        private final String what;

        AuditAssert(AuditVerification actual, String what) {
            super(actual, AuditAssert.class);
            this.what = what;
        }

        /**
         * Checks that the audit log verifies.
         *
         * @return this
         */
        public AuditAssert verifies() {
            if (!actual.intact()) {
                failWithMessage("Expected audit log %s to verify, but record %s is bad: %s", what, actual.firstBadSeq(),
                        actual.problem());
            }
            return this;
        }

        /**
         * Checks that the audit log fails verification at a record.
         *
         * @param seq the first bad sequence number
         * @return this
         */
        public AuditAssert failsAt(long seq) {
            if (actual.firstBadSeq() != seq) {
                failWithMessage("Expected audit log %s to fail at record %s, but %s", what, seq,
                        actual.intact() ? "it verifies" : "it fails at " + actual.firstBadSeq());
            }
            return this;
        }
    }
}
