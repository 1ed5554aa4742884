package dev.drkit.bench;

import dev.drkit.api.rollback.GuardState;
import dev.drkit.core.rollback.GuardConfig;
import dev.drkit.core.rollback.GuardedRelease;
import dev.drkit.core.rollback.JudgeConfig;
import dev.drkit.core.rollback.RolloutPlan;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How long it takes from the deciding call to every new call going to the stable version: each
 * invocation is one candidate call that fails and trips the judge (the whole call is timed:
 * the candidate's failure, the verdict, the atomic switch and the records), or one emergency
 * rollback by an operator. Before each invocation the previous rollback is undone, so the
 * candidate takes every call again with fresh evidence and a reset circuit breaker.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class RollbackSwitchBenchmark {

    private static final GuardOverheadBenchmark.Pricing STABLE = item -> item;
    private static final IllegalStateException REGRESSION = new IllegalStateException("regression");
    private static final GuardOverheadBenchmark.Pricing FAILING = item -> {
        throw REGRESSION;
    };
    private static final GuardConfig CONFIG = GuardConfig.DEFAULT
            .withJudge(JudgeConfig.DEFAULT.withConfiguredBaseline(0.01).withAbsoluteLimits(1, true))
            .withPlan(RolloutPlan.of(100, Duration.ZERO, 1.0));

    private GuardedRelease<GuardOverheadBenchmark.Pricing> guard = build();

    private static GuardedRelease<GuardOverheadBenchmark.Pricing> build() {
        return GuardedRelease.<GuardOverheadBenchmark.Pricing>builder("pricing").config(CONFIG)
                .stable("v1", STABLE).candidate("v2", () -> FAILING).build();
    }

    /** Puts the candidate back in front of every call. */
    @Setup(Level.Invocation)
    public void candidateAgain() {
        if (guard.state() == GuardState.ROLLED_BACK) {
            guard.undoRollback("bench", "next invocation");
        }
    }

    /** Stops the guard. */
    @TearDown
    public void close() {
        guard.close();
    }

    /** Checks that the invocation did roll back. */
    @TearDown(Level.Invocation)
    public void checkRolledBack() {
        if (guard.state() != GuardState.ROLLED_BACK) {
            throw new IllegalStateException("no rollback: " + guard);
        }
    }

    /**
     * One failing candidate call that decides the rollback.
     *
     * @return -1, the candidate's failure having been caught
     */
    @Benchmark
    public long automaticRollback() {
        try {
            return guard.call("customer", p -> p.price(1));
        } catch (IllegalStateException expected) {
            return -1;
        }
    }

    /**
     * One emergency rollback by an operator.
     *
     * @return a value of the event, against dead-code elimination
     */
    @Benchmark
    public long emergencyRollback() {
        return guard.rollback("operator", "bench").at().getNano();
    }
}
