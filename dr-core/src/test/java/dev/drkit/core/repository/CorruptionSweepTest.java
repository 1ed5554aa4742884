package dev.drkit.core.repository;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.testkit.ManualClock;
import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.backup.RetentionPolicy;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.core.store.SnapshotStores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The corruption sweep: every object of every class (config, key file, snapshot manifests,
 * index files, packs, the history's head and entries) is damaged in turn (bit flips,
 * truncation, zeroed ranges, deletion, two objects of one class swapped, an older version put
 * back); each must be found by opening the repository or by {@code verify} with data reading,
 * naming the object, and no restore may write wrong bytes without failing.
 */
class CorruptionSweepTest {
    static final char[] PASSWORD = "correct horse".toCharArray();
    static final char[] SECOND = "second password".toCharArray();

    @TempDir
    Path tmp;

    final ManualClock clock = ManualClock.at(Instant.parse("2026-11-01T10:00:00Z"));
    /** Every version each key held, oldest first, including deleted objects. */
    final Map<String, List<byte[]>> versions = new HashMap<>();
    /** The expected tree of each live snapshot. */
    final Map<String, Map<String, String>> expected = new LinkedHashMap<>();
    String latest;
    int restores;
    int restoresRefused;

    RepositoryOptions options() {
        return RepositoryTest.fastOptions().clock(clock).build();
    }

    /** Builds the repository: four backups, a forget, a prune and a last backup, recording every write. */
    Map<String, byte[]> buildPristine() throws IOException {
        SnapshotStore store = SnapshotStores.memory();
        SnapshotStore recording = new SnapshotHistoryTest.Delegating(store) {
            @Override
            public ObjectInfo put(String key, byte[] data) {
                record(key, data);
                return super.put(key, data);
            }

            @Override
            public Optional<ObjectInfo> putIfAbsent(String key, byte[] data) {
                Optional<ObjectInfo> written = super.putIfAbsent(key, data);
                written.ifPresent(i -> record(key, data));
                return written;
            }

            @Override
            public Optional<ObjectInfo> replace(String key, byte[] data, String expectedEtag) {
                Optional<ObjectInfo> written = super.replace(key, data, expectedEtag);
                written.ifPresent(i -> record(key, data));
                return written;
            }
        };
        Path src = tmp.resolve("src");
        Files.createDirectories(src.resolve("dir"));
        Random random = new Random(11);
        try (Repository repo = Repository.init(recording, PASSWORD, options())) {
            repo.addKey(SECOND);
            for (int i = 0; i < 4; i++) {
                byte[] data = new byte[150_000];
                random.nextBytes(data);
                Files.write(src.resolve("dir/data-" + i + ".bin"), data);
                Files.writeString(src.resolve("notes.txt"), "version " + i);
                backup(repo, src);
                if (i == 2) {
                    repo.forget(RetentionPolicy.builder().keepLast(2).build(), false);
                    repo.prune(new PruneOptions(Duration.ZERO, 0.2, false));
                    expected.keySet().retainAll(repo.snapshots().stream().map(Snapshot::id).toList());
                }
            }
            assertThat(repo.verify(VerifyOptions.readAllData()).problems()).isEmpty();
        }
        Map<String, byte[]> pristine = new TreeMap<>();
        store.list("").forEach(o -> {
            if (!o.key().startsWith("locks/")) {
                pristine.put(o.key(), store.get(o.key()));
            }
        });
        return pristine;
    }

    private void record(String key, byte[] data) {
        versions.computeIfAbsent(key, k -> new ArrayList<>()).add(data.clone());
    }

    private void backup(Repository repo, Path src) {
        clock.advance(Duration.ofHours(1));
        latest = repo.backup(BackupRequest.of(DirectorySource.of("src", src))).snapshotId();
        expected.put(latest, Trees.describe(src, true));
    }

    static String classOf(String key) {
        if (key.equals("config")) {
            return "config";
        }
        if (key.equals("history/head")) {
            return "history head";
        }
        if (key.startsWith("history/entries/")) {
            return "history entries";
        }
        return key.substring(0, key.indexOf('/'));
    }

    /** One injected corruption: what was done, to which keys, and the change. */
    record Corruption(String kind, List<String> keys, Consumer<SnapshotStore> apply) {
    }

    @Test
    void everyCorruptionOfEveryObjectClassIsFoundAndNamedAndNoRestoreWritesWrongBytes() throws IOException {
        Map<String, byte[]> pristine = buildPristine();
        List<Corruption> corruptions = corruptions(pristine);
        Map<String, int[]> perClass = new TreeMap<>();
        List<String> missed = new ArrayList<>();
        List<String> notedOnly = new ArrayList<>();
        int n = 0;
        for (Corruption c : corruptions) {
            SnapshotStore store = SnapshotStores.memory();
            pristine.forEach(store::put);
            c.apply().accept(store);
            Outcome outcome = check(store, c, n++);
            int[] counts = perClass.computeIfAbsent(classOf(c.keys().get(0)), k -> new int[2]);
            counts[0]++;
            if (outcome == Outcome.NAMED) {
                counts[1]++;
            } else if (outcome == Outcome.NOTED) {
                notedOnly.add(c.kind() + " " + c.keys());
            } else {
                missed.add(c.kind() + " " + c.keys());
            }
        }
        int detected = perClass.values().stream().mapToInt(v -> v[1]).sum();
        StringBuilder table = new StringBuilder("corruption sweep: ").append(corruptions.size())
                .append(" injected, ").append(detected).append(" found and named as problems, ")
                .append(notedOnly.size()).append(" named as notes only; ").append(restores).append(" restores, ")
                .append(restoresRefused).append(" refused, none wrote wrong bytes");
        perClass.forEach((k, v) -> table.append("\n  ").append(k).append(": ").append(v[0]).append(" injected, ")
                .append(v[1]).append(" found"));
        table.append("\n  named as notes only: ").append(notedOnly);
        System.out.println(table);
        assertThat(missed).as(table.toString()).isEmpty();
        // The archived copy of the newest entry is the one object whose deletion loses nothing:
        // the head holds the entry whole, and an interrupted commit leaves the same state.
        assertThat(notedOnly).allMatch(s -> s.startsWith("delete [history/entries/"));
        assertThat(notedOnly).hasSizeLessThanOrEqualTo(1);
        assertThat(perClass.keySet()).containsExactlyInAnyOrder("config", "keys", "snapshots", "index", "data",
                "history head", "history entries");
        assertThat(corruptions.size()).isGreaterThan(150);
    }

    enum Outcome { NAMED, NOTED, MISSED }

    private Outcome check(SnapshotStore store, Corruption c, int n) {
        Repository repo;
        try {
            repo = open(store);
        } catch (DrException e) {
            // Damage found on opening: it must be damage, naming the object.
            boolean named = e.code() == ErrorCode.INTEGRITY && c.keys().stream().anyMatch(k -> e.getMessage()
                    .contains(k) || k.startsWith("keys/") && e.getMessage().contains("keys/"));
            return named ? Outcome.NAMED : Outcome.MISSED;
        }
        try (repo) {
            VerifyReport report;
            try {
                report = repo.verify(VerifyOptions.readAllData());
            } catch (DrException e) {
                return Outcome.MISSED;
            }
            restoreEverything(repo, n);
            if (report.problems().stream().anyMatch(p -> c.keys().contains(p.key()))) {
                return Outcome.NAMED;
            }
            if (report.problems().isEmpty() && report.notes().stream().anyMatch(p -> c.keys().contains(p.key()))) {
                return Outcome.NOTED;
            }
            return Outcome.MISSED;
        }
    }

    /**
     * Opens with the first password; when its key file is gone (a wrong password, as far as the
     * store can tell), an operator who holds the second password opens and verifies.
     */
    private Repository open(SnapshotStore store) {
        try {
            return Repository.open(store, PASSWORD, options());
        } catch (DrException e) {
            if (e.code() != ErrorCode.WRONG_PASSWORD) {
                throw e;
            }
            return Repository.open(store, SECOND, options());
        }
    }

    /** Restores every snapshot and latest: each either fails or equals its source exactly. */
    private void restoreEverything(Repository repo, int n) {
        List<String> ids = new ArrayList<>(expected.keySet());
        ids.add("latest");
        for (String id : ids) {
            Path target = tmp.resolve("restore-" + n + "-" + id);
            restores++;
            try {
                repo.restore(id, target, RestoreOptions.all());
            } catch (DrException e) {
                restoresRefused++;
                continue;
            }
            Map<String, String> want = expected.get(id.equals("latest") ? latest : id);
            assertThat(Trees.describe(target.resolve("src"), true)).as("restore of %s after corruption %d", id, n)
                    .isEqualTo(want);
        }
    }

    private List<Corruption> corruptions(Map<String, byte[]> pristine) {
        List<Corruption> out = new ArrayList<>();
        Random random = new Random(5);
        Map<String, List<String>> byClass = new TreeMap<>();
        for (Map.Entry<String, byte[]> e : pristine.entrySet()) {
            String key = e.getKey();
            byClass.computeIfAbsent(classOf(key), k -> new ArrayList<>()).add(key);
            int len = e.getValue().length;
            List<Integer> flips = new ArrayList<>(List.of(0, len / 2, len - 1));
            for (int i = 0; i < 3; i++) {
                flips.add(random.nextInt(len));
            }
            for (int at : flips) {
                int bit = random.nextInt(8);
                out.add(new Corruption("flip byte " + at + " bit " + bit, List.of(key), s -> {
                    byte[] b = s.get(key);
                    b[at] ^= (byte) (1 << bit);
                    s.put(key, b);
                }));
            }
            for (int keep : new int[] {0, len / 2, len - 1}) {
                out.add(new Corruption("truncate to " + keep, List.of(key),
                        s -> s.put(key, Arrays.copyOf(s.get(key), keep))));
            }
            int from = len / 4;
            int to = Math.min(len, from + 16);
            out.add(new Corruption("zero " + from + ".." + to, List.of(key), s -> {
                byte[] b = s.get(key);
                Arrays.fill(b, from, to, (byte) 0);
                s.put(key, b);
            }));
            out.add(new Corruption("zero all", List.of(key), s -> s.put(key, new byte[len])));
            out.add(new Corruption("delete", List.of(key), s -> s.delete(key)));
            // Older versions of the same key put back (the head), and removed objects put back
            // (a forgotten snapshot, a pruned index file).
            List<byte[]> older = versions.getOrDefault(key, List.of());
            for (int v = 0; v < older.size() - 1; v++) {
                byte[] old = older.get(v);
                if (!Arrays.equals(old, e.getValue())) {
                    out.add(new Corruption("replay version " + v, List.of(key), s -> s.put(key, old)));
                }
            }
        }
        for (Map.Entry<String, List<byte[]>> e : versions.entrySet()) {
            String key = e.getKey();
            if (!pristine.containsKey(key) && (key.startsWith("snapshots/") || key.startsWith("index/"))) {
                byte[] old = e.getValue().get(e.getValue().size() - 1);
                out.add(new Corruption("replay removed", List.of(key), s -> s.put(key, old)));
            }
        }
        for (List<String> keys : byClass.values()) {
            for (int i = 0; i + 1 < keys.size(); i++) {
                String a = keys.get(i);
                String b = keys.get(i + 1);
                out.add(new Corruption("swap", List.of(a, b), s -> {
                    byte[] x = s.get(a);
                    s.put(a, s.get(b));
                    s.put(b, x);
                }));
            }
        }
        return out;
    }
}
