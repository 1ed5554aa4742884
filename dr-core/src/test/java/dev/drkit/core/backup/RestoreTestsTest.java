package dev.drkit.core.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.health.HealthStatus;
import dev.drkit.core.audit.AuditFilter;
import dev.drkit.core.audit.AuditLog;
import dev.drkit.core.audit.AuditRecord;
import dev.drkit.core.repository.BackupRequest;
import dev.drkit.core.repository.KdfParams;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.core.repository.Snapshot;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.core.store.SnapshotStores;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestoreTestsTest {
    @TempDir
    Path dir;

    final ManualTime time = new ManualTime();
    /** Each reading is three seconds after the one before: every restore takes exactly 3 s. */
    final AtomicLong nanos = new AtomicLong();
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Repository repository;
    AuditLog audit;
    Path data;
    Path sandboxes;

    @BeforeEach
    void setUp() throws Exception {
        repository = Repository.init(SnapshotStores.memory(), "pw".toCharArray(),
                RepositoryOptions.builder().kdf(new KdfParams(1024, 1, 1)).clock(time).build());
        data = Files.createDirectories(dir.resolve("live").resolve("orders"));
        StringBuilder csv = new StringBuilder("id,amount\n");
        for (int i = 1; i <= 120; i++) {
            csv.append(i).append(',').append(i * 7).append('\n');
        }
        Files.writeString(data.resolve("ledger.csv"), csv);
        Files.writeString(data.resolve("state.json"), "{\"orders\":120}");
        Files.writeString(data.resolve("SHA256SUMS"), sha256(data.resolve("ledger.csv")) + "  ledger.csv\n"
                + sha256(data.resolve("state.json")) + "  state.json\n");
        backup();
        audit = AuditLog.file(dir.resolve("audit.jsonl"));
        sandboxes = dir.resolve("sandboxes");
    }

    @AfterEach
    void close() {
        audit.close();
        repository.close();
    }

    Snapshot backup() {
        return repository.backup(BackupRequest.builder().source(DirectorySource.of("orders", data)).build()).snapshot();
    }

    RestoreTests.Builder tests() {
        return RestoreTests.builder(repository).sandbox(sandboxes).clock(time).ticker(() -> nanos.addAndGet(3_000_000_000L))
                .audit(audit).meterRegistry(meters);
    }

    static String sha256(Path f) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
    }

    Map<String, String> liveContents() throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir.resolve("live"))) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(p).toString(), Files.readString(p, StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    List<Path> leftInSandboxes() throws IOException {
        try (Stream<Path> s = Files.list(sandboxes)) {
            return s.toList();
        }
    }

    @Test
    void theLatestSnapshotIsRestoredIntoASandboxValidatedTimedAuditedAndMetered() throws Exception {
        time.advance(Duration.ofHours(1));
        Snapshot latest = backup();
        RestoreTests tests = tests()
                .validator(RestoreValidators.rowCount("orders/ledger.csv", 1, 100))
                .validator(RestoreValidators.sha256Sums("orders/SHA256SUMS"))
                .validator(RestoreValidators.command("smoke", List.of("sh", "-c",
                        "grep -q '\"orders\":120' orders/state.json && echo \"$DR_SNAPSHOT\""), Duration.ofMinutes(1)))
                .build();

        RestoreTestResult r = tests.runNow();

        assertThat(r.passed()).as(r.reason()).isTrue();
        assertThat(r.snapshotId()).isEqualTo(latest.id());
        assertThat(r.restoreTime()).isEqualTo(Duration.ofSeconds(3));
        assertThat(r.files()).isEqualTo(3);
        assertThat(r.checks()).extracting(RestoreTestResult.Check::detail).containsExactly(
                "orders/ledger.csv: 120 rows (at least 100)", "2 files match orders/SHA256SUMS",
                "`sh -c grep -q '\"orders\":120' orders/state.json && echo \"$DR_SNAPSHOT\"` exited 0: " + latest.id());
        assertThat(leftInSandboxes()).as("the sandbox is deleted").isEmpty();
        assertThat(tests.health().status()).isEqualTo(HealthStatus.UP);

        AuditRecord rec = audit.records(AuditFilter.all()).stream()
                .filter(a -> a.action().equals(RestoreTests.AUDIT_ACTION)).findFirst().orElseThrow();
        assertThat(rec.target()).isEqualTo(latest.id());
        assertThat(rec.outcome().name()).isEqualTo("SUCCESS");
        assertThat(rec.details()).containsEntry("projectedRto", "PT3S").containsEntry("files", "3")
                .containsEntry("validator.rows of orders/ledger.csv", "passed: orders/ledger.csv: 120 rows (at least 100)");

        assertThat(meters.get("dr.restore.test.runs").tag("outcome", "passed").counter().count()).isEqualTo(1);
        assertThat(meters.get("dr.restore.test.runs").tag("outcome", "failed").counter().count()).isZero();
        assertThat(meters.get("dr.restore.test.projected.rto").gauge().value()).isEqualTo(3.0);
        assertThat(meters.get("dr.restore.test.duration").timer().count()).isEqualTo(1);
        assertThat(meters.get("dr.restore.test.last.passed").gauge().value()).isEqualTo(1.0);
        time.advance(Duration.ofMinutes(10));
        assertThat(meters.get("dr.restore.test.age").gauge().value()).isEqualTo(600.0);
    }

    @Test
    void aValidatorThatThrowsFailsTheTestWithItsMessageAndTheLiveDataIsUntouched() throws Exception {
        Map<String, String> before = liveContents();
        List<Snapshot> snapshotsBefore = repository.snapshots();
        RestoreTests tests = tests()
                .validator(RestoreValidators.rowCount("orders/ledger.csv", 1, 1))
                .validator(RestoreValidators.named("orders-table", restored -> {
                    Files.writeString(restored.directory().resolve("orders/ledger.csv"), "scribbled by the validator");
                    throw new IllegalStateException("orders table has no rows for today");
                }))
                .validator(RestoreValidators.rowCount("orders/ledger.csv", 1, 1))
                .build();

        RestoreTestResult r = tests.runNow();

        assertThat(r.passed()).isFalse();
        assertThat(r.reason()).isEqualTo("validator orders-table failed: orders table has no rows for today");
        assertThat(r.checks()).extracting(RestoreTestResult.Check::passed).containsExactly(true, false, false);
        assertThat(liveContents()).isEqualTo(before);
        assertThat(repository.snapshots()).isEqualTo(snapshotsBefore);
        assertThat(leftInSandboxes()).isEmpty();
        assertThat(tests.health().status()).isEqualTo(HealthStatus.DOWN);
        assertThat(tests.health().detail()).isEqualTo("the last restore test failed: validator orders-table failed: "
                + "orders table has no rows for today");
        assertThat(meters.get("dr.restore.test.runs").tag("outcome", "failed").counter().count()).isEqualTo(1);
        assertThat(meters.get("dr.restore.test.last.passed").gauge().value()).isZero();
        AuditRecord rec = audit.records(AuditFilter.all()).stream()
                .filter(a -> a.action().equals(RestoreTests.AUDIT_ACTION)).findFirst().orElseThrow();
        assertThat(rec.outcome().name()).isEqualTo("FAILURE");
        assertThat(rec.details()).containsEntry("validator.orders-table", "FAILED: orders table has no rows for today");
    }

    @Test
    void damagedOrMissingDataFailsWithTheFilesNamed() throws Exception {
        Files.writeString(data.resolve("state.json"), "{\"orders\":0}");
        // later than the first backup, so that it is the latest snapshot
        time.advance(Duration.ofHours(1));
        backup();
        RestoreTestResult r = tests().validator(RestoreValidators.sha256Sums("orders/SHA256SUMS"))
                .validator(RestoreValidators.rowCount("orders/ledger.csv", 1, 500))
                .validator(RestoreValidators.rowCount("orders/missing.csv", 0, 1))
                .validator(RestoreValidators.command("smoke", List.of("sh", "-c", "echo no rows; exit 3"),
                        Duration.ofMinutes(1)))
                .build().runNow();

        assertThat(r.passed()).isFalse();
        assertThat(r.checks()).extracting(RestoreTestResult.Check::detail).containsExactly(
                "1 of 2 files differ from orders/SHA256SUMS: state.json",
                "orders/ledger.csv: 120 rows (at least 500)",
                "orders/missing.csv was not restored (sources: orders)",
                "`sh -c echo no rows; exit 3` exited 3: no rows");
        assertThat(r.reason()).startsWith("validator checksums in orders/SHA256SUMS failed: 1 of 2 files differ");
    }

    @Test
    void aSampledTestRestoresTheSnapshotItDrawsAndAnEmptyRepositoryFails() throws Exception {
        Snapshot oldest = repository.snapshots().get(0);
        time.advance(Duration.ofHours(1));
        backup();
        RestoreTestResult r = tests().sample(() -> 0L).build().runNow();
        assertThat(r.passed()).as(r.reason()).isTrue();
        assertThat(r.snapshotId()).isEqualTo(oldest.id());

        RestoreTestResult unknown = tests().build().runNow("ffffffff");
        assertThat(unknown.passed()).isFalse();
        assertThat(unknown.reason()).startsWith("no snapshot to test: ");

        try (Repository empty = Repository.init(SnapshotStores.memory(), "pw".toCharArray(),
                RepositoryOptions.builder().kdf(new KdfParams(1024, 1, 1)).build())) {
            RestoreTestResult none = RestoreTests.builder(empty).sandbox(sandboxes).build().runNow();
            assertThat(none.reason()).isEqualTo("no snapshot to test: the repository has no snapshots");
        }
    }

    @Test
    void scheduledTestsRunOnTheInjectedSchedulerAndTheHealthGoesDownWhenTheLastIsTooOld() {
        try (RestoreTests tests = tests().schedule(BackupSchedule.every(Duration.ofDays(1)))
                .maxAge(Duration.ofDays(2)).scheduler(time.scheduler()).build()) {
            tests.start();
            assertThat(tests.health().status()).isEqualTo(HealthStatus.DEGRADED);
            assertThat(tests.nextRun()).contains(time.instant().plus(Duration.ofDays(1)));
            time.advance(Duration.ofDays(1));
            assertThat(tests.last()).isPresent();
            assertThat(tests.last().get().passed()).isTrue();
            time.advance(Duration.ofDays(2));
            assertThat(meters.get("dr.restore.test.runs").tag("outcome", "passed").counter().count()).isEqualTo(3);
            assertThat(tests.health().status()).isEqualTo(HealthStatus.UP);
            tests.close();
            time.advance(Duration.ofDays(3));
            assertThat(meters.get("dr.restore.test.runs").tag("outcome", "passed").counter().count()).isEqualTo(3);
            assertThat(tests.health().status()).isEqualTo(HealthStatus.DOWN);
            assertThat(tests.health().detail()).startsWith("the last restore test is PT72H old (max age PT48H)");
        }
        try (RestoreTests never = tests().maxAge(Duration.ofHours(1)).build()) {
            time.advance(Duration.ofHours(2));
            assertThat(never.health().detail()).isEqualTo("no restore test has run in PT2H (max age PT1H)");
        }
    }

    @Test
    void badSettingsAreNamed() {
        assertThatThrownBy(() -> RestoreValidators.rowCount("/etc/passwd", 0, 1)).isInstanceOf(DrException.class)
                .hasMessage("path must be a path relative to the sandbox, but was /etc/passwd");
        assertThatThrownBy(() -> RestoreValidators.rowCount("a.csv", 0, -1))
                .hasMessage("atLeast must be >= 0, but was -1");
        assertThatThrownBy(() -> tests().maxAge(Duration.ZERO)).hasMessage("maxAge must be > 0, but was PT0S");
        assertThatThrownBy(() -> tests().schedule(BackupSchedule.every(Duration.ofDays(1))).build().start())
                .hasMessage("scheduled restore tests need a scheduler");
    }
}
