package dev.drkit.core.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.BackupRequest;
import dev.drkit.core.repository.KdfParams;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.core.repository.Snapshot;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.core.store.SnapshotStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestorersTest {
    @TempDir
    Path dir;

    @Test
    void theRestoreStepRestoresTheLatestSnapshotLiveAndIntoScratchInADrill() throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        Files.writeString(data.resolve("orders.csv"), "1,paid\n2,shipped\n");
        SnapshotStore store = SnapshotStores.memory();
        char[] password = "correct horse".toCharArray();
        RepositoryOptions options = RepositoryOptions.builder().kdf(new KdfParams(256, 1, 1)).build();
        try (Repository repo = Repository.init(store, password, options);
                RecoveryExecutor executor = RecoveryExecutor.builder().pollInterval(Duration.ofMillis(1)).build()) {
            Snapshot snap = repo.backup(BackupRequest.of(DirectorySource.of("orders", data))).snapshot();
            Files.writeString(data.resolve("orders.csv"), "garbage");
            Path target = dir.resolve("restored");
            Plan plan = Plan.builder("restore").objectives(Duration.ofHours(1), Duration.ofHours(1))
                    .step("restore", Steps.restore("the latest orders snapshot",
                            Restorers.fromRepository(repo, "latest", target, dir.resolve("scratch"))))
                    .build();

            ExecutionResult drill = executor.run(plan, ExecutionRequest.drill().withId("d1"), Duration.ofMinutes(1));
            assertThat(drill.succeeded()).as(drill.reason()).isTrue();
            assertThat(target).doesNotExist();
            assertThat(dir.resolve("scratch/d1/orders/orders.csv")).hasContent("1,paid\n2,shipped\n");
            // decrypted backup data: only its owner may read the drill's directory, which the drill deletes after
            assertThat(Files.getPosixFilePermissions(dir.resolve("scratch/d1")))
                    .isEqualTo(PosixFilePermissions.fromString("rwx------"));
            assertThat(drill.step("restore").orElseThrow().notes()).anyMatch(n -> n.contains(" into "
                    + Restorers.drillDirectory(dir.resolve("scratch"), "d1") + ":"));
            Files.setPosixFilePermissions(dir.resolve("scratch/d1/orders"), PosixFilePermissions.fromString("r-x------"));
            assertThat(Restorers.removeDrillDirectory(dir.resolve("scratch"), "d1")).isTrue();
            assertThat(dir.resolve("scratch/d1")).doesNotExist();
            assertThat(dir.resolve("scratch")).exists();
            assertThat(Restorers.removeDrillDirectory(dir.resolve("scratch"), "d1")).isFalse();

            ExecutionResult live = executor.run(plan, ExecutionRequest.live(), Duration.ofMinutes(1));
            assertThat(live.succeeded()).as(live.reason()).isTrue();
            assertThat(target.resolve("orders/orders.csv")).hasContent("1,paid\n2,shipped\n");
            assertThat(live.restoredDataAsOf()).isEqualTo(snap.time());
            assertThat(live.step("restore").orElseThrow().notes()).anyMatch(n -> n.contains("restored snapshot "
                    + snap.shortId()));
        }
    }

    @Test
    void aLiveRestoreIntoTheSourceDirectoryItselfIsRefusedNamingItsParentAndItsParentRestoresInPlace()
            throws Exception {
        Path orders = Files.createDirectories(dir.resolve("lib/orders"));
        Files.writeString(orders.resolve("orders.csv"), "1,paid\n");
        SnapshotStore store = SnapshotStores.memory();
        RepositoryOptions options = RepositoryOptions.builder().kdf(new KdfParams(256, 1, 1)).build();
        try (Repository repo = Repository.init(store, "pw".toCharArray(), options);
                RecoveryExecutor executor = RecoveryExecutor.builder().pollInterval(Duration.ofMillis(1)).build()) {
            repo.backup(BackupRequest.of(DirectorySource.of(orders))).snapshot();
            Files.writeString(orders.resolve("orders.csv"), "garbage");

            Plan wrong = Plan.builder("restore").objectives(Duration.ofHours(1), Duration.ofHours(1))
                    .step("restore", Steps.restore("orders", Restorers.fromRepository(repo, "latest", orders,
                            dir.resolve("scratch"))))
                    .build();
            ExecutionResult refused = executor.run(wrong, ExecutionRequest.live(), Duration.ofMinutes(1));
            assertThat(refused.succeeded()).isFalse();
            assertThat(refused.reason() + " " + refused.step("restore").orElseThrow().error())
                    .contains("is the directory of source 'orders' itself").contains("pass its parent "
                            + dir.resolve("lib"));
            assertThat(orders.resolve("orders")).doesNotExist();

            Plan right = Plan.builder("restore").objectives(Duration.ofHours(1), Duration.ofHours(1))
                    .step("restore", Steps.restore("orders", Restorers.fromRepository(repo, "latest",
                            dir.resolve("lib"), dir.resolve("scratch"))))
                    .build();
            ExecutionResult live = executor.run(right, ExecutionRequest.live(), Duration.ofMinutes(1));
            assertThat(live.succeeded()).as(live.reason()).isTrue();
            assertThat(orders.resolve("orders.csv")).hasContent("1,paid\n");
        }
    }
}
