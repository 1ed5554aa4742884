package dev.drkit.core.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.coordination.CoordinatorConfig;
import dev.drkit.core.coordination.FencedStore;
import dev.drkit.core.coordination.StoreCoordinator;
import dev.drkit.core.coordination.WriterLease;
import dev.drkit.core.repository.BackupRequest;
import dev.drkit.core.repository.KdfParams;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.core.store.SnapshotStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances share one {@code mem:} repository and one store-backed coordinator, each with
 * scheduled backups gated by the same writer lease and a repository on a fenced store; time,
 * schedules and the coordinators' work are all driven by hand.
 */
class OneWriterPerFleetTest {
    private static final Duration TTL = Duration.ofSeconds(9);
    private static final Duration RENEW = Duration.ofSeconds(3);
    private static final Duration STEP = Duration.ofMillis(500);
    private static final char[] PASSWORD = "pw".toCharArray();

    @TempDir
    Path dir;

    private final ManualTime time = new ManualTime();
    private final List<AutoCloseable> opened = new ArrayList<>();
    private SnapshotStore shared;
    private Path data;

    @BeforeEach
    void setUp() throws Exception {
        shared = SnapshotStores.memory();
        Repository.init(shared, PASSWORD, options()).close();
        data = Files.createDirectories(dir.resolve("orders"));
        Files.writeString(data.resolve("a.json"), "{}");
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        shared.close();
    }

    private RepositoryOptions options() {
        return RepositoryOptions.builder().kdf(new KdfParams(1024, 1, 1)).clock(time).build();
    }

    /** One instance: its coordinator, writer lease, fenced repository and scheduled backups. */
    private final class Instance {
        final StoreCoordinator coordinator;
        final WriterLease writer;
        final Repository repository;
        final ScheduledBackups backups;

        Instance(String member) {
            coordinator = StoreCoordinator.manual(shared, CoordinatorConfig.builder(member).ttl(TTL)
                    .renewInterval(RENEW).ticker(() -> time.instant().toEpochMilli() * 1_000_000L).build());
            opened.add(coordinator);
            writer = WriterLease.campaign(coordinator, "backup-writer");
            repository = Repository.open(FencedStore.of(shared, writer), PASSWORD, options());
            backups = ScheduledBackups.builder(repository).source(DirectorySource.of("orders", data)).clock(time)
                    .scheduler(time.scheduler()).keepEverything().writer(writer)
                    .schedule(BackupSchedule.every(Duration.ofMinutes(1))).initialDelay(Duration.ofMinutes(1))
                    .build();
            opened.add(backups);
        }
    }

    /** Advances time in half-second steps, letting the given (live) instances' coordinators work after each. */
    private void run(Duration d, Instance... live) {
        for (long left = d.toMillis(); left > 0; left -= STEP.toMillis()) {
            time.advance(STEP);
            for (Instance i : live) {
                i.coordinator.tick();
            }
        }
    }

    private int snapshots() {
        try (Repository r = Repository.open(shared, PASSWORD, options())) {
            return r.snapshots().size();
        }
    }

    @Test
    void scheduledBackupsRunOnTheWriterOnly() {
        Instance a = new Instance("a");
        a.coordinator.tick();
        Instance b = new Instance("b");
        b.coordinator.tick();
        a.backups.start();
        b.backups.start();

        run(Duration.ofMinutes(3), a, b);

        assertThat(a.writer.isWriter()).isTrue();
        assertThat(b.writer.isWriter()).isFalse();
        assertThat(snapshots()).isEqualTo(3);
        assertThat(a.backups.skippedRuns()).isZero();
        assertThat(b.backups.skippedRuns()).isEqualTo(3);
        assertThat(b.backups.latest()).isEqualTo(a.backups.latest());
        assertThat(b.backups.rpoMet()).isTrue();
    }

    @Test
    void aDeadWriterIsReplacedWithinTheTtlAndOneRenewInterval() {
        Instance a = new Instance("a");
        a.coordinator.tick();
        Instance b = new Instance("b");
        b.coordinator.tick();
        a.backups.start();
        b.backups.start();
        run(Duration.ofSeconds(61), a, b);
        assertThat(snapshots()).isEqualTo(1);
        long epochOfA = a.writer.token().orElseThrow().epoch();

        // a stops: no more renewals, its scheduled runs find its holding past its own deadline.
        long diedAt = time.instant().toEpochMilli();
        while (!b.writer.isWriter()) {
            run(STEP, b);
        }
        Duration takeover = Duration.ofMillis(time.instant().toEpochMilli() - diedAt);

        assertThat(takeover).isLessThanOrEqualTo(TTL.plus(TTL.dividedBy(100)).plus(RENEW).plus(STEP));
        assertThat(b.writer.token().orElseThrow().epoch()).isGreaterThan(epochOfA);
        run(Duration.ofMinutes(2), b);
        assertThat(snapshots()).isEqualTo(3);
        assertThat(b.backups.skippedRuns()).isEqualTo(1);
        assertThat(a.backups.skippedRuns()).isEqualTo(2);
    }

    @Test
    void aWriterPausedPastItsLeaseHasItsNextCommitRefused() {
        Instance a = new Instance("a");
        a.coordinator.tick();
        Instance b = new Instance("b");
        b.coordinator.tick();

        assertThatThrownBy(() -> a.writer.runIfWriter(() -> {
            // a is paused here (a stopped JVM) while b takes the lease over, then resumes and commits.
            while (!b.writer.isWriter()) {
                run(STEP, b);
            }
            return a.repository.backup(BackupRequest.builder().sources(List.of(DirectorySource.of("orders", data)))
                    .build());
        })).isInstanceOfSatisfying(DrException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.STALE_EPOCH);
            assertThat(e.getMessage()).contains("a wrote under epoch 1 of lease backup-writer", "newer holder");
        });

        assertThat(snapshots()).isZero();
        assertThat(b.writer.runIfWriter(() -> b.backups.backupNow())).isPresent();
        assertThat(snapshots()).isEqualTo(1);
    }

    @Test
    void aFencedStoreRefusesCommitsFromANonHolderAndLetsPacksThrough() {
        Instance a = new Instance("a");
        a.coordinator.tick();
        Instance b = new Instance("b");
        b.coordinator.tick();
        FencedStore fencedB = FencedStore.of(shared, b.writer);

        assertThatThrownBy(() -> fencedB.put("snapshots/x", new byte[1]))
                .isInstanceOfSatisfying(DrException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.STALE_EPOCH);
                    assertThat(e.getMessage()).contains("b does not hold lease backup-writer", "put snapshots/x");
                });
        assertThatThrownBy(() -> fencedB.delete("index/y")).isInstanceOf(DrException.class);
        assertThat(shared.stat("snapshots/x")).isEmpty();
        fencedB.put("data/00/pack", new byte[1]);
        assertThat(shared.stat("data/00/pack")).isPresent();
    }

    @Test
    void aWriterLeaseIsSetOnceAndNamedValidly() {
        Instance a = new Instance("a");
        ScheduledBackups.Builder builder = ScheduledBackups.builder(a.repository).writer(a.writer);
        assertThatThrownBy(() -> builder.writer(a.writer)).isInstanceOfSatisfying(DrException.class,
                e -> assertThat(e.input()).isEqualTo("writer"));
        assertThatThrownBy(() -> WriterLease.campaign(a.coordinator, "backup writer"))
                .isInstanceOfSatisfying(DrException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).contains("name", "backup writer");
                });
    }
}
