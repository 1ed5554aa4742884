package dev.drkit.core.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.core.store.SnapshotStores;
import dev.drkit.testkit.store.FaultInjectingStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicationTest {
    @TempDir
    Path tmp;

    Path data() throws IOException {
        Path src = tmp.resolve("app");
        Files.createDirectories(src.resolve("conf"));
        Files.writeString(src.resolve("conf/app.properties"), "mode=production\n");
        Files.writeString(src.resolve("state.db"), "rows ".repeat(30_000));
        return src;
    }

    @Test
    void eachBackupIsCopiedToEverySecondary() throws IOException {
        Path src = data();
        try (Repository primary = Repository.init(SnapshotStores.memory(), "p".toCharArray(), CopyTest.options());
                Repository east = Repository.init(SnapshotStores.file(tmp.resolve("east")), "e".toCharArray(),
                        CopyTest.options());
                Repository west = Repository.init(SnapshotStores.memory(), "w".toCharArray(), CopyTest.options())) {
            Replication replication = Replication.of(primary, east, west);

            Replication.Replicated first = replication.backup(BackupRequest.of(DirectorySource.of("app", src)));
            Files.writeString(src.resolve("conf/app.properties"), "mode=maintenance\n");
            Replication.Replicated second = replication.backup(BackupRequest.of(DirectorySource.of("app", src)));

            assertThat(first.replicas()).allMatch(Replication.Outcome::ok).hasSize(2);
            assertThat(second.replicas()).allSatisfy(o -> {
                assertThat(o.result().copied()).containsExactly(second.backup().snapshotId());
                assertThat(o.result().skipped()).containsExactly(first.backup().snapshotId());
            });
            for (Repository secondary : List.of(east, west)) {
                assertThat(secondary.snapshots()).extracting(Snapshot::id)
                        .containsExactly(first.backup().snapshotId(), second.backup().snapshotId());
            }
            assertThat(replication.replicateNew()).allSatisfy(o -> assertThat(o.result().bytesSent()).isZero());
        }
    }

    @Test
    void aFailingSecondaryIsReportedAndCaughtUpLater() throws IOException {
        Path src = data();
        FaultInjectingStore flaky = FaultInjectingStore.wrap(SnapshotStores.memory()).build();
        try (Repository primary = Repository.init(SnapshotStores.memory(), "p".toCharArray(), CopyTest.options());
                Repository healthy = Repository.init(SnapshotStores.memory(), "h".toCharArray(), CopyTest.options());
                Repository offsite = Repository.init(flaky, "o".toCharArray(), CopyTest.options())) {
            Replication replication = Replication.of(primary, offsite, healthy);
            flaky.takeDown();

            Replication.Replicated result = replication.backup(BackupRequest.of(DirectorySource.of("app", src)));

            assertThat(result.replicas().get(0).ok()).isFalse();
            assertThat(result.replicas().get(0).error().code()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(result.replicas().get(1).result().copied()).containsExactly(result.backup().snapshotId());
            flaky.bringUp();
            assertThat(replication.replicateNew().get(0).result().copied())
                    .containsExactly(result.backup().snapshotId());
            assertThat(offsite.verify(VerifyOptions.readAllData()).ok()).isTrue();
        }
    }

    @Test
    void restoreFallsBackToASecondaryWhenThePrimaryIsUnavailable() throws IOException {
        Path src = data();
        FaultInjectingStore primaryStore = FaultInjectingStore.wrap(SnapshotStores.memory()).build();
        FaultInjectingStore firstSecondaryStore = FaultInjectingStore.wrap(SnapshotStores.memory()).build();
        try (Repository primary = Repository.init(primaryStore, "p".toCharArray(), CopyTest.options());
                Repository down = Repository.init(firstSecondaryStore, "d".toCharArray(), CopyTest.options());
                Repository up = Repository.init(SnapshotStores.memory(), "u".toCharArray(), CopyTest.options())) {
            Replication replication = Replication.of(primary, down, up);
            String id = replication.backup(BackupRequest.of(DirectorySource.of("app", src))).backup().snapshotId();
            primaryStore.takeDown();
            firstSecondaryStore.takeDown();

            RestoreResult restored = replication.restore(id, tmp.resolve("out"), RestoreOptions.all());

            assertThat(restored.files()).isEqualTo(2);
            assertThat(Trees.describe(tmp.resolve("out/app"), true)).isEqualTo(Trees.describe(src, true));
        }
    }

    @Test
    void restoreReportsThePrimaryFailureWhenNoRepositoryIsReachable() throws IOException {
        Path src = data();
        FaultInjectingStore primaryStore = FaultInjectingStore.wrap(SnapshotStores.memory()).build();
        FaultInjectingStore secondaryStore = FaultInjectingStore.wrap(SnapshotStores.memory()).build();
        try (Repository primary = Repository.init(primaryStore, "p".toCharArray(), CopyTest.options());
                Repository secondary = Repository.init(secondaryStore, "s".toCharArray(), CopyTest.options())) {
            Replication replication = Replication.of(primary, secondary);
            replication.backup(BackupRequest.of(DirectorySource.of("app", src)));
            primaryStore.takeDown();
            secondaryStore.takeDown();

            assertThatThrownBy(() -> replication.restore("latest", tmp.resolve("out"), RestoreOptions.all()))
                    .isInstanceOf(DrException.class)
                    .satisfies(e -> assertThat(e.getSuppressed()).hasSize(1))
                    .extracting(e -> ((DrException) e).code()).isEqualTo(ErrorCode.UNAVAILABLE);
        }
    }

    @Test
    void aFailureOfTheTargetIsReportedAsItIsWithoutTryingTheSecondaries() throws IOException {
        Path src = data();
        FaultInjectingStore secondaryStore = FaultInjectingStore.wrap(SnapshotStores.memory()).build();
        try (Repository primary = Repository.init(SnapshotStores.memory(), "p".toCharArray(), CopyTest.options());
                Repository secondary = Repository.init(secondaryStore, "s".toCharArray(), CopyTest.options())) {
            Replication replication = Replication.of(primary, secondary);
            String id = replication.backup(BackupRequest.of(DirectorySource.of("app", src))).backup().snapshotId();
            Path file = Files.writeString(tmp.resolve("a-file"), "in the way");
            secondaryStore.takeDown();

            // The target lies below a regular file: the local file system refuses it, whichever repository serves.
            assertThatThrownBy(() -> replication.restore(id, file.resolve("out"), RestoreOptions.all()))
                    .isInstanceOf(DrException.class)
                    .satisfies(e -> assertThat(e.getSuppressed()).as("no secondary was tried").isEmpty())
                    .satisfies(e -> assertThat(e.getMessage()).contains(file.toString()))
                    .extracting(e -> ((DrException) e).code()).isEqualTo(ErrorCode.IO_FAILURE);
            assertThat(file).hasContent("in the way");
        }
    }

    @Test
    void restoreDoesNotHideAMissingSnapshot() {
        try (Repository primary = Repository.init(SnapshotStores.memory(), "p".toCharArray(), CopyTest.options());
                Repository secondary = Repository.init(SnapshotStores.memory(), "s".toCharArray(),
                        CopyTest.options())) {
            assertThatThrownBy(() -> Replication.of(primary, secondary).restore("abcd1234", tmp.resolve("out"),
                    RestoreOptions.all())).isInstanceOf(DrException.class)
                    .extracting(e -> ((DrException) e).code()).isEqualTo(ErrorCode.NOT_FOUND);
        }
    }

    @Test
    void aReplicationNeedsASecondaryOtherThanThePrimary() {
        try (Repository primary = Repository.init(SnapshotStores.memory(), "p".toCharArray(), CopyTest.options())) {
            assertThatThrownBy(() -> Replication.of(primary)).isInstanceOf(DrException.class);
            assertThatThrownBy(() -> Replication.of(primary, primary)).isInstanceOf(DrException.class);
        }
    }
}
