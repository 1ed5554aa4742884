package dev.drkit.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.core.repository.Repository;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import dev.drkit.api.recovery.Failover;
import dev.drkit.core.recovery.ExecutionRequest;
import dev.drkit.core.recovery.ExecutionResult;
import dev.drkit.core.recovery.Plan;
import dev.drkit.core.recovery.RecoveryExecutor;
import dev.drkit.core.recovery.Steps;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * WAL streamed into the repository beside two base backups; the cluster restored to several
 * instants holds exactly the rows whose transactions committed by then, as the source
 * server's commit timestamps say.
 */
class PointInTimeRestoreTest {
    private static final Duration GENEROUS = Duration.ofMinutes(3);
    private static PostgresServer server;
    @TempDir
    static Path home;
    private static Repository repo;
    private static WalStreamer wal;
    private static final SimpleMeterRegistry METERS = new SimpleMeterRegistry();
    /** Row id to the commit time of the transaction that inserted it. */
    private static final TreeMap<Long, Instant> COMMITS = new TreeMap<>();

    @TempDir
    Path tmp;

    @BeforeAll
    static void streamWalAndTakeBaseBackups() throws Exception {
        server = PostgresServer.start();
        server.execute("SELECT pg_create_physical_replication_slot('dr', true)",
                "CREATE TABLE ledger (id bigint PRIMARY KEY, note text)");
        repo = BaseBackupTest.repository(home);
        wal = WalStreamer.start(repo, server.connection(), WalStreamConfig.of("dr").withFlushInterval(
                Duration.ofMillis(200)));
        wal.bindTo(METERS);
        PostgresBackups backups = PostgresBackups.of(repo, server.connection());
        insert(1, 150);
        backups.baseBackup();
        insert(151, 300);
        backups.baseBackup();
        insert(301, 450);
        awaitAllStreamed();
        try (Connection c = server.superuser(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id, pg_xact_commit_timestamp(xmin) FROM ledger")) {
            while (rs.next()) {
                COMMITS.put(rs.getLong(1), rs.getObject(2, OffsetDateTime.class).toInstant());
            }
        }
    }

    private static void insert(long from, long to) throws Exception {
        try (Connection c = server.superuser(); Statement st = c.createStatement()) {
            for (long id = from; id <= to; id++) {
                st.execute("INSERT INTO ledger VALUES (" + id + ", 'row " + id + "')");
            }
        }
    }

    private static void awaitAllStreamed() throws Exception {
        try (Connection c = server.superuser(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_current_wal_flush_lsn()::text")) {
            rs.next();
            assertThat(wal.awaitStreamed(Lsn.parse(rs.getString(1)), GENEROUS)).isTrue();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (wal != null) {
            wal.close();
        }
        if (repo != null) {
            repo.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private List<Long> restoredIds(RestoredCluster restored) throws Exception {
        try (PostgresServer copy = PostgresServer.startRestored(restored.dataDirectory())) {
            List<Long> ids = new ArrayList<>();
            try (Connection c = copy.superuser(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT id FROM ledger ORDER BY id")) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
            return ids;
        }
    }

    private static List<Long> committedBy(Instant at) {
        return COMMITS.entrySet().stream().filter(e -> !e.getValue().isAfter(at)).map(e -> e.getKey()).toList();
    }

    @Test
    void restoresToSeveralInstantsHoldExactlyTheRowsCommittedByThen() throws Exception {
        PointInTimeRestore restore = PointInTimeRestore.of(repo);
        List<Instant> instants = List.of(
                COMMITS.get(200L),                                     // a commit's own instant: included
                COMMITS.get(320L).plusNanos(1000).minusNanos(2000),    // a microsecond before a commit
                middle(COMMITS.get(420L), COMMITS.get(421L)),
                COMMITS.get(450L));                                    // the last commit: no later record
        for (Instant at : instants) {
            Path target = tmp.resolve("restore-" + at.toEpochMilli() + "-" + at.getNano());
            RestoredCluster restored = restore.restore(at, target);
            assertThat(restored.dataAsOf()).isEqualTo(at);
            assertThat(restoredIds(restored)).as("rows restored to %s", at).isEqualTo(committedBy(at));
        }
    }

    @Test
    void theLatestRestoreHoldsEveryStreamedCommit() throws Exception {
        RestoredCluster restored = PointInTimeRestore.of(repo).restoreLatest(tmp.resolve("latest"));
        assertThat(restored.recoveryTargetTime()).isNull();
        assertThat(restoredIds(restored)).isEqualTo(committedBy(Instant.MAX));
    }

    @Test
    void theSlotIsAcknowledgedOnlyUpToTheDurableWalAndItsLagIsMetered() throws Exception {
        try (Connection c = server.superuser(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT restart_lsn::text FROM pg_replication_slots WHERE slot_name = 'dr'")) {
            rs.next();
            Lsn restart = Lsn.parse(rs.getString(1));
            assertThat(restart).isLessThanOrEqualTo(wal.streamedLsn()).isGreaterThan(Lsn.ZERO);
        }
        assertThat(wal.slotLagBytes()).isGreaterThanOrEqualTo(0);
        assertThat(METERS.get("dr.postgres.slot.lag").tag("slot", "dr").gauge().value()).isGreaterThanOrEqualTo(0);
        assertThat(METERS.get("dr.postgres.wal.chunks").gauge().value()).isPositive();
        assertThat(wal.lastFlush()).isPresent();
        assertThat(wal.isRunning()).isTrue();
    }

    @Test
    void runAsRootTheFilesTheRestoreWritesBelongToTheDataDirectorysOwnerWithPostgresModes() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root to set owners");
        Path target = tmp.resolve("owned");
        PointInTimeRestore.of(repo).restore(COMMITS.get(200L), target);
        int uid = (Integer) Files.getAttribute(target.resolve("PG_VERSION"), "unix:uid");
        int gid = (Integer) Files.getAttribute(target.resolve("PG_VERSION"), "unix:gid");
        assertThat(uid).as("the source's files belong to the server's user").isNotZero();
        assertThat((Integer) Files.getAttribute(target, "unix:uid")).isEqualTo(uid);
        List<Path> written = new ArrayList<>(List.of(target.resolve("backup_label"), target.resolve("recovery.signal"),
                target.resolve("postgresql.auto.conf"), target.resolve("pg_wal")));
        try (var segments = Files.list(target.resolve("pg_wal"))) {
            segments.forEach(written::add);
        }
        assertThat(written).hasSizeGreaterThan(4);
        for (Path p : written) {
            boolean dir = Files.isDirectory(p);
            assertThat((Integer) Files.getAttribute(p, "unix:uid")).as("owner of %s", p).isEqualTo(uid);
            assertThat((Integer) Files.getAttribute(p, "unix:gid")).as("group of %s", p).isEqualTo(gid);
            assertThat((Integer) Files.getAttribute(p, "unix:mode") & 0777).as("mode of %s", p)
                    .isEqualTo(dir ? 0700 : 0600);
        }
    }

    @Test
    void instantsOutsideTheCoveredRangeAreRefusedNamingAt() {
        PointInTimeRestore restore = PointInTimeRestore.of(repo);
        CoveredRange range = restore.coveredRange();
        assertThat(range.from()).isBefore(COMMITS.get(200L));
        assertThat(range.to()).isAfterOrEqualTo(COMMITS.get(450L));
        for (Instant outside : List.of(COMMITS.get(10L), range.to().plusSeconds(3600))) {
            assertThatThrownBy(() -> restore.restore(outside, tmp.resolve("never")))
                    .isInstanceOf(DrException.class)
                    .hasMessageContaining("at " + outside).hasMessageContaining(range.from().toString())
                    .satisfies(e -> assertThat(((DrException) e).input()).isEqualTo("at"));
            assertThat(tmp.resolve("never")).doesNotExist();
        }
        Instant after = range.to().plusSeconds(5);
        assertThatThrownBy(() -> restore.restore(after, tmp.resolve("never")))
                .hasMessageContaining("at " + after + " is after the end of the range")
                .hasMessageContaining("nothing was written after " + range.to() + " and a restore at " + range.to()
                        + " (or of the latest) holds the same data");
    }

    @Test
    void anUnknownClusterIsRefusedNamingTheClustersTheRepositoryHolds() {
        String held = PointInTimeRestore.of(repo).coveredRange().systemId();
        assertThatThrownBy(() -> PointInTimeRestore.of(repo).forSystem("123").coveredRange())
                .isInstanceOf(DrException.class)
                .hasMessage("No cluster 123 in the repository; it holds clusters: " + held)
                .satisfies(e -> assertThat(((DrException) e).code()).isEqualTo(ErrorCode.NOT_FOUND));
    }

    @Test
    void aTargetThatIsNotEmptyIsRefused() throws Exception {
        Files.writeString(Files.createDirectories(tmp.resolve("busy")).resolve("keep.txt"), "keep");
        assertThatThrownBy(() -> PointInTimeRestore.of(repo).restoreLatest(tmp.resolve("busy")))
                .isInstanceOf(DrException.class).hasMessageContaining("target")
                .satisfies(e -> assertThat(((DrException) e).code()).isEqualTo(ErrorCode.ALREADY_EXISTS));
        assertThat(tmp.resolve("busy/keep.txt")).hasContent("keep");
    }

    @Test
    void aMissingSlotARoleWithoutReplicationAndWrongCredentialsAreNamed() throws Exception {
        assertThatThrownBy(() -> WalStreamer.start(repo, server.connection(), WalStreamConfig.of("nosuchslot")))
                .isInstanceOf(DrException.class).hasMessageContaining("slot")
                .satisfies(e -> assertThat(((DrException) e).code()).isEqualTo(ErrorCode.NOT_FOUND));
        server.execute("DROP ROLE IF EXISTS app", "CREATE ROLE app LOGIN PASSWORD 'app-pw'");
        assertThatThrownBy(() -> WalStreamer.start(repo, server.connection("app", "app-pw"), WalStreamConfig.of("dr")))
                .isInstanceOf(DrException.class).hasMessageContaining("replication")
                .satisfies(e -> assertThat(((DrException) e).code()).isEqualTo(ErrorCode.ACCESS_DENIED));
        assertThatThrownBy(() -> WalStreamer.start(repo, server.connection("app", "wrong"), WalStreamConfig.of("dr")))
                .isInstanceOf(DrException.class).hasMessageContaining("password")
                .satisfies(e -> assertThat(((DrException) e).code()).isEqualTo(ErrorCode.ACCESS_DENIED));
        assertThat(wal.isRunning()).isTrue();
    }

    @Test
    void aRecoveryPlanRestoresToAnInstantChecksWithSqlAndFailsOverToTheRestoredCluster() throws Exception {
        Instant at = COMMITS.get(333L);
        Path target = tmp.resolve("plan");
        AtomicReference<String> primaryUrl = new AtomicReference<>(server.url());
        AtomicReference<PostgresServer> restored = new AtomicReference<>();
        Failover failover = new Failover() {
            @Override
            public String describe() {
                return "ledger-db primary -> restored cluster";
            }

            @Override
            public void verifyReady() throws Exception {
                try (Connection c = restored.get().superuser()) {
                    assertThat(c.isValid(10)).isTrue();
                }
            }

            @Override
            public void failover(String idempotencyKey) {
                primaryUrl.set(restored.get().url());
            }

            @Override
            public void failback(String idempotencyKey) {
                primaryUrl.set(server.url());
            }
        };
        Plan plan = Plan.builder("ledger-db to an instant").objectives(Duration.ofMinutes(10), Duration.ofMinutes(10))
                .step("restore", PostgresSteps.restore(PointInTimeRestore.of(repo), at, target))
                .step("start", Steps.described("Start the restored cluster",
                        context -> restored.set(PostgresServer.startRestored(target))), o -> o.dependsOn("restore"))
                .step("verify", PostgresSteps.verifySql("the ledger holds rows 1 to 333",
                        () -> restored.get().connection(), "SELECT count(*) = 333 AND max(id) = 333 FROM ledger"),
                        o -> o.dependsOn("start"))
                .step("failover", Steps.failover(failover), o -> o.dependsOn("verify"))
                .build();
        assertThat(plan.steps()).filteredOn(s -> s.step().verifies()).as("runbooks list it under Verify recovery")
                .singleElement().satisfies(s -> assertThat(s.name()).isEqualTo("verify"));
        try (RecoveryExecutor executor = RecoveryExecutor.builder().build()) {
            ExecutionResult result = executor.run(plan, ExecutionRequest.live(), GENEROUS);
            assertThat(result.succeeded()).as(result.reason()).isTrue();
            assertThat(result.restoredDataAsOf()).isEqualTo(at);
            assertThat(primaryUrl.get()).isEqualTo(restored.get().url());
        } finally {
            if (restored.get() != null) {
                restored.get().close();
            }
        }
    }

    @Test
    void aFailedSqlCheckStopsThePlanBeforeTheFailover() throws Exception {
        Path target = tmp.resolve("plan");
        AtomicReference<PostgresServer> restored = new AtomicReference<>();
        AtomicReference<String> failedOver = new AtomicReference<>("no");
        Failover failover = new Failover() {
            @Override
            public String describe() {
                return "ledger-db primary -> restored cluster";
            }

            @Override
            public void verifyReady() {
            }

            @Override
            public void failover(String idempotencyKey) {
                failedOver.set("yes");
            }

            @Override
            public void failback(String idempotencyKey) {
            }
        };
        Plan plan = Plan.builder("ledger-db to an instant").objectives(Duration.ofMinutes(10), Duration.ofMinutes(10))
                .step("restore", PostgresSteps.restore(PointInTimeRestore.of(repo), COMMITS.get(250L), target))
                .step("start", Steps.described("Start the restored cluster",
                        context -> restored.set(PostgresServer.startRestored(target))), o -> o.dependsOn("restore"))
                .step("verify", PostgresSteps.verifySql("the ledger holds all 450 rows",
                        () -> restored.get().connection(), "SELECT count(*) = 450 FROM ledger"),
                        o -> o.dependsOn("start"))
                .step("failover", Steps.failover(failover), o -> o.dependsOn("verify"))
                .build();
        try (RecoveryExecutor executor = RecoveryExecutor.builder().build()) {
            ExecutionResult result = executor.run(plan, ExecutionRequest.live(), GENEROUS);
            assertThat(result.succeeded()).isFalse();
            assertThat(result.step("verify").orElseThrow().error()).contains("the ledger holds all 450 rows");
            assertThat(failedOver.get()).isEqualTo("no");
        } finally {
            if (restored.get() != null) {
                restored.get().close();
            }
        }
    }

    @Test
    void aDrillOfThePlanWritesNothing() throws Exception {
        Path target = tmp.resolve("drill");
        Plan plan = Plan.builder("ledger-db drill").objectives(Duration.ofMinutes(10), Duration.ofMinutes(10))
                .step("restore", PostgresSteps.restore(PointInTimeRestore.of(repo), COMMITS.get(300L), target))
                .build();
        try (RecoveryExecutor executor = RecoveryExecutor.builder().build()) {
            ExecutionResult result = executor.run(plan, ExecutionRequest.drill(), GENEROUS);
            assertThat(result.succeeded()).as(result.reason()).isTrue();

            // A drill of an instant past the range says what the restore would say.
            Instant late = PointInTimeRestore.of(repo).coveredRange().to().plusSeconds(3600);
            Plan tooLate = Plan.builder("ledger-db drill, too late")
                    .objectives(Duration.ofMinutes(10), Duration.ofMinutes(10))
                    .step("restore", PostgresSteps.restore(PointInTimeRestore.of(repo), late, target)).build();
            ExecutionResult refused = executor.run(tooLate, ExecutionRequest.drill(), GENEROUS);
            assertThat(refused.succeeded()).isFalse();
            assertThat(refused.reason()).contains("is after the end of the range the repository covers",
                    "(or of the latest) holds the same data");
        }
        assertThat(target).doesNotExist();
    }

    private static Instant middle(Instant a, Instant b) {
        return a.plus(Duration.between(a, b).dividedBy(2));
    }
}
