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
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A backup process killed with SIGKILL at random moments never damages the repository. */
class CrashConsistencyTest {
    static final char[] PASSWORD = "crash".toCharArray();
    private static final long SEED = 99;

    @TempDir
    Path tmp;

    @Test
    void killingABackupAtRandomMomentsLeavesEveryCommittedSnapshotRestorable() throws Exception {
        Path repoDir = tmp.resolve("repo");
        Path src = tmp.resolve("src");
        Random random = new Random(SEED);
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
        for (int round = 0; round < 4; round++) {
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"),
                    "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                    CrashChild.class.getName(), repoDir.toString(), src.toString())
                    .redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertThat(line).as("child output (seed %d)", SEED).isEqualTo("started");
            Thread.sleep(50 + random.nextInt(1500));
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        try (SnapshotStore store = SnapshotStores.file(repoDir);
                Repository repo = Repository.open(store, PASSWORD, RepositoryTest.fastOptions().build())) {
            VerifyReport report = repo.verify(VerifyOptions.readAllData());
            assertThat(report.problems()).as("verify after kills (seed %d)", SEED).isEmpty();
            List<Snapshot> snapshots = repo.snapshots();
            assertThat(snapshots).extracting(Snapshot::id).contains(first);
            for (Snapshot s : snapshots) {
                Path out = tmp.resolve("out-" + s.shortId());
                repo.restore(s.id(), out, RestoreOptions.all());
                assertThat(Trees.describe(out.resolve("src"), false)).as("snapshot %s (seed %d)", s.id(), SEED)
                        .isEqualTo(tree);
            }
        }
    }
}
