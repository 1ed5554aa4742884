package dev.drkit.core.rollback;

import dev.drkit.api.DrException;
import dev.drkit.api.rollback.GuardSnapshot;
import dev.drkit.api.rollback.GuardState;
import dev.drkit.api.rollback.RollbackEvent;
import dev.drkit.testkit.ManualClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import dev.drkit.core.rollback.internal.VariantRecorder;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The guard's state transitions under concurrency, checked by Lincheck for linearizability:
 * calls (routed sticky by key, the candidate failing every call, so that its circuit breaker
 * opens and rolls it back automatically), scheduled checks, operator rollback, promote, undo,
 * pause and resume, run from several threads, must give results that some one-at-a-time order
 * of the same operations gives, and leave a guard whose state agrees with its versions.
 *
 * <p>The guard is built without probes, so it starts no executor of its own and every
 * transition runs on the calling thread: the model checker can step through the interleavings
 * of the atomic-reference compare-and-sets. A stress run (real threads) covers the same
 * operations. The normal build checks {@value #DEFAULT_ITERATIONS} scenarios of
 * {@value #DEFAULT_INVOCATIONS} interleavings each under the model checker (and as many
 * scenarios of a fifth as many runs under stress); {@code -Ddr.lincheck.iterations=} and
 * {@code -Ddr.lincheck.invocations=} check more.
 */
class GuardLincheckTest {
    static final int DEFAULT_ITERATIONS = 3;
    static final int DEFAULT_INVOCATIONS = 30;
    private static final int ITERATIONS = Integer.getInteger("dr.lincheck.iterations", DEFAULT_ITERATIONS);
    private static final int INVOCATIONS = Integer.getInteger("dr.lincheck.invocations", DEFAULT_INVOCATIONS);
    private static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");
    private static final GuardConfig CONFIG = GuardConfig.DEFAULT
            .withJudge(JudgeConfig.DEFAULT.withConfiguredBaseline(0.01))
            .withCircuitBreaker(new CircuitBreakerSettings(50f, 100f, Duration.ofSeconds(1), 2, 2,
                    Duration.ofSeconds(60), List.of(), List.of()))
            .withPlan(RolloutPlan.of(1_000, Duration.ZERO, 0.5, 1.0));

    @BeforeAll
    static void temporaryDirectory() throws IOException {
        // Lincheck writes its bootstrap jar to java.io.tmpdir, which the build points at a
        // directory that may not exist yet.
        Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** One guard, v1 stable and v2 (failing every call) rolling out; the operations return what a caller sees. */
    @Param(name = "key", gen = IntGen.class, conf = "0:3")
    public static class Ops {
        private final GuardedRelease<Greeter> guard = GuardedRelease.<Greeter>builder("lincheck")
                .config(CONFIG).clock(ManualClock.at(T0))
                .stable("v1", Greeter.saying("v1"))
                .candidate("v2", () -> Greeter.failing("v2 broke"))
                .build();

        private static String code(DrException e) {
            return e.code().id();
        }

        /**
         * The versions a rollback switched between. Not its mode or trigger: a call that started
         * on the candidate finishes there, so its failure may land after an operator's
         * rollback, and then the operator's rollback is the one recorded where a one-at-a-time
         * order would have recorded the circuit breaker's; of two racing rollbacks exactly one
         * is recorded, and either may be it.
         */
        private static String describe(RollbackEvent e) {
            return "rolled back " + e.fromVersion() + "->" + e.toVersion();
        }

        /**
         * A call, whose failures on the candidate drive the automatic rollback. It returns the
         * same whichever version served it: a call that started on the candidate finishes there,
         * so two calls that started before the breaker opened both fail, where a one-at-a-time
         * order would have sent the second to the stable version (stress runs found that
         * history). Which version serves a call is checked by the routing tests; here the calls
         * are the source of automatic transitions racing the operator's.
         */
        @Operation
        public String call(@Param(name = "key") int key) {
            try {
                guard.call("user-" + key, g -> g.greet("x"));
            } catch (IllegalStateException e) {
                // the candidate's failure reaches the caller
            }
            return "called";
        }

        @Operation
        public String runChecks() {
            guard.runChecks();
            return "checked";
        }

        @Operation
        public String rollback() {
            try {
                return describe(guard.rollback("alice", "manual"));
            } catch (DrException e) {
                return code(e);
            }
        }

        @Operation
        public String promote() {
            try {
                guard.promote("alice", "manual");
                return "promoted";
            } catch (DrException e) {
                return code(e);
            }
        }

        @Operation
        public String undoRollback() {
            try {
                guard.undoRollback("alice", "undo");
                return "undone";
            } catch (DrException e) {
                return code(e);
            }
        }

        @Operation
        public String pause() {
            try {
                guard.pause("bob");
                return "paused";
            } catch (DrException e) {
                return code(e);
            }
        }

        @Operation
        public String resume() {
            try {
                guard.resume("bob");
                return "resumed";
            } catch (DrException e) {
                return code(e);
            }
        }

        @Operation
        public String state() {
            GuardSnapshot s = guard.snapshot(); // one read of the state: the fields agree with each other
            return s.state() + " stable=" + s.stableVersion() + " candidate="
                    + (s.candidateVersion() == null ? "-" : s.candidateVersion()) + " weight=" + s.candidateWeight()
                    + " step=" + s.step();
        }

        /** The state agrees with the versions (plain checks: Lincheck runs this). */
        @Validate
        public void stateAgreesWithVersions() {
            GuardSnapshot snapshot = guard.snapshot();
            GuardState state = snapshot.state();
            String stable = String.valueOf(snapshot.stableVersion());
            boolean candidate = snapshot.candidateVersion() != null;
            double weight = snapshot.candidateWeight();
            switch (state) {
                case ROLLED_BACK, STABLE -> {
                    require(!candidate && weight == 0, state + " with a candidate or weight " + weight);
                    require(stable.equals("v1"), state + " with stable " + stable);
                }
                case PROMOTED -> require(stable.equals("v2") && !candidate && weight == 0,
                        "PROMOTED with stable " + stable + ", weight " + weight);
                case ROLLING_OUT, PAUSED, FROZEN -> require(candidate && stable.equals("v1") && weight > 0,
                        state + " with candidate " + candidate + ", stable " + stable + ", weight " + weight);
                default -> {
                }
            }
            if (state == GuardState.ROLLED_BACK) {
                require(snapshot.lastRollback() != null, "ROLLED_BACK without a last rollback");
            }
            guard.close();
        }

        private static void require(boolean condition, String message) {
            if (!condition) {
                throw new AssertionError(message);
            }
        }
    }

    @Test
    void theGuardsTransitionsAreLinearizableUnderTheModelChecker() {
        new ModelCheckingOptions()
                // the evidence counters and latency histogram are statistics read whole by the
                // judge; stepping through their loops made the checker report a livelock
                .addGuarantee(ManagedStrategyGuaranteeKt.forClasses("dev.drkit.core.rollback.internal.LatencyHistogram",
                        VariantRecorder.class.getName()).allMethods().treatAsAtomic())
                // Resilience4j finds a breaker's legal transitions in a static map keyed by enum
                // constants, built with their real identity hash codes; the checker substitutes
                // its own, the lookup misses, and a CLOSED -> OPEN transition is refused as illegal
                .addGuarantee(ManagedStrategyGuaranteeKt.forClasses(
                        (String name) -> name.startsWith("io.github.resilience4j.")).allMethods().ignore())
                .iterations(ITERATIONS)
                .invocationsPerIteration(INVOCATIONS)
                .threads(2)
                .actorsPerThread(3)
                .actorsBefore(2)
                .actorsAfter(1)
                .check(Ops.class);
    }

    @Test
    void theGuardsTransitionsAreLinearizableUnderStress() {
        new StressOptions()
                .iterations(ITERATIONS)
                .invocationsPerIteration(Math.max(1, INVOCATIONS / 5))
                .threads(3)
                .actorsPerThread(3)
                .actorsBefore(2)
                .actorsAfter(1)
                .check(Ops.class);
    }
}
