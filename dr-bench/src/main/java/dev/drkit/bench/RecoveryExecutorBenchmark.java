package dev.drkit.bench;

import dev.drkit.api.recovery.RecoveryStep;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.audit.AuditLog;
import dev.drkit.core.recovery.ExecutionRequest;
import dev.drkit.core.recovery.ExecutionResult;
import dev.drkit.core.recovery.Plan;
import dev.drkit.core.recovery.RecoveryExecutor;
import dev.drkit.core.store.SnapshotStores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the recovery executor costs per step, with steps that do nothing: a chain of
 * {@value #STEPS} steps (each waits for the one before: coordinator round trip, worker
 * hand-off, Resilience4j retry context, events), a fan-out of {@value #STEPS} independent
 * steps under a concurrency limit of 4, and the chain with the journal (in memory) and the
 * audit log (a file, default durability) switched on. Scores are per step.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RecoveryExecutorBenchmark {
    /** Steps per plan. */
    public static final int STEPS = 100;
    private static final RecoveryStep NOOP = c -> {
    };

    private RecoveryExecutor bare;
    private RecoveryExecutor recorded;
    private Plan chain;
    private Plan fanOut;
    private Path dir;
    private AuditLog audit;
    private SnapshotStore journal;
    private long runs;

    /**
     * Builds the plans and executors.
     *
     * @throws IOException when the temporary directory cannot be made
     */
    @Setup
    public void setUp() throws IOException {
        Plan.Builder c = Plan.builder("chain").objectives(Duration.ofMinutes(1), Duration.ofMinutes(1));
        Plan.Builder f = Plan.builder("fan-out").objectives(Duration.ofMinutes(1), Duration.ofMinutes(1));
        for (int i = 0; i < STEPS; i++) {
            int prev = i - 1;
            c.step("s" + i, NOOP, s -> {
                if (prev >= 0) {
                    s.dependsOn("s" + prev);
                }
            });
            f.step("s" + i, NOOP);
        }
        chain = c.build();
        fanOut = f.build();
        bare = RecoveryExecutor.builder().build();
        dir = Files.createTempDirectory("dr-bench-exec");
        audit = AuditLog.file(dir.resolve("audit.jsonl"));
        journal = SnapshotStores.memory();
        recorded = RecoveryExecutor.builder().audit(audit).journal(journal, "executions").build();
    }

    /**
     * Closes everything and removes the files.
     *
     * @throws IOException when a file cannot be removed
     */
    @TearDown
    public void tearDown() throws IOException {
        bare.close();
        recorded.close();
        audit.close();
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /**
     * Runs the chain without journal or audit.
     *
     * @return the result
     */
    @Benchmark
    @OperationsPerInvocation(STEPS)
    public ExecutionResult chain() {
        return bare.run(chain, ExecutionRequest.live(), Duration.ofMinutes(1));
    }

    /**
     * Runs the fan-out without journal or audit.
     *
     * @return the result
     */
    @Benchmark
    @OperationsPerInvocation(STEPS)
    public ExecutionResult fanOut() {
        return bare.run(fanOut, ExecutionRequest.live(), Duration.ofMinutes(1));
    }

    /**
     * Runs the chain with a journal entry per step transition and an audit record per step.
     *
     * @return the result
     */
    @Benchmark
    @OperationsPerInvocation(STEPS)
    public ExecutionResult chainJournaledAndAudited() {
        return recorded.run(chain, ExecutionRequest.live().withId("run-" + runs++), Duration.ofMinutes(1));
    }
}
