package dev.drkit.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.SnapshotStore;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotStoresTest {
    @TempDir
    Path dir;

    @Test
    void builtInSchemesAreInstalled() {
        assertThat(SnapshotStores.installedSchemes()).contains("file", "mem");
    }

    @Test
    void unknownSchemeNamesTheInstalledOnesAndHidesSecrets() {
        assertThatThrownBy(() -> SnapshotStores.open("gopher://user:hunter2@host/repo?token=abc&region=x"))
                .isInstanceOfSatisfying(DrException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_SCHEME);
                    assertThat(e.getMessage()).contains("gopher", "file", "mem")
                            .doesNotContain("hunter2").doesNotContain("abc").contains("region=x");
                    assertThat(e.input()).doesNotContain("hunter2");
                });
    }

    @Test
    void aSchemeAloneIsRefusedSayingAStoreMustBeNamed() {
        assertThatThrownBy(() -> SnapshotStores.open("mem:"))
                .isInstanceOfSatisfying(DrException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
                    assertThat(e.getMessage()).isEqualTo("Store URI 'mem:' names no store after its scheme: give one, "
                            + "such as mem:drill, file:/var/lib/dr or s3://bucket/prefix");
                });
    }

    @Test
    void aPlainPathMeansAFileStore() {
        try (SnapshotStore store = SnapshotStores.open(dir.resolve("plain").toString())) {
            assertThat(store.createLocationIfMissing()).isTrue();
            store.put("k", new byte[] {1});
            assertThat(dir.resolve("plain/k")).exists();
            assertThat(store.describe()).startsWith("file:");
        }
    }

    @Test
    void fileUrisOfEveryFormOpenTheSameDirectory() {
        Path root = dir.resolve("r");
        try (SnapshotStore a = SnapshotStores.open("file:" + root + "?create=true");
                SnapshotStore b = SnapshotStores.open(root.toUri())) {
            a.put("x", new byte[] {7});
            assertThat(b.get("x")).containsExactly(7);
        }
    }

    @Test
    void fileUriOnAnotherHostIsRefused() {
        assertThatThrownBy(() -> SnapshotStores.open(URI.create("file://fileserver/share/repo")))
                .isInstanceOfSatisfying(DrException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
                    assertThat(e.getMessage()).contains("fileserver");
                });
    }

    @Test
    void malformedUriIsAConfigErrorWithoutItsSecrets() {
        assertThatThrownBy(() -> SnapshotStores.open("s3://bucket/a b?secretKey=xyz"))
                .isInstanceOfSatisfying(DrException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
                    assertThat(e.getMessage()).doesNotContain("xyz");
                });
    }

    @Test
    void emptyLocationIsRefused() {
        assertThatThrownBy(() -> SnapshotStores.open(" "))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG));
    }

    @Test
    void eachMemoryUriOpensAFreshStore() {
        try (SnapshotStore a = SnapshotStores.open("mem:x"); SnapshotStore b = SnapshotStores.open("mem:x")) {
            a.put("k", new byte[] {1});
            assertThat(b.stat("k")).isEmpty();
            assertThat(a.describe()).isEqualTo("mem:x");
        }
    }
}
