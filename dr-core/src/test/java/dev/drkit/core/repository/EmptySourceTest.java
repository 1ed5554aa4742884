package dev.drkit.core.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.backup.BackupKind;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.core.store.SnapshotStores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source that comes out empty where the previous snapshot held entries (a volume that did not
 * mount) is refused unless allowed, so that retention cannot put an empty snapshot in the place
 * of the good ones.
 */
class EmptySourceTest {
    @TempDir
    Path tmp;

    private Repository init() {
        return Repository.init(SnapshotStores.memory(), "pw".toCharArray(), RepositoryTest.fastOptions().build());
    }

    private Path orders() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("orders"));
        for (int i = 0; i < 3; i++) {
            Files.writeString(dir.resolve("order-" + i + ".json"), "{\"id\":" + i + "}");
        }
        return dir;
    }

    private static void empty(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
    }

    @Test
    void aSourceEmptiedSinceThePreviousSnapshotIsRefusedNamingItAndNothingIsSaved() throws IOException {
        Path orders = orders();
        Path other = Files.createDirectories(tmp.resolve("other"));
        Files.writeString(other.resolve("x"), "x");
        try (Repository repo = init()) {
            BackupResult good = repo.backup(BackupRequest.of(DirectorySource.of("orders", orders),
                    DirectorySource.of("other", other)));
            empty(orders);

            for (BackupKind kind : BackupKind.values()) {
                assertThatThrownBy(() -> repo.backup(BackupRequest.builder().source(DirectorySource.of("orders", orders))
                        .source(DirectorySource.of("other", other)).kind(kind).build()))
                        .as(kind.toString())
                        .isInstanceOfSatisfying(DrException.class, e -> {
                            assertThat(e.code()).isEqualTo(ErrorCode.PRECONDITION_FAILED);
                            assertThat(e.input()).isEqualTo("orders");
                            assertThat(e.getMessage()).startsWith("Source 'orders' is empty, while snapshot "
                                    + good.snapshot().shortId() + " of " + good.snapshot().time()
                                    + " held 3 top-level entries in it: nothing was saved.")
                                    .contains("allowEmptySources");
                        });
            }
            assertThat(repo.snapshots()).extracting(Snapshot::id).containsExactly(good.snapshotId());
            assertThat(repo.verify(VerifyOptions.structure()).ok()).isTrue();

            BackupResult allowed = repo.backup(BackupRequest.builder().source(DirectorySource.of("orders", orders))
                    .source(DirectorySource.of("other", other)).allowEmptySources(true).build());
            assertThat(allowed.snapshot().files()).isEqualTo(1);
            // Empty before and empty now: nothing to protect.
            BackupResult again = repo.backup(BackupRequest.of(DirectorySource.of("orders", orders),
                    DirectorySource.of("other", other)));
            assertThat(again.snapshot().files()).isEqualTo(1);
        }
    }

    @Test
    void aFirstBackupOfAnEmptyDirectoryAndOneOfAnotherHostAreSaved() throws IOException {
        Path orders = orders();
        try (Repository repo = init()) {
            Path fresh = Files.createDirectories(tmp.resolve("fresh"));
            assertThat(repo.backup(BackupRequest.of(DirectorySource.of("fresh", fresh))).snapshot().files()).isZero();

            repo.backup(BackupRequest.builder().source(DirectorySource.of("orders", orders)).host("db-1").build());
            empty(orders);
            BackupResult otherHost = repo.backup(BackupRequest.builder().source(DirectorySource.of("orders", orders))
                    .host("db-2").build());
            assertThat(otherHost.snapshot().files()).isZero();
            assertThatThrownBy(() -> repo.backup(BackupRequest.builder().source(DirectorySource.of("orders", orders))
                    .host("db-1").build())).isInstanceOfSatisfying(DrException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.PRECONDITION_FAILED));
        }
    }

    @Test
    void aSourceThatNowHoldsOnlyADirectoryIsNotEmpty() throws IOException {
        Path orders = orders();
        try (Repository repo = init()) {
            repo.backup(BackupRequest.of(DirectorySource.of("orders", orders)));
            empty(orders);
            Path sub = Files.createDirectories(orders.resolve("locked"));
            Files.writeString(sub.resolve("f"), "f");
            BackupResult result = repo.backup(BackupRequest.of(DirectorySource.of("orders", orders)));
            assertThat(result.snapshot().files()).isEqualTo(1);
        }
    }
}
