package dev.drkit.bench;

import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.core.audit.AuditLog;
import dev.drkit.core.audit.AuditRecord;
import dev.drkit.core.audit.AuditVerification;
import dev.drkit.core.audit.AuditVerifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * The audit log's speed: appends per second to a file in the default durability mode
 * ({@code FLUSH_EACH}: each record written to the OS as it is appended, fsync every 1000
 * records) and records verified per second ({@value #RECORDS}-record file, chain and JSON
 * checked). Records are of the size a plan step writes (415 bytes a line).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AuditLogBenchmark {
    /** Records in the file that {@link #verify()} checks. */
    public static final int RECORDS = 100_000;

    private static final AuditEvent EVENT = new AuditEvent(Instant.parse("2026-11-26T10:00:00Z"), "oncall-alice",
            "plan.step", "orders-recovery/restore", AuditOutcome.SUCCESS, Map.of("attempts", "1", "duration", "PT2.5S",
                    "step", "restore", "execution", "6f1c2a9e-2b0d-4c4e-9d7a-3f5e8c1b2a77", "mode", "LIVE"));

    private Path dir;
    private Path verifyFile;
    private AuditLog log;

    /**
     * Writes the file to verify.
     *
     * @throws IOException when the directory cannot be made
     */
    @Setup(Level.Trial)
    public void setUpTrial() throws IOException {
        dir = Files.createTempDirectory("dr-bench-audit");
        verifyFile = dir.resolve("verify.jsonl");
        try (AuditLog l = AuditLog.file(verifyFile)) {
            for (int i = 0; i < RECORDS; i++) {
                l.append(EVENT);
            }
        }
    }

    /**
     * Opens a fresh log for appends.
     *
     * @throws IOException when an old log cannot be removed
     */
    @Setup(Level.Iteration)
    public void setUpIteration() throws IOException {
        Files.deleteIfExists(dir.resolve("append.jsonl"));
        log = AuditLog.file(dir.resolve("append.jsonl"));
    }

    /** Closes the append log. */
    @TearDown(Level.Iteration)
    public void tearDownIteration() {
        log.close();
    }

    /**
     * Removes the files.
     *
     * @throws IOException when a file cannot be removed
     */
    @TearDown(Level.Trial)
    public void tearDownTrial() throws IOException {
        Files.deleteIfExists(dir.resolve("append.jsonl"));
        Files.deleteIfExists(verifyFile);
        Files.deleteIfExists(dir);
    }

    /**
     * Appends one record.
     *
     * @return the record
     */
    @Benchmark
    public AuditRecord append() {
        return log.record(EVENT);
    }

    /**
     * Verifies the whole file; the score is records per second.
     *
     * @return the verification
     */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public AuditVerification verify() {
        AuditVerification v = AuditVerifier.verify(verifyFile, null, null);
        if (!v.intact()) {
            throw new IllegalStateException(v.problem());
        }
        return v;
    }
}
