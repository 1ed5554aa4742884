package dev.drkit.core.repository.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.BackupRequest;
import dev.drkit.core.repository.KdfParams;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.core.repository.RestoreOptions;
import dev.drkit.core.repository.VerifyOptions;
import dev.drkit.core.repository.VerifyReport;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.core.store.SnapshotStores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A repository written before the snapshot history existed (config, key files and index files
 * of version 1, no {@code history/}) opens, verifies with a note, and starts its history at the
 * next commit, which adopts the snapshots found.
 */
class RepositoryBeforeHistoryTest {
    static final char[] PASSWORD = "pw".toCharArray();

    @TempDir
    Path tmp;

    final SnapshotStore store = SnapshotStores.memory();
    final RepositoryOptions options = RepositoryOptions.builder().kdf(new KdfParams(256, 1, 1)).threads(2)
            .chunkSizes(4096, 16384, 65536).build();

    /** Rewrites the repository in the format of before the history. */
    void downgrade() {
        try (Engine engine = Engine.open(store, PASSWORD, options)) {
            Crypto crypto = engine.crypto();
            Engine.Config config = Engine.readConfig(store, crypto);
            byte[] old = new Engine.Config(1, config.id(), config.minChunk(), config.avgChunk(), config.maxChunk(),
                    config.normalization(), config.created()).encode();
            store.put(Engine.CONFIG, crypto.seal(old, 0, old.length));
            for (ObjectInfo info : store.list(KeyRing.PREFIX).toList()) {
                KeyRing.KeyFile f = KeyRing.KeyFile.decode(store.get(info.key()));
                store.put(info.key(), new KeyRing.KeyFile(1, null, f.created(), f.host(), f.kdf(), f.memoryKiB(),
                        f.iterations(), f.parallelism(), f.salt(), f.wrapped(), null, null).encode(0));
            }
            for (ObjectInfo info : store.list(Index.PREFIX).toList()) {
                byte[] sealed = store.get(info.key());
                byte[] plain = crypto.open(sealed, 0, sealed.length, info.key());
                byte[] v1 = new byte[plain.length - 16];
                v1[0] = 1;
                System.arraycopy(plain, 17, v1, 1, plain.length - 17);
                store.put(info.key(), crypto.seal(v1, 0, v1.length));
            }
            store.list(History.PREFIX).toList().forEach(info -> store.delete(info.key()));
        }
    }

    String backup(Repository repo, Path src, String content) throws IOException {
        Files.writeString(src.resolve("a.txt"), content);
        return repo.backup(BackupRequest.of(DirectorySource.of("src", src))).snapshotId();
    }

    @Test
    void anOldRepositoryOpensVerifiesWithANoteAndStartsItsHistoryAtTheNextBackup() throws IOException {
        Path src = tmp.resolve("src");
        Files.createDirectories(src);
        String first;
        String second;
        try (Repository repo = Repository.init(store, PASSWORD, options)) {
            first = backup(repo, src, "one");
            second = backup(repo, src, "two");
        }
        downgrade();
        try (Repository repo = Repository.open(store, PASSWORD, options)) {
            VerifyReport report = repo.verify(VerifyOptions.readAllData());
            assertThat(report.problems()).isEmpty();
            assertThat(report.historyHead()).isNull();
            assertThat(report.notes()).extracting(VerifyReport.Problem::message)
                    .anyMatch(m -> m.contains("no snapshot history yet"))
                    .anyMatch(m -> m.contains("version 1 key file"));
            repo.restore("latest", tmp.resolve("before"), RestoreOptions.all());
            assertThat(tmp.resolve("before/src/a.txt")).hasContent("two");

            String third = backup(repo, src, "three");
            report = repo.verify(VerifyOptions.readAllData());
            assertThat(report.problems()).isEmpty();
            assertThat(report.historyHead()).startsWith("1:");
            assertThat(report.notes()).extracting(VerifyReport.Problem::message)
                    .anyMatch(m -> m.contains("the history starts here") && m.contains("3 snapshots"));
            store.delete(Engine.SNAPSHOTS + third);
            store.delete(Engine.SNAPSHOTS + first);
            assertThat(repo.verify(VerifyOptions.structure()).problems()).extracting(VerifyReport.Problem::key)
                    .containsExactlyInAnyOrder(Engine.SNAPSHOTS + first, Engine.SNAPSHOTS + third);
            assertThatThrownBy(() -> repo.restore("latest", tmp.resolve("after"), RestoreOptions.all()))
                    .isInstanceOf(DrException.class).extracting(e -> ((DrException) e).code())
                    .isEqualTo(ErrorCode.INTEGRITY);
            assertThat(repo.snapshots()).extracting(s -> s.id()).isEqualTo(List.of(second));
        }
        // The version 1 key file still tells a wrong password from a right one.
        assertThatThrownBy(() -> Repository.open(store, "nope".toCharArray(), options))
                .isInstanceOf(DrException.class).extracting(e -> ((DrException) e).code())
                .isEqualTo(ErrorCode.WRONG_PASSWORD);
    }
}
