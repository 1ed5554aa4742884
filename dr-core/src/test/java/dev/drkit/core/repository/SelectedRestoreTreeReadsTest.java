package dev.drkit.core.repository;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.core.source.DirectorySource;
import dev.drkit.testkit.store.InMemoryStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SelectedRestoreTreeReadsTest {
    static final char[] PASSWORD = "correct horse".toCharArray();

    @TempDir
    Path tmp;

    @Test
    @DisplayName("restoring one file reads the trees on its path alone, not the runs of trees around them")
    void oneFileReadsItsTreesAlone() throws IOException {
        Path src = tmp.resolve("src");
        for (int a = 0; a < 40; a++) {
            for (int d = 0; d < 40; d++) {
                Path dir = Files.createDirectories(src.resolve(String.format("a%02d/d%02d", a, d)));
                for (int f = 0; f < 3; f++) {
                    Files.writeString(dir.resolve("f" + f), a + "/" + d + "/" + f);
                }
            }
        }
        InMemoryStore store = new InMemoryStore();
        RepositoryOptions options = RepositoryOptions.builder().kdf(new KdfParams(256, 1, 1)).packSize(16 << 20)
                .threads(2).host("test-host").build();
        try (Repository repo = Repository.init(store, PASSWORD.clone(), options)) {
            repo.backup(BackupRequest.of(DirectorySource.of("src", src)));
        }
        long packBytes = store.objects().entrySet().stream().filter(e -> e.getKey().startsWith("data/"))
                .mapToLong(e -> e.getValue().size()).sum();
        // windows of data of 64 KiB, so that what the trees cost shows
        store.setPreferredReadSize(64 << 10);
        try (Repository repo = Repository.open(store, PASSWORD.clone(), options)) {
            long before = store.rangedBytesAsked();
            repo.restore("latest", tmp.resolve("one"), RestoreOptions.paths("src/a17/d23/f1"));
            assertThat(tmp.resolve("one/src/a17/d23/f1")).hasContent("17/23/1");
            long asked = store.rangedBytesAsked() - before;
            assertThat(asked).as("bytes read of %d in packs", packBytes).isLessThan(packBytes / 4);

            repo.restore("latest", tmp.resolve("all"), RestoreOptions.all());
            assertThat(tmp.resolve("all/src/a39/d39/f2")).hasContent("39/39/2");
        }
    }
}
