package dev.drkit.core.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.backup.RetentionPolicy;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.source.StreamSource;
import dev.drkit.testkit.ManualClock;
import dev.drkit.testkit.store.ForwardingStore;
import dev.drkit.testkit.store.InMemoryStore;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionAndLockTest {
    final InMemoryStore store = new InMemoryStore();
    final ManualClock clock = ManualClock.at(Instant.parse("2022-01-01T00:00:00Z"));
    Repository repo;
    final Map<String, String> idsByLabel = new LinkedHashMap<>();

    @BeforeEach
    void open() {
        repo = Repository.init(store, "pw".toCharArray(), RepositoryTest.fastOptions().clock(clock).build());
    }

    @AfterEach
    void close() {
        repo.close();
    }

    private void snapshotAt(String time, String... tags) {
        clock.set(Instant.parse(time));
        BackupResult r = repo.backup(BackupRequest.builder()
                .source(StreamSource.of("db", "dump.sql",
                        () -> new ByteArrayInputStream(time.getBytes(StandardCharsets.UTF_8))))
                .tags(tags).build());
        idsByLabel.put(time, r.snapshotId());
    }

    private List<String> removedTimes(RetentionPolicy policy) {
        ForgetResult result = repo.forget(policy, true);
        List<String> out = new ArrayList<>();
        for (Snapshot s : result.removed()) {
            out.add(s.time().toString());
        }
        return out;
    }

    @Test
    void keepDailyKeepsTheNewestSnapshotOfEachOfTheLastDays() {
        snapshotAt("2024-03-01T10:00:00Z");
        snapshotAt("2024-03-01T12:00:00Z");
        snapshotAt("2024-03-02T09:00:00Z");
        snapshotAt("2024-03-03T09:00:00Z");
        snapshotAt("2024-03-03T23:00:00Z");
        assertThat(removedTimes(RetentionPolicy.builder().keepDaily(2).build()))
                .containsExactlyInAnyOrder("2024-03-03T09:00:00Z", "2024-03-01T12:00:00Z", "2024-03-01T10:00:00Z");
    }

    @Test
    void keepLastAndKeepTagsCombine() {
        snapshotAt("2024-03-01T10:00:00Z", "release");
        snapshotAt("2024-03-02T10:00:00Z");
        snapshotAt("2024-03-03T10:00:00Z");
        snapshotAt("2024-03-04T10:00:00Z");
        assertThat(removedTimes(RetentionPolicy.builder().keepLast(2).keepTags(Set.of("release")).build()))
                .containsExactly("2024-03-02T10:00:00Z");
    }

    private String backupAt(String time, String host, String source, String... tags) {
        clock.set(Instant.parse(time));
        return repo.backup(BackupRequest.builder().host(host)
                .source(StreamSource.of(source, "dump.sql",
                        () -> new ByteArrayInputStream(time.getBytes(StandardCharsets.UTF_8))))
                .tags(tags).build()).snapshotId();
    }

    @Test
    void theRulesApplyToEachHostsSnapshotsOfTheSameSourcesOnTheirOwn() {
        // An hourly source and a daily one on one host, and a second instance of the service.
        String other = backupAt("2024-02-01T00:00:00Z", "b", "files");
        String daily1 = backupAt("2024-03-01T00:30:00Z", "a", "pgdata");
        String daily2 = backupAt("2024-03-02T00:30:00Z", "a", "pgdata");
        List<String> hourly = new ArrayList<>();
        for (int h = 1; h <= 5; h++) {
            hourly.add(backupAt("2024-03-02T0" + h + ":00:00Z", "a", "files"));
        }

        ForgetResult result = repo.forget(RetentionPolicy.builder().keepLast(2).build(), false);

        assertThat(result.kept()).extracting(Snapshot::id)
                .containsExactly(hourly.get(4), hourly.get(3), daily2, daily1, other);
        assertThat(result.removed()).extracting(Snapshot::id)
                .containsExactlyInAnyOrder(hourly.get(0), hourly.get(1), hourly.get(2));
        assertThat(repo.snapshots()).extracting(Snapshot::id)
                .containsExactlyInAnyOrder(hourly.get(4), hourly.get(3), daily2, daily1, other);
    }

    @Test
    void groupingByNothingAppliesTheRulesToTheWholeRepositoryAndByTagsSplitsTheGroups() {
        String files = backupAt("2024-03-01T00:00:00Z", "a", "files");
        String db = backupAt("2024-03-02T00:00:00Z", "a", "db", "nightly");
        String dbAdHoc = backupAt("2024-03-03T00:00:00Z", "a", "db");
        String dbLatest = backupAt("2024-03-04T00:00:00Z", "b", "db", "nightly");

        ForgetResult whole = repo.forget(RetentionPolicy.builder().keepLast(1).groupBy(Set.of()).build(), true);
        assertThat(whole.kept()).extracting(Snapshot::id).containsExactly(dbLatest);
        ForgetResult byTags = repo.forget(RetentionPolicy.builder().keepLast(1)
                .groupBy(RetentionPolicy.GroupBy.parse("Sources, TAGS")).build(), true);
        assertThat(byTags.kept()).extracting(Snapshot::id).containsExactly(dbLatest, dbAdHoc, files);
        assertThat(byTags.removed()).extracting(Snapshot::id).containsExactly(db);
        assertThat(repo.forget(RetentionPolicy.builder().keepLast(1).build(), true).kept())
                .extracting(Snapshot::id).containsExactly(dbLatest, dbAdHoc, files);
    }

    @Test
    void aPolicyThatWouldForgetEverySnapshotOfAGroupIsRefusedNamingTheGroup() {
        snapshotAt("2024-03-01T10:00:00Z", "n5");
        snapshotAt("2024-03-02T10:00:00Z");
        backupAt("2024-03-03T10:00:00Z", "b", "files", "n5");
        assertThatThrownBy(() -> repo.forget(RetentionPolicy.builder().keepTags(Set.of("N5")).build(), true))
                .isInstanceOfSatisfying(DrException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).startsWith("keepTags [N5] keeps none of the 2 snapshots of host ")
                            .contains("[db]", "case-sensitive", "keepLast 1");
                });
        assertThatThrownBy(() -> repo.forget(RetentionPolicy.builder().keepTags(Set.of("N5")).build(), false))
                .isInstanceOf(DrException.class);
        assertThat(repo.snapshots()).hasSize(3);
        assertThat(repo.forget(RetentionPolicy.builder().keepTags(Set.of("n5")).build(), false).removed())
                .extracting(s -> s.time().toString()).containsExactly("2024-03-02T10:00:00Z");
    }

    @Test
    void aGroupingItDoesNotKnowIsRefusedNamingIt() {
        assertThat(RetentionPolicy.GroupBy.parse("host,paths")).containsExactlyInAnyOrder(
                RetentionPolicy.GroupBy.HOST, RetentionPolicy.GroupBy.SOURCES);
        assertThat(RetentionPolicy.GroupBy.parse(" none ")).isEmpty();
        assertThatThrownBy(() -> RetentionPolicy.GroupBy.parse("host,instance"))
                .isInstanceOfSatisfying(DrException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).startsWith("groupBy ").contains("host,instance");
                });
        assertThat(RetentionPolicy.builder().keepLast(1).build().groupBy())
                .isEqualTo(RetentionPolicy.DEFAULT_GROUP_BY);
    }

    @Test
    void keepWithinIsMeasuredFromTheNewestSnapshot() {
        snapshotAt("2024-03-01T00:00:00Z");
        snapshotAt("2024-03-05T00:00:00Z");
        snapshotAt("2024-03-06T00:00:00Z");
        clock.set(Instant.parse("2025-01-01T00:00:00Z"));
        assertThat(removedTimes(RetentionPolicy.builder().keepWithin(Duration.ofDays(2)).build()))
                .containsExactly("2024-03-01T00:00:00Z");
    }

    @Test
    void calendarRulesKeepOnePerHourWeekMonthAndYear() {
        snapshotAt("2022-06-01T00:00:00Z");
        snapshotAt("2023-06-01T00:00:00Z");
        snapshotAt("2024-01-10T00:00:00Z");
        snapshotAt("2024-02-10T00:00:00Z");
        snapshotAt("2024-02-20T00:00:00Z");
        snapshotAt("2024-02-20T05:10:00Z");
        snapshotAt("2024-02-20T05:20:00Z");
        assertThat(removedTimes(RetentionPolicy.builder().keepHourly(2).build())).hasSize(5)
                .doesNotContain("2024-02-20T05:20:00Z", "2024-02-20T00:00:00Z");
        assertThat(removedTimes(RetentionPolicy.builder().keepMonthly(2).build())).hasSize(5)
                .doesNotContain("2024-02-20T05:20:00Z", "2024-01-10T00:00:00Z");
        assertThat(removedTimes(RetentionPolicy.builder().keepYearly(3).build()))
                .containsExactlyInAnyOrder("2024-02-20T05:10:00Z", "2024-02-20T00:00:00Z", "2024-02-10T00:00:00Z",
                        "2024-01-10T00:00:00Z");
        assertThat(removedTimes(RetentionPolicy.builder().keepWeekly(2).build())).hasSize(5)
                .doesNotContain("2024-02-20T05:20:00Z", "2024-02-10T00:00:00Z");
    }

    @Test
    void forgetRemovesOnlyTheManifestsAndKeepsTheRestRestorable() throws Exception {
        snapshotAt("2024-03-01T10:00:00Z");
        snapshotAt("2024-03-02T10:00:00Z");
        ForgetResult result = repo.forget(RetentionPolicy.builder().keepLast(1).build(), false);
        assertThat(result.removed()).extracting(Snapshot::id).containsExactly(idsByLabel.get("2024-03-01T10:00:00Z"));
        assertThat(repo.snapshots()).extracting(Snapshot::id).containsExactly(idsByLabel.get("2024-03-02T10:00:00Z"));
        try (var in = repo.openEntry("latest", "db/dump.sql")) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("2024-03-02T10:00:00Z");
        }
    }

    private String lockJson(boolean exclusive, Instant expires) {
        return lockJson("other-host", 4242, exclusive, expires);
    }

    private String lockJson(String host, long pid, boolean exclusive, Instant expires) {
        return "{\"owner\":\"ops\",\"host\":\"" + host + "\",\"pid\":" + pid + ",\"exclusive\":" + exclusive
                + ",\"created\":\"" + clock.instant() + "\",\"expires\":\"" + expires + "\"}";
    }

    private void putLock(String key, String host, long pid, boolean exclusive, Duration ahead) {
        store.put(key, lockJson(host, pid, exclusive, clock.instant().plus(ahead)).getBytes(StandardCharsets.UTF_8));
    }

    /** The pid of a process that ran and ended, as a backup killed with kill -9 leaves in its lock. */
    static long endedPid() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        p.waitFor();
        long pid = p.pid();
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).as("pid %s ended", pid).isEmpty();
        return pid;
    }

    @Test
    void aLockOfThisHostWhoseProcessEndedIsStaleSoPruneForgetAndBackupRemoveItAndRun() throws Exception {
        snapshotAt("2024-03-01T10:00:00Z");
        snapshotAt("2024-03-01T11:00:00Z");
        long dead = endedPid();
        // What a backup killed with kill -9 on this host leaves: 25 minutes before it would expire.
        putLock("locks/killed", "test-host", dead, false, Duration.ofMinutes(25));
        assertThat(repo.locks()).singleElement().satisfies(l -> {
            assertThat(l.state()).isEqualTo(LockInfo.State.PROCESS_GONE);
            assertThat(l.pid()).isEqualTo(dead);
        });

        assertThat(repo.prune(PruneOptions.DEFAULT).dryRun()).isFalse();
        assertThat(store.list("locks/").toList()).isEmpty();

        putLock("locks/killed-prune", "test-host", dead, true, Duration.ofMinutes(25));
        assertThat(repo.forget(RetentionPolicy.builder().keepLast(1).build(), false).removed()).hasSize(1);
        assertThat(store.list("locks/").toList()).isEmpty();

        // An exclusive one no longer keeps a backup (a shared lock) out either.
        clock.set(Instant.parse("2024-03-01T12:00:00Z"));
        putLock("locks/killed-prune", "test-host", dead, true, Duration.ofMinutes(25));
        snapshotAt("2024-03-01T12:00:00Z");
        assertThat(store.list("locks/").toList()).isEmpty();
        assertThat(repo.snapshots()).hasSize(2);
    }

    @Test
    void aLockOfAnotherHostWithAnEndedPidOrOfALiveProcessOfThisHostStillBlocksAndStays() throws Exception {
        snapshotAt("2024-03-01T10:00:00Z");
        long dead = endedPid();
        putLock("locks/elsewhere", "other-host", dead, false, Duration.ofMinutes(25));
        assertThatThrownBy(() -> repo.prune(PruneOptions.DEFAULT)).isInstanceOfSatisfying(DrException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.LOCKED);
            assertThat(e.input()).isEqualTo("locks/elsewhere");
            assertThat(e.getMessage()).contains("on other-host (pid " + dead + ", shared", "it expires at");
        });
        assertThat(store.stat("locks/elsewhere")).isPresent();
        store.delete("locks/elsewhere");

        // A live process of this host other than this one (the one that started this test), as a pid
        // reused by another program would be: its lock is not stale.
        long live = ProcessHandle.current().parent().filter(ProcessHandle::isAlive).orElseThrow().pid();
        putLock("locks/running", "test-host", live, false, Duration.ofMinutes(25));
        assertThatThrownBy(() -> repo.forget(RetentionPolicy.builder().keepLast(1).build(), false))
                .isInstanceOfSatisfying(DrException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.LOCKED);
                    assertThat(e.input()).isEqualTo("locks/running");
                    assertThat(e.getMessage()).contains("on test-host (pid " + live + ", shared", "it expires at");
                });
        assertThat(store.stat("locks/running")).isPresent();
        assertThat(repo.locks()).extracting(LockInfo::state).containsExactly(LockInfo.State.LIVE);
    }

    @Test
    void unlockKeepsLiveLocksAnotherHostsLockUntilItExpiresAndThisHostsRunningProcessesLock() throws Exception {
        snapshotAt("2024-03-01T10:00:00Z");
        long dead = endedPid();
        putLock("locks/elsewhere", "other-host", dead, true, Duration.ofMinutes(25));
        putLock("locks/running", "test-host", ProcessHandle.current().pid(), false, Duration.ofMinutes(60));
        assertThatThrownBy(() -> repo.prune(PruneOptions.DEFAULT)).isInstanceOfSatisfying(DrException.class, e -> {
            assertThat(e.input()).isEqualTo("locks/elsewhere");
            assertThat(e.getMessage()).doesNotContain("process is gone")
                    .contains("it expires at 2024-03-01T10:25:00Z", "'dr unlock' (Repository.unlock) removes it after then");
        });

        assertThat(repo.unlock()).isEmpty();
        assertThat(repo.locks()).extracting(LockInfo::state).containsOnly(LockInfo.State.LIVE);

        clock.set(clock.instant().plus(Duration.ofMinutes(26)));
        assertThat(repo.unlock()).extracting(LockInfo::key, LockInfo::state)
                .containsExactly(tuple("locks/elsewhere", LockInfo.State.EXPIRED));
        assertThat(repo.locks()).extracting(LockInfo::key).containsExactly("locks/running");

        assertThat(repo.unlockAll()).extracting(LockInfo::key, LockInfo::state)
                .containsExactly(tuple("locks/running", LockInfo.State.LIVE));
        assertThat(store.list("locks/").toList()).isEmpty();
    }

    @Test
    void aLockOfThisProcessSaysItIsThisProcesssOwn() {
        snapshotAt("2024-03-01T10:00:00Z");
        putLock("locks/mine", "test-host", ProcessHandle.current().pid(), false, Duration.ofMinutes(60));
        assertThatThrownBy(() -> repo.prune(PruneOptions.DEFAULT)).isInstanceOfSatisfying(DrException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.LOCKED);
            assertThat(e.getMessage()).contains("it is this process's own").doesNotContain("dr unlock");
        });
    }

    @Test
    void aLiveLockOfAnotherProcessBlocksPruneAndNamesTheLock() {
        snapshotAt("2024-03-01T10:00:00Z");
        store.put("locks/live", lockJson(false, clock.instant().plus(Duration.ofMinutes(10)))
                .getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> repo.prune(PruneOptions.DEFAULT)).isInstanceOf(DrException.class)
                .satisfies(e -> {
                    assertThat(((DrException) e).code()).isEqualTo(ErrorCode.LOCKED);
                    assertThat(((DrException) e).input()).isEqualTo("locks/live");
                    assertThat(e.getMessage()).contains("ops", "other-host");
                });
        assertThat(repo.unlockStale()).isZero();
        assertThat(store.stat("locks/live")).isPresent();
    }

    @Test
    void anExclusiveLockBlocksBackupsAndAStaleOneCanBeBroken() {
        clock.set(Instant.parse("2024-01-01T00:00:00Z"));
        store.put("locks/prune", lockJson(true, clock.instant().plus(Duration.ofMinutes(10)))
                .getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> snapshotAt("2024-01-01T00:01:00Z")).isInstanceOf(DrException.class)
                .extracting(e -> ((DrException) e).code()).isEqualTo(ErrorCode.LOCKED);
        clock.set(Instant.parse("2024-01-01T01:00:00Z"));
        assertThat(repo.unlockStale()).isEqualTo(1);
        assertThat(store.stat("locks/prune")).isEmpty();
        snapshotAt("2024-01-01T01:00:00Z");
        assertThat(repo.snapshots()).hasSize(1);
        assertThat(store.list("locks/").toList()).isEmpty();
    }

    @Test
    void aRestoreHoldsASharedLockSoAPruneCannotDeleteWhatItReads(@TempDir Path tmp) {
        snapshotAt("2024-03-01T10:00:00Z");
        List<Throwable> pruneDuringRestore = new ArrayList<>();
        SnapshotStore watched = new ForwardingStore(store) {
            @Override
            public byte[] get(String key, long offset, int length) {
                if (key.startsWith("data/") && pruneDuringRestore.isEmpty()) {
                    try {
                        repo.prune(new PruneOptions(Duration.ZERO, 0.0, false));
                        pruneDuringRestore.add(new AssertionError("the prune ran"));
                    } catch (DrException e) {
                        pruneDuringRestore.add(e);
                    }
                }
                return super.get(key, offset, length);
            }
        };
        try (Repository reader = Repository.open(watched, "pw".toCharArray(),
                RepositoryTest.fastOptions().clock(clock).build())) {
            reader.restore("latest", tmp.resolve("out"), RestoreOptions.all());
        }
        assertThat(pruneDuringRestore).singleElement().isInstanceOfSatisfying(DrException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.LOCKED));
        assertThat(tmp.resolve("out/db/dump.sql")).hasContent("2024-03-01T10:00:00Z");
        assertThat(store.list("locks/").toList()).as("the restore's lock is gone with it").isEmpty();
    }

    @Test
    void aPrunesLockStopsARestoreBeforeItWritesAndAReadOnlyStoreRestoresWithoutALock(@TempDir Path tmp) {
        snapshotAt("2024-03-01T10:00:00Z");
        store.put("locks/prune", lockJson(true, clock.instant().plus(Duration.ofMinutes(10)))
                .getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> repo.restore("latest", tmp.resolve("refused"), RestoreOptions.all()))
                .isInstanceOfSatisfying(DrException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.LOCKED);
                    assertThat(e.input()).isEqualTo("locks/prune");
                    assertThat(e.getMessage()).startsWith("Cannot restore now: ").contains("other-host", "exclusive");
                });
        assertThat(tmp.resolve("refused")).doesNotExist();
        store.delete("locks/prune");

        SnapshotStore readOnly = new ForwardingStore(store) {
            @Override
            public Optional<ObjectInfo> putIfAbsent(String key, byte[] data) {
                throw new DrException(ErrorCode.ACCESS_DENIED, "Access denied writing " + key, key);
            }
        };
        try (Repository reader = Repository.open(readOnly, "pw".toCharArray(),
                RepositoryTest.fastOptions().clock(clock).build())) {
            reader.restore("latest", tmp.resolve("out"), RestoreOptions.all());
            // without a lock of its own, it still does not read while a prune holds the repository
            store.put("locks/prune", lockJson(true, clock.instant().plus(Duration.ofMinutes(10)))
                    .getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> reader.restore("latest", tmp.resolve("refused-too"), RestoreOptions.all()))
                    .isInstanceOfSatisfying(DrException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.LOCKED);
                        assertThat(e.input()).isEqualTo("locks/prune");
                    });
            assertThat(tmp.resolve("refused-too")).doesNotExist();
        }
        assertThat(tmp.resolve("out/db/dump.sql")).hasContent("2024-03-01T10:00:00Z");
    }

    @Test
    void aStaleLockDoesNotBlockPrune() {
        snapshotAt("2024-03-01T10:00:00Z");
        store.put("locks/dead", lockJson(true, clock.instant().minus(Duration.ofMinutes(1)))
                .getBytes(StandardCharsets.UTF_8));
        PruneResult result = repo.prune(PruneOptions.DEFAULT);
        assertThat(result.dryRun()).isFalse();
    }
}
