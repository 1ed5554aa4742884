package dev.drkit.core.repository.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.core.repository.BackupRequest;
import dev.drkit.core.repository.BackupResult;
import dev.drkit.core.repository.KdfParams;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.core.repository.Snapshot;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.testkit.store.InMemoryStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manifest's record of the entries a backup left out: written only when there were some,
 * so a complete backup's manifest is the same as before the fields existed, and read as 0 when
 * absent.
 */
class ManifestFormatTest {
    private static final char[] PASSWORD = "pw".toCharArray();
    private static final String COMPLETE = "{\"version\":1,\"time\":\"2026-12-07T08:00:00Z\",\"host\":\"h\","
            + "\"tags\":[\"daily\"],\"tree\":\"ab\",\"parent\":null,\"sources\":[\"app\"],\"files\":3,\"bytes\":42}";

    @TempDir
    Path tmp;

    @Test
    void aCompleteManifestIsWrittenExactlyAsBeforeAndReadsAsComplete() {
        Engine.Manifest m = new Engine.Manifest(1, "2026-12-07T08:00:00Z", "h", List.of("daily"), "ab", null,
                List.of("app"), 3, 42);
        assertThat(new String(m.encode(), StandardCharsets.UTF_8)).isEqualTo(COMPLETE);
        Engine.Manifest read = Engine.Manifest.decode(COMPLETE.getBytes(StandardCharsets.UTF_8));
        assertThat(read).isEqualTo(m);
        assertThat(read.unreadable()).isZero();
        assertThat(read.unreadablePaths()).isEmpty();
    }

    @Test
    void theEntriesLeftOutAreWrittenAfterTheOtherFieldsAndReadBack() {
        Engine.Manifest m = new Engine.Manifest(1, "2026-12-07T08:00:00Z", "h", List.of("daily"), "ab", null,
                List.of("app"), 3, 42, 12, List.of("app/a", "app/b"));
        String json = new String(m.encode(), StandardCharsets.UTF_8);
        assertThat(json).isEqualTo(COMPLETE.substring(0, COMPLETE.length() - 1)
                + ",\"unreadable\":12,\"unreadablePaths\":[\"app/a\",\"app/b\"]}");
        assertThat(Engine.Manifest.decode(m.encode())).isEqualTo(m);
        assertThat(Engine.toSnapshot("0123456789abcdef0123456789abcdef", m).unreadable()).isEqualTo(12);
    }

    @Test
    void fieldsTheReaderDoesNotKnowAreIgnored() {
        String newer = COMPLETE.substring(0, COMPLETE.length() - 1) + ",\"unreadable\":2,\"someday\":{\"x\":[1]}}";
        assertThat(Engine.Manifest.decode(newer.getBytes(StandardCharsets.UTF_8)).unreadable()).isEqualTo(2);
    }

    @Test
    void aNegativeCountOrMorePathsThanItCountsAreMalformed() {
        String base = COMPLETE.substring(0, COMPLETE.length() - 1);
        assertThatThrownBy(() -> Engine.Manifest.decode((base + ",\"unreadable\":-1}").getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unreadable");
        assertThatThrownBy(() -> Engine.Manifest.decode((base + ",\"unreadable\":1,\"unreadablePaths\":[\"a\",\"b\"]}")
                .getBytes(StandardCharsets.UTF_8))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unreadablePaths");
        List<String> many = new ArrayList<>();
        for (int i = 0; i <= Snapshot.UNREADABLE_RECORDED; i++) {
            many.add("app/" + i);
        }
        assertThatThrownBy(() -> new Engine.Manifest(1, "2026-12-07T08:00:00Z", "h", List.of(), "ab", null,
                List.of("app"), 0, 0, 1000, many)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theStoredManifestOfACompleteBackupCarriesNoNewField() throws IOException {
        InMemoryStore store = new InMemoryStore();
        RepositoryOptions options = RepositoryOptions.builder().kdf(new KdfParams(256, 1, 1)).threads(2).build();
        Path data = Files.createDirectories(tmp.resolve("app"));
        Files.writeString(data.resolve("a.txt"), "kept");
        BackupResult result;
        try (Repository repo = Repository.init(store, PASSWORD, options)) {
            result = repo.backup(BackupRequest.of(DirectorySource.of(data)));
        }
        try (Engine engine = Engine.open(store, PASSWORD, options)) {
            String key = Engine.SNAPSHOTS + result.snapshotId();
            byte[] sealed = store.get(key);
            String json = new String(engine.crypto().open(sealed, 0, sealed.length, key), StandardCharsets.UTF_8);
            assertThat(json).startsWith("{\"version\":1,").endsWith(",\"files\":1,\"bytes\":4}")
                    .doesNotContain("unreadable");
        }
    }
}
