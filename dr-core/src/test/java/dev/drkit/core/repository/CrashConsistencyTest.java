package dev.drkit.core.repository;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.core.store.SnapshotStores;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backup processes killed with SIGKILL at random moments never damage the repository: after
 * each kill the repository verifies with data reading, every snapshot that appeared since the
 * previous kill restores byte-exact, and a backup in this process succeeds. The normal build
 * kills {@value #DEFAULT_KILLS} children; {@code -Ddr.crash.kills=N} kills N (the moments
 * come from {@code -Ddr.crash.seed}, default {@value #DEFAULT_SEED}).
 */
class CrashConsistencyTest {
    static final char[] PASSWORD = "crash".toCharArray();
    static final int DEFAULT_KILLS = 4;
    static final long DEFAULT_SEED = 99;

    @TempDir
    Path tmp;

    @Test
    void killingABackupAtRandomMomentsLeavesEveryCommittedSnapshotRestorable() throws Exception {
        int kills = Integer.getInteger("dr.crash.kills", DEFAULT_KILLS);
        long seed = Long.getLong("dr.crash.seed", DEFAULT_SEED);
        Path repoDir = tmp.resolve("repo");
        Path src = tmp.resolve("src");
        Random random = new Random(seed);
        RepositoryPropertiesTest.generate(src, random, 20);
        for (int i = 0; i < 4; i++) {
            byte[] big = new byte[2_000_000];
            random.nextBytes(big);
            Files.write(src.resolve("big" + i + ".bin"), big);
        }
        Map<String, String> tree = Trees.describe(src, false);
        String first;
        try (SnapshotStore store = SnapshotStores.file(repoDir);
                Repository repo = Repository.init(store, PASSWORD, RepositoryTest.fastOptions().build())) {
            first = repo.backup(BackupRequest.of(DirectorySource.of("src", src))).snapshotId();
        }
        Set<String> checked = new HashSet<>();
        int survived = 0;
        for (int round = 0; round < kills; round++) {
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"),
                    "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                    CrashChild.class.getName(), repoDir.toString(), src.toString())
                    .redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertThat(line).as("child output (seed %d)", seed).isEqualTo("started");
            Thread.sleep(50 + random.nextInt(1500));
            child.destroyForcibly(); // SIGKILL on Linux
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            try (SnapshotStore store = SnapshotStores.file(repoDir);
                    Repository repo = Repository.open(store, PASSWORD, RepositoryTest.fastOptions().build())) {
                VerifyReport report = repo.verify(VerifyOptions.readAllData());
                assertThat(report.problems()).as("verify after kill %d (seed %d)", round + 1, seed).isEmpty();
                List<Snapshot> snapshots = repo.snapshots();
                assertThat(snapshots).extracting(Snapshot::id).contains(first).containsAll(checked);
                for (Snapshot s : snapshots) {
                    if (checked.add(s.id())) {
                        Path restored = tmp.resolve("out-" + s.shortId());
                        repo.restore(s.id(), restored, RestoreOptions.all());
                        assertThat(Trees.describe(restored.resolve("src"), false))
                                .as("snapshot %s after kill %d (seed %d)", s.id(), round + 1, seed).isEqualTo(tree);
                    }
                }
                String next = repo.backup(BackupRequest.of(DirectorySource.of("src", src))).snapshotId();
                assertThat(repo.snapshots()).extracting(Snapshot::id).contains(next);
            }
            survived++;
        }
        System.out.println("SIGKILL trials: " + kills + " backups killed, " + survived
                + " left a repository that verified clean, restored every snapshot and backed up again; "
                + checked.size() + " snapshots restored (seed " + seed + ")");
        assertThat(survived).isEqualTo(kills);
    }
}
