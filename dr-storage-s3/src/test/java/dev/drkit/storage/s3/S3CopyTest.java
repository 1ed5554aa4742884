package dev.drkit.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.BackupRequest;
import dev.drkit.core.repository.CopyResult;
import dev.drkit.core.repository.KdfParams;
import dev.drkit.core.repository.Replication;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.core.repository.RestoreOptions;
import dev.drkit.core.repository.VerifyOptions;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.core.store.SnapshotStores;
import dev.drkit.test.store.RepositoryEndToEndContract;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Copies from a file repository into an S3 repository served by S3Proxy, and back out of it. */
@ExtendWith(S3ProxyExtension.class)
class S3CopyTest {
    private final S3ProxyServer server;

    @TempDir
    Path tmp;

    S3CopyTest(S3ProxyServer server) {
        this.server = server;
    }

    private static RepositoryOptions options() {
        return RepositoryOptions.builder().kdf(new KdfParams(256, 1, 1)).chunkSizes(4096, 16384, 65536)
                .packSize(256 * 1024).threads(2).host("copy").build();
    }

    @Test
    void snapshotsCopiedIntoS3RestoreByteForByteAndASecondCopySendsNothing() throws IOException {
        Path source = RepositoryEndToEndContract.tree(tmp.resolve("src"), 5);
        try (SnapshotStore fileStore = SnapshotStores.file(tmp.resolve("local"));
                SnapshotStore s3 = server.newStore();
                Repository local = Repository.init(fileStore, "local secret".toCharArray(), options());
                Repository offsite = Repository.init(s3, "offsite secret".toCharArray(), options())) {
            String id = Replication.of(local, offsite).backup(BackupRequest.of(DirectorySource.of("app", source)))
                    .backup().snapshotId();

            assertThat(offsite.snapshots()).extracting(s -> s.id()).containsExactly(id);
            offsite.restore(id, tmp.resolve("out"), RestoreOptions.all());
            assertThat(RepositoryEndToEndContract.contents(tmp.resolve("out/app")))
                    .isEqualTo(RepositoryEndToEndContract.contents(source));
            assertThat(offsite.verify(VerifyOptions.readAllData()).problems()).isEmpty();

            CopyResult again = local.copyTo(offsite, List.of(id));
            assertThat(again.skipped()).containsExactly(id);
            assertThat(again.bytesSent()).isZero();

            try (Repository back = Repository.init(SnapshotStores.memory(), "back".toCharArray(), options())) {
                assertThat(offsite.copyTo(back, List.of()).copied()).containsExactly(id);
                back.restore(id, tmp.resolve("back"), RestoreOptions.all());
                assertThat(RepositoryEndToEndContract.contents(tmp.resolve("back/app")))
                        .isEqualTo(RepositoryEndToEndContract.contents(source));
            }
        }
    }
}
