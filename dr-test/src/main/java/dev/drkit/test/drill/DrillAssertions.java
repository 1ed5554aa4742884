package dev.drkit.test.drill;

import dev.drkit.core.audit.AuditLog;
import dev.drkit.core.audit.AuditVerification;
import dev.drkit.core.audit.AuditVerifier;
import dev.drkit.core.recovery.ExecutionResult;
import dev.drkit.core.recovery.ExecutionStatus;
import dev.drkit.core.recovery.StepOutcome;
import dev.drkit.core.recovery.StepState;
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
         * Checks that the execution met its RTO.
         *
         * @return this
         */
        public ExecutionAssert metRto() {
            isNotNull();
            if (!actual.rtoMet()) {
                failWithMessage("Expected execution %s to meet its RTO of %s, but it achieved %s", actual.executionId(),
                        actual.objectives().rto(), actual.achievedRto().map(Duration::toString)
                                .orElse("no recovery (" + actual.status() + ")"));
            }
            return this;
        }

        /**
         * Checks that the execution met its RPO.
         *
         * @return this
         */
        public ExecutionAssert metRpo() {
            isNotNull();
            if (!actual.rpoMet()) {
                failWithMessage("Expected execution %s to meet its RPO of %s, but the restored data was %s old",
                        actual.executionId(), actual.objectives().rpo(), actual.achievedRpo().orElseThrow());
            }
            return this;
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
                        limit, rto == null ? "no recovery" : rto);
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
