package dev.drkit.core.repository;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.api.backup.RetentionPolicy;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.audit.AuditFilter;
import dev.drkit.core.audit.AuditLog;
import dev.drkit.core.audit.AuditLogConfig;
import dev.drkit.core.audit.AuditRecord;
import dev.drkit.core.audit.AuditVerification;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.testkit.ManualClock;
import dev.drkit.testkit.store.CrashPoint;
import dev.drkit.testkit.store.CrashingStore;
import dev.drkit.testkit.store.InMemoryStore;
import dev.drkit.testkit.store.SimulatedCrash;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash sweep: each operation that changes a repository or the audit log is stopped at
 * every one of its mutations in turn, before the mutation reaches the store and right after it
 * did ({@link CrashingStore}). After each stop, the store is opened as the next process would
 * open it, later than the stopped process's lock expires, and must hold a repository that
 * verifies with data reading without a problem, every snapshot it lists must restore
 * byte-exact to the tree it was taken of, no snapshot committed before the operation may be
 * missing unless the operation removes it, and the next operation must succeed.
 *
 * <p>Mutations are counted with one backup thread, so that every run of an operation makes
 * the same mutations in the same order and each crash point is reached. The figures
 * (crash points covered and survived per operation) are printed for {@code RELIABILITY.md}.
 */
class CrashSweepTest {
    private static final char[] PASSWORD = "crash-sweep".toCharArray();
    private static final char[] SECOND = "second-password".toCharArray();
    private static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");
    /** The next process starts after the stopped one's lock expired. */
    private static final Duration RESTART_AFTER = Duration.ofMinutes(31);
    private static final Map<String, String> FIGURES = new TreeMap<>();

    @TempDir
    static Path tmp;

    /** The tree each tagged snapshot was taken of. */
    private static final Map<String, Map<String, String>> TREES = new HashMap<>();
    private static final Map<String, Path> SOURCES = new HashMap<>();

    @BeforeAll
    static void sources() throws IOException {
        byte[] shared = new byte[300_000];
        new Random(1).nextBytes(shared);
        for (int v = 1; v <= 3; v++) {
            Path src = tmp.resolve("v" + v);
            RepositoryPropertiesTest.generate(src, new Random(10 + v), 8);
            Files.write(src.resolve("shared.bin"), shared);
            byte[] own = new byte[200_000];
            new Random(20 + v).nextBytes(own);
            Files.write(src.resolve("own.bin"), own);
            SOURCES.put("v" + v, src);
            TREES.put("v" + v, Trees.describe(src, false));
        }
    }

    @AfterAll
    static void printFigures() {
        FIGURES.forEach((op, figure) -> System.out.println("crash sweep: " + op + ": " + figure));
    }

    // ------------------------------------------------------------------ the world of one process

    /** The objects of a store, to start every crash point from the same state. */
    record Image(Map<String, byte[]> objects) {
        static Image of(SnapshotStore store) {
            Map<String, byte[]> out = new LinkedHashMap<>();
            store.list("").map(ObjectInfo::key).forEach(k -> out.put(k, store.get(k)));
            return new Image(out);
        }

        InMemoryStore materialize(ManualClock clock) {
            InMemoryStore store = new InMemoryStore("crash-sweep", clock);
            objects.forEach(store::put);
            return store;
        }
    }

    /** The stores and clock of one run: the repository's store and a copy destination. */
    record World(SnapshotStore main, SnapshotStore other, ManualClock clock) {
        RepositoryOptions options() {
            return RepositoryTest.fastOptions().threads(1).clock(clock).build();
        }

        Repository open() {
            return Repository.open(main, PASSWORD, options());
        }

        Repository openOther() {
            return Repository.open(other, PASSWORD, options());
        }
    }

    @FunctionalInterface
    interface Step {
        void run(World world) throws Exception;
    }

    /** What was true before the operation, for the checks after a crash. */
    record Before(Set<String> snapshots, Set<String> otherSnapshots) {
    }

    /**
     * Sweeps one operation: counts its mutations, then stops it at each, before and after.
     *
     * @param name the operation's name in the figures
     * @param base the state before the operation (main and other store)
     * @param operation the operation, run on crashing stores
     * @param check the checks on the stores after a crash (the next process)
     * @return the failures, one line each
     */
    private static List<String> sweep(String name, Image[] base, Step operation, Step check) throws Exception {
        CrashPoint counting = CrashPoint.never();
        World countingWorld = world(base, counting);
        operation.run(countingWorld);
        long mutations = counting.mutations();
        assertThat(mutations).as("mutations of %s", name).isPositive();
        check.run(new World(countingWorld.main, countingWorld.other, countingWorld.clock)); // the check holds without a crash
        List<String> failures = new ArrayList<>();
        int covered = 0;
        int survived = 0;
        for (long k = 1; k <= mutations; k++) {
            for (CrashPoint.Moment moment : CrashPoint.Moment.values()) {
                CrashPoint point = CrashPoint.at(k, moment);
                ManualClock clock = ManualClock.at(T0.plus(Duration.ofDays(1)));
                InMemoryStore main = base[0].materialize(clock);
                InMemoryStore other = base[1].materialize(clock);
                World crashing = new World(new CrashingStore(main, point), new CrashingStore(other, point), clock);
                Throwable stopped = null;
                try {
                    operation.run(crashing);
                } catch (Throwable t) {
                    stopped = t;
                }
                covered++;
                if (!point.crashed()) {
                    failures.add(name + " " + point + ": the operation made only " + point.mutations()
                            + " mutations; outcome " + stopped);
                    continue;
                }
                if (stopped == null) {
                    failures.add(name + " " + point + ": the operation reported success although its process stopped");
                    continue;
                }
                clock.advance(RESTART_AFTER);
                try {
                    check.run(new World(main, other, clock));
                    survived++;
                } catch (Throwable t) {
                    failures.add(name + " " + point + ": " + t);
                }
            }
        }
        FIGURES.put(name, mutations + " mutations, " + covered + " crash points covered, " + survived + " survived");
        return failures;
    }

    private static World world(Image[] base, CrashPoint point) {
        ManualClock clock = ManualClock.at(T0.plus(Duration.ofDays(1)));
        return new World(new CrashingStore(base[0].materialize(clock), point),
                new CrashingStore(base[1].materialize(clock), point), clock);
    }

    // ------------------------------------------------------------------ checks shared by the operations

    private static Path restoreDir(String label) throws IOException {
        return Files.createTempDirectory(Files.createDirectories(tmp.resolve("restores")), label);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /**
     * The repository verifies with data reading, and every snapshot restores to its tree.
     *
     * @return the ids of the listed snapshots
     */
    static Set<String> verifyAndRestoreAll(Repository repo) throws IOException {
        VerifyReport report = repo.verify(VerifyOptions.readAllData());
        if (!report.ok()) {
            throw new AssertionError("verify found problems: " + report.problems());
        }
        for (Snapshot s : repo.snapshots()) {
            String tag = s.tags().stream().filter(TREES::containsKey).findFirst()
                    .orElseThrow(() -> new AssertionError("snapshot " + s.id() + " has no known tree: " + s.tags()));
            Path out = restoreDir("r");
            try {
                repo.restore(s.id(), out, RestoreOptions.all());
                Map<String, String> restored = Trees.describe(out.resolve("src"), false);
                if (!restored.equals(TREES.get(tag))) {
                    throw new AssertionError("snapshot " + s.id() + " (" + tag + ") restored other bytes");
                }
            } finally {
                deleteTree(out);
            }
        }
        return repo.snapshots().stream().map(Snapshot::id).collect(Collectors.toSet());
    }

    private static void requireContains(Set<String> listed, Set<String> committed, String what) {
        if (!listed.containsAll(committed)) {
            throw new AssertionError(what + " lost committed snapshots: listed " + listed + ", committed " + committed);
        }
    }

    static void backup(Repository repo, String version) {
        repo.backup(BackupRequest.builder().source(DirectorySource.of("src", SOURCES.get(version))).tags(version).build());
    }

    private static Image[] base(Step setup) throws Exception {
        ManualClock clock = ManualClock.at(T0);
        InMemoryStore main = new InMemoryStore("crash-sweep", clock);
        InMemoryStore other = new InMemoryStore("crash-sweep-other", clock);
        setup.run(new World(main, other, clock));
        return new Image[] {Image.of(main), Image.of(other)};
    }

    private static Set<String> snapshotIds(Image image) {
        if (image.objects().isEmpty()) {
            return Set.of();
        }
        ManualClock clock = ManualClock.at(T0);
        try (Repository repo = Repository.open(image.materialize(clock), PASSWORD,
                RepositoryTest.fastOptions().clock(clock).build())) {
            return repo.snapshots().stream().map(Snapshot::id).collect(Collectors.toSet());
        }
    }

    /** A repository with snapshots of v1 and v2. */
    private static Image[] twoSnapshots() throws Exception {
        return base(w -> {
            try (Repository repo = Repository.init(w.main(), PASSWORD, w.options())) {
                backup(repo, "v1");
                w.clock().advance(Duration.ofHours(1));
                backup(repo, "v2");
            }
        });
    }

    // ------------------------------------------------------------------ the operations

    @Test
    void aBackupStoppedAtAnyMutationLeavesACleanRepositoryAndTheNextBackupSucceeds() throws Exception {
        Image[] base = twoSnapshots();
        Set<String> committed = snapshotIds(base[0]);
        List<String> failures = sweep("backup", base, w -> {
            try (Repository repo = w.open()) {
                backup(repo, "v3");
            }
        }, w -> {
            try (Repository repo = w.open()) {
                requireContains(verifyAndRestoreAll(repo), committed, "backup");
                backup(repo, "v3");
                requireContains(verifyAndRestoreAll(repo), committed, "the next backup");
            }
        });
        assertThat(failures).isEmpty();
    }

    @Test
    void aPruneStoppedAtAnyMutationLeavesACleanRepositoryAndTheNextPruneSucceeds() throws Exception {
        Image[] base = base(w -> {
            try (Repository repo = Repository.init(w.main(), PASSWORD, w.options())) {
                backup(repo, "v1");
                w.clock().advance(Duration.ofHours(1));
                backup(repo, "v2");
                w.clock().advance(Duration.ofHours(1));
                backup(repo, "v3");
                repo.forget(RetentionPolicy.builder().keepLast(1).build(), false);
            }
        });
        Set<String> committed = snapshotIds(base[0]);
        PruneOptions prune = new PruneOptions(Duration.ZERO, 0.2, false);
        List<String> failures = sweep("prune", base, w -> {
            try (Repository repo = w.open()) {
                repo.prune(prune);
            }
        }, w -> {
            try (Repository repo = w.open()) {
                requireContains(verifyAndRestoreAll(repo), committed, "prune");
                repo.prune(prune);
                requireContains(verifyAndRestoreAll(repo), committed, "the next prune");
                backup(repo, "v1");
            }
        });
        assertThat(failures).isEmpty();
    }

    @Test
    void aForgetStoppedAtAnyMutationKeepsWhatTheRuleKeepsAndTheNextForgetSucceeds() throws Exception {
        Image[] base = base(w -> {
            try (Repository repo = Repository.init(w.main(), PASSWORD, w.options())) {
                for (String v : List.of("v1", "v2", "v3")) {
                    backup(repo, v);
                    w.clock().advance(Duration.ofHours(1));
                }
            }
        });
        RetentionPolicy keepOne = RetentionPolicy.builder().keepLast(1).build();
        List<String> failures = sweep("forget", base, w -> {
            try (Repository repo = w.open()) {
                repo.forget(keepOne, false);
            }
        }, w -> {
            try (Repository repo = w.open()) {
                Set<String> listed = verifyAndRestoreAll(repo);
                if (repo.snapshots().stream().noneMatch(s -> s.tags().contains("v3"))) {
                    throw new AssertionError("the kept snapshot v3 is gone: " + listed);
                }
                repo.forget(keepOne, false);
                assertThat(verifyAndRestoreAll(repo)).hasSize(1);
            }
        });
        assertThat(failures).isEmpty();
    }

    @Test
    void aCopyStoppedAtAnyMutationLeavesBothRepositoriesCleanAndTheNextCopySucceeds() throws Exception {
        Image[] base = base(w -> {
            try (Repository repo = Repository.init(w.main(), PASSWORD, w.options());
                    Repository dest = Repository.init(w.other(), PASSWORD, w.options())) {
                backup(repo, "v1");
                w.clock().advance(Duration.ofHours(1));
                backup(repo, "v2");
                repo.copyTo(dest, List.of(repo.snapshots().get(0).id()));
                w.clock().advance(Duration.ofHours(1));
                backup(repo, "v3");
            }
        });
        Set<String> source = snapshotIds(base[0]);
        Set<String> copiedBefore = snapshotIds(base[1]);
        List<String> failures = sweep("copy", base, w -> {
            try (Repository repo = w.open(); Repository dest = w.openOther()) {
                repo.copyTo(dest, List.of());
            }
        }, w -> {
            try (Repository repo = w.open(); Repository dest = w.openOther()) {
                requireContains(verifyAndRestoreAll(repo), source, "copy (source)");
                requireContains(verifyAndRestoreAll(dest), copiedBefore, "copy (destination)");
                repo.copyTo(dest, List.of());
                assertThat(verifyAndRestoreAll(dest)).isEqualTo(source);
            }
        });
        assertThat(failures).isEmpty();
    }

    /** Every key listed opens the repository with its password. */
    private static void everyKeyOpens(World w, Map<String, char[]> passwords) {
        try (Repository repo = w.open()) {
            for (KeyInfo key : repo.keys()) {
                boolean opens = passwords.values().stream().anyMatch(p -> {
                    try (Repository other = Repository.open(w.main(), p, w.options())) {
                        return other.keys().stream().anyMatch(k -> k.current() && k.id().equals(key.id()));
                    } catch (DrException e) {
                        if (e.code() == ErrorCode.WRONG_PASSWORD) {
                            return false;
                        }
                        throw e;
                    }
                });
                if (!opens) {
                    throw new AssertionError("key " + key.id() + " is listed but no password opens it");
                }
            }
        }
    }

    @Test
    void addingAKeyStoppedAtAnyMutationLeavesEveryListedKeyOpeningAndTheNextAddSucceeds() throws Exception {
        Image[] base = twoSnapshots();
        Set<String> committed = snapshotIds(base[0]);
        Map<String, char[]> passwords = Map.of("first", PASSWORD, "second", SECOND);
        List<String> failures = sweep("key add", base, w -> {
            try (Repository repo = w.open()) {
                repo.addKey(SECOND);
            }
        }, w -> {
            try (Repository repo = w.open()) {
                requireContains(verifyAndRestoreAll(repo), committed, "key add");
            }
            everyKeyOpens(w, passwords);
            try (Repository repo = w.open()) {
                repo.addKey(SECOND);
                requireContains(verifyAndRestoreAll(repo), committed, "the next key add");
            }
            try (Repository repo = Repository.open(w.main(), SECOND, w.options())) {
                assertThat(repo.snapshots()).hasSizeGreaterThanOrEqualTo(committed.size());
            }
        });
        assertThat(failures).isEmpty();
    }

    @Test
    void removingAKeyStoppedAtAnyMutationLeavesTheOtherKeyOpeningAndTheNextRemovalSucceeds() throws Exception {
        String[] secondId = new String[1];
        Image[] base = base(w -> {
            try (Repository repo = Repository.init(w.main(), PASSWORD, w.options())) {
                backup(repo, "v1");
                secondId[0] = repo.addKey(SECOND);
                backup(repo, "v2");
            }
        });
        Set<String> committed = snapshotIds(base[0]);
        List<String> failures = sweep("key remove", base, w -> {
            try (Repository repo = w.open()) {
                repo.removeKey(secondId[0]);
            }
        }, w -> {
            try (Repository repo = w.open()) {
                requireContains(verifyAndRestoreAll(repo), committed, "key remove");
            }
            everyKeyOpens(w, Map.of("first", PASSWORD, "second", SECOND));
            try (Repository repo = w.open()) {
                if (repo.keys().stream().anyMatch(k -> k.id().equals(secondId[0]))) {
                    repo.removeKey(secondId[0]);
                }
                assertThat(repo.keys()).extracting(KeyInfo::id).doesNotContain(secondId[0]);
                backup(repo, "v3");
                requireContains(verifyAndRestoreAll(repo), committed, "the next operation after a key removal");
            }
        });
        assertThat(failures).isEmpty();
    }

    // ------------------------------------------------------------------ the audit log

    private static final AuditLogConfig AUDIT = AuditLogConfig.builder().digestEvery(3).storeSegmentRecords(4)
            .hmacKey("audit-key".getBytes(StandardCharsets.UTF_8)).build();
    private static final int APPENDS = 6;

    private static AuditEvent event(int i) {
        return new AuditEvent(T0.plusSeconds(i), "operator", "restore", "snapshot-" + i, AuditOutcome.SUCCESS,
                Map.of("n", Integer.toString(i)));
    }

    /**
     * Appends, flushing after every second record. A record counts as kept once a flush after
     * it returned: until then a store log holds it in memory (up to
     * {@link AuditLogConfig#storeSegmentRecords()} records), and a crash loses it by design.
     */
    @Test
    void anAuditAppendStoppedAtAnyMutationKeepsEveryFlushedRecordAndAWholeChain() throws Exception {
        Image[] base = base(w -> {
            try (AuditLog log = AuditLog.store(w.main(), "audit", AUDIT)) {
                for (int i = 0; i < 5; i++) {
                    log.record(event(i));
                }
            }
        });
        List<String> acknowledged = new ArrayList<>();
        List<String> failures = sweep("audit append", base, w -> {
            acknowledged.clear();
            AuditLog log = AuditLog.store(w.main(), "audit", AUDIT);
            List<String> appended = new ArrayList<>();
            for (int i = 100; i < 100 + APPENDS; i++) {
                log.record(event(i));
                appended.add("snapshot-" + i);
                if (i % 2 == 1) {
                    log.flush(); // a store log keeps records in memory until a flush or a full segment
                    acknowledged.clear();
                    acknowledged.addAll(appended);
                }
            }
            log.close();
        }, w -> {
            try (AuditLog log = AuditLog.store(w.main(), "audit", AUDIT)) {
                AuditVerification v = log.verify();
                if (!v.intact()) {
                    throw new AssertionError("the chain is broken: " + v.problem());
                }
                List<String> targets = log.records(AuditFilter.all()).stream().map(AuditRecord::target).toList();
                if (!targets.containsAll(acknowledged)) {
                    throw new AssertionError("acknowledged records lost: " + acknowledged + " not all in " + targets);
                }
                log.record(event(999));
                v = log.verify();
                if (!v.intact()) {
                    throw new AssertionError("the chain is broken after the next append: " + v.problem());
                }
            }
        });
        assertThat(failures).isEmpty();
    }
}
