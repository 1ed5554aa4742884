package dev.drkit.core.repository;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.backup.RetentionPolicy;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.core.store.SnapshotStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Repository#progress()} counts the files and bytes of each long operation. */
class RepositoryProgressTest {
    @TempDir
    Path dir;

    @Test
    void eachOperationCountsItsFilesAndBytesAgainstItsTotals() throws Exception {
        Path data = Files.createDirectories(dir.resolve("orders"));
        for (int i = 0; i < 5; i++) {
            Files.write(data.resolve("part-" + i), new byte[10_000 * (i + 1)]);
        }
        long size = 10_000L * (1 + 2 + 3 + 4 + 5);
        try (Repository repo = Repository.init(SnapshotStores.memory(), "pw".toCharArray(),
                RepositoryOptions.builder().kdf(new KdfParams(1024, 1, 1)).build());
                Repository copy = Repository.init(SnapshotStores.memory(), "pw".toCharArray(),
                        RepositoryOptions.builder().kdf(new KdfParams(1024, 1, 1)).build())) {
            assertThat(repo.progress()).isEmpty();

            repo.backup(BackupRequest.builder().source(DirectorySource.of("orders", data)).build());
            Progress backup = repo.progress().orElseThrow();
            assertThat(backup).extracting(Progress::operation, Progress::files, Progress::filesTotal, Progress::bytes,
                    Progress::bytesTotal, Progress::totalsFinal, Progress::finished)
                    .containsExactly("backup", 5L, 5L, size, size, false, true);
            assertThat(backup.fraction()).isEqualTo(1.0);
            assertThat(backup.eta()).contains(Duration.ZERO);

            Files.write(data.resolve("part-0"), new byte[20_000]);
            repo.backup(BackupRequest.builder().source(DirectorySource.of("orders", data)).build());
            assertThat(repo.progress().orElseThrow()).extracting(Progress::files, Progress::bytes)
                    .as("unchanged files count as done").containsExactly(5L, size + 10_000);

            repo.restore("latest", dir.resolve("restored"), RestoreOptions.all());
            assertThat(repo.progress().orElseThrow()).extracting(Progress::operation, Progress::files,
                    Progress::filesTotal, Progress::bytes, Progress::bytesTotal, Progress::totalsFinal)
                    .containsExactly("restore", 5L, 5L, size + 10_000, size + 10_000, true);

            repo.verify(VerifyOptions.readAllData());
            Progress verify = repo.progress().orElseThrow();
            assertThat(verify.operation()).isEqualTo("verify");
            assertThat(verify.files()).isPositive().isEqualTo(verify.filesTotal());
            assertThat(verify.bytes()).isPositive().isEqualTo(verify.bytesTotal());

            repo.copyTo(copy, List.of());
            assertThat(repo.progress().orElseThrow()).extracting(Progress::operation, Progress::files,
                    Progress::filesTotal).containsExactly("copy", 2L, 2L);

            repo.forget(RetentionPolicy.builder().keepLast(1).build(), false);
            repo.prune(new PruneOptions(Duration.ZERO, 0.0, false));
            Progress prune = repo.progress().orElseThrow();
            assertThat(prune.operation()).isEqualTo("prune");
            assertThat(prune.files()).isEqualTo(prune.filesTotal());
            assertThat(prune.finished()).isTrue();
        }
    }

    @Test
    void aProgressPartlyDoneEstimatesTheTimeLeftAtTheRateSoFar() {
        Progress p = new Progress("restore", 1, 4, 250, 1000, true, Duration.ofSeconds(10), false);
        assertThat(p.fraction()).isEqualTo(0.25);
        assertThat(p.bytesPerSecond()).isEqualTo(25.0);
        assertThat(p.eta()).contains(Duration.ofSeconds(30));
        assertThat(new Progress("backup", 0, 0, 0, 0, false, Duration.ofSeconds(1), false).eta())
                .isEqualTo(Optional.empty());
    }
}
