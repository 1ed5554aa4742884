package dev.drkit.core.audit;

import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.core.store.SnapshotStores;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Concurrent appends to the audit log, checked by Lincheck against a sequential counter: every
 * append and digest gets the sequence number a one-at-a-time log would have given it (so the
 * numbers are unique and gap-free, automatic digests included), and after every run the
 * stored chain verifies intact with records numbered 1..n.
 *
 * <p>Both run in Lincheck's stress mode (real threads, many short runs). The file log writes
 * through a {@code FileChannel}, which the model checker does not step through; the store
 * log could be model checked, but hashing, encoding and verifying every line under the
 * checker took minutes for a few hundred runs, far over the few seconds this check may take.
 * The log's append is one {@code synchronized} method, so the interleavings that matter are
 * whole appends, which stress runs produce.
 */
class AuditLogLincheckTest {
    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");
    private static final int DIGEST_EVERY = 2;
    private static final AuditLogConfig CONFIG = AuditLogConfig.builder()
            .digestEvery(DIGEST_EVERY).storeSegmentRecords(3).hmacKey("k".getBytes(StandardCharsets.UTF_8)).build();

    private static AuditEvent event(String actor) {
        return new AuditEvent(T, actor, "restore", "snap-1", AuditOutcome.SUCCESS, Map.of());
    }

    /** What the appends of a run must agree with: a log appended to by one thread at a time. */
    public static final class SequentialLog {
        private long seq;
        private int sinceDigest;

        /** An append: the next number, then a digest record when one is due. */
        public long append() {
            long mine = ++seq;
            if (++sinceDigest >= DIGEST_EVERY) {
                seq++;
                sinceDigest = 0;
            }
            return mine;
        }

        /** A digest written on demand takes the next number. */
        public long digest() {
            sinceDigest = 0;
            return ++seq;
        }
    }

    /** Fails unless the stored chain verifies and numbers its records 1..n (plain checks: Lincheck runs this). */
    private static void assertWhole(AuditLog log) {
        AuditVerification v = log.verify();
        if (!v.intact()) {
            throw new AssertionError("chain broken: " + v.problem());
        }
        List<AuditRecord> records = log.records(AuditFilter.all());
        for (int i = 0; i < records.size(); i++) {
            if (records.get(i).seq() != i + 1L) {
                throw new AssertionError("record " + i + " has seq " + records.get(i).seq());
            }
        }
        if (v.records() != records.size()) {
            throw new AssertionError(v.records() + " verified, " + records.size() + " read");
        }
    }

    /** The store log over the memory store. */
    public static class StoreLog {
        private final AuditLog log = AuditLog.store(SnapshotStores.memory(), "audit", CONFIG);

        @Operation
        public long append() {
            return log.record(event("alice")).seq();
        }

        @Operation
        public long digest() {
            return log.digest().seq();
        }

        @Validate
        public void chainIsWhole() {
            assertWhole(log);
        }
    }

    @Test
    void concurrentAppendsToAStoreLogKeepOneChainWithGapFreeNumbers() {
        new StressOptions()
                .iterations(10)
                .invocationsPerIteration(20)
                .threads(3)
                .actorsPerThread(3)
                .actorsBefore(1)
                .actorsAfter(1)
                .sequentialSpecification(SequentialLog.class)
                .check(StoreLog.class);
    }

    private static final Path DIR = tempDir();

    private static Path tempDir() {
        try {
            // Lincheck writes its bootstrap jar to java.io.tmpdir, which the build points at a
            // directory that may not exist yet.
            Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
            return Files.createTempDirectory("audit-lincheck");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void removeFiles() throws IOException {
        try (var files = Files.walk(DIR)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** The file log, one new file per run, stress tested. */
    public static class FileLog {
        private final AuditLog log;

        public FileLog() {
            try {
                log = AuditLog.file(Files.createTempFile(DIR, "audit", ".jsonl"), CONFIG);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Operation
        public long append() {
            return log.record(event("bob")).seq();
        }

        @Operation
        public long digest() {
            return log.digest().seq();
        }

        @Validate
        public void chainIsWhole() {
            assertWhole(log);
            log.close();
        }
    }

    @Test
    void concurrentAppendsToAFileLogKeepOneChainWithGapFreeNumbers() {
        new StressOptions()
                .iterations(10)
                .invocationsPerIteration(20)
                .threads(3)
                .actorsPerThread(3)
                .actorsBefore(1)
                .actorsAfter(1)
                .sequentialSpecification(SequentialLog.class)
                .check(FileLog.class);
    }
}
