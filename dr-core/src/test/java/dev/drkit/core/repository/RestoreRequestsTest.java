package dev.drkit.core.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.ListPage;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.api.store.StoredObject;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.testkit.store.ForwardingStore;
import dev.drkit.testkit.store.InMemoryStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The requests a restore sends before its first read of data: on a cloud store each is a round
 * trip, so each is sent once, and those that must follow another (for the checks to hold against
 * a writer committing meanwhile) do.
 */
class RestoreRequestsTest {
    static final char[] PASSWORD = "correct horse".toCharArray();

    @TempDir
    Path tmp;

    InMemoryStore memory = new InMemoryStore();
    RepositoryOptions options = RepositoryOptions.builder().kdf(new KdfParams(256, 1, 1)).threads(2)
            .host("test-host").build();

    /** Records each request as "OP key" (ranged reads as "READ key"), in the order they were sent. */
    static final class Recording extends ForwardingStore {
        private final List<String> requests = new ArrayList<>();

        Recording(SnapshotStore delegate) {
            super(delegate);
        }

        synchronized List<String> requests() {
            return List.copyOf(requests);
        }

        synchronized void clear() {
            requests.clear();
        }

        private synchronized void note(String op, String key) {
            requests.add(op + " " + key);
        }

        @Override
        public Optional<ObjectInfo> stat(String key) {
            note("HEAD", key);
            return super.stat(key);
        }

        @Override
        public byte[] get(String key) {
            note("GET", key);
            return super.get(key);
        }

        @Override
        public Optional<StoredObject> getObject(String key) {
            note("GET", key);
            return delegate().getObject(key);
        }

        @Override
        public byte[] get(String key, long offset, int length) {
            note("READ", key);
            return super.get(key, offset, length);
        }

        @Override
        public int read(String key, long offset, byte[] into, int intoOffset, int length) {
            note("READ", key);
            return delegate().read(key, offset, into, intoOffset, length);
        }

        @Override
        public Optional<ObjectInfo> putIfAbsent(String key, byte[] data) {
            note("PUT", key);
            return super.putIfAbsent(key, data);
        }

        @Override
        public Optional<ObjectInfo> replace(String key, byte[] data, String expectedEtag) {
            note("REPLACE", key);
            return super.replace(key, data, expectedEtag);
        }

        @Override
        public ListPage list(String prefix, @Nullable String pageToken, int pageSize) {
            note("LIST", prefix);
            return super.list(prefix, pageToken, pageSize);
        }

        @Override
        public void delete(String key) {
            note("DELETE", key);
            super.delete(key);
        }
    }

    @BeforeEach
    void twoSnapshots() throws IOException {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(src.resolve("a"), "hello");
        try (Repository repo = Repository.init(memory, PASSWORD.clone(), options)) {
            repo.backup(BackupRequest.of(DirectorySource.of("src", src)));
            Files.writeString(src.resolve("b"), "world");
            repo.backup(BackupRequest.of(DirectorySource.of("src", src)));
        }
    }

    @Test
    @DisplayName("an open reads the config, the key, each index file and each manifest once, the index listed last")
    void openReadsEachObjectOnce() {
        Recording store = new Recording(memory);
        try (Repository repo = Repository.open(store, PASSWORD.clone(), options)) {
            List<String> requests = store.requests();
            assertThat(requests).filteredOn(r -> r.endsWith(" config")).containsExactly("GET config");
            assertThat(requests).filteredOn(r -> r.startsWith("LIST ")).containsExactlyInAnyOrder(
                    "LIST keys/", "LIST index/", "LIST snapshots/");
            // every snapshot listed has its index files listed: a backup stores them before its manifest
            assertThat(requests.indexOf("LIST snapshots/")).isLessThan(requests.indexOf("LIST index/"));
            assertThat(requests).filteredOn(r -> r.startsWith("GET ")).doesNotHaveDuplicates()
                    .filteredOn(r -> r.startsWith("GET snapshots/")).hasSize(2);
            assertThat(repo.snapshots()).hasSize(2);
        }
    }

    @Test
    @DisplayName("a restore of latest lists, reads and locks once each before its first read of data, in order")
    void restoreOfLatestSendsEachRequestOnce() {
        Recording store = new Recording(memory);
        try (Repository repo = Repository.open(store, PASSWORD.clone(), options)) {
            store.clear();
            repo.restore("latest", tmp.resolve("out"), RestoreOptions.all());
        }
        assertThat(tmp.resolve("out/src/b")).hasContent("world");
        List<String> requests = store.requests();
        List<String> start = requests.subList(0, firstDataRead(requests));
        assertThat(start).as("requests before the first read of data").doesNotHaveDuplicates()
                .noneMatch(r -> r.startsWith("GET snapshots/")) // the manifest the open read
                .noneMatch(r -> r.equals("HEAD history/head")) // a restore reads the head once
                .contains("GET history/head", "LIST snapshots/", "LIST index/", "LIST locks/")
                .anyMatch(r -> r.startsWith("PUT locks/"))
                .anyMatch(r -> r.startsWith("HEAD history/entries/"));
        // Every snapshot the head records was stored before the listing that must find it; the
        // index is listed after the snapshots (whose blobs it must know) and after the lock
        // (which keeps a prune from moving them).
        assertThat(start.indexOf("GET history/head")).isLessThan(start.indexOf("LIST snapshots/"));
        assertThat(start.indexOf("LIST snapshots/")).isLessThan(start.indexOf("LIST index/"));
        assertThat(start.indexOf("LIST locks/")).isLessThan(start.indexOf("LIST index/"));
        assertThat(requests).filteredOn(r -> r.startsWith("DELETE locks/")).hasSize(1);
    }

    @Test
    @DisplayName("a backup's commit reads the history's head with one GET and archives its entry with one PUT")
    void aCommitReadsTheHeadOnceAndArchivesWithOneWrite() throws IOException {
        Recording store = new Recording(memory);
        Path src = tmp.resolve("src");
        Files.writeString(src.resolve("c"), "again");
        try (Repository repo = Repository.open(store, PASSWORD.clone(), options)) {
            store.clear();
            repo.backup(BackupRequest.of(DirectorySource.of("src", src)));
        }
        // The fourth entry (after init and two backups): the head is read with its ETag in one
        // request (on a store that returns both, as S3 and Azure Blob do), the head's entry is
        // found archived, and the new entry is written without looking for it first.
        List<String> history = store.requests().stream().filter(r -> r.contains(" history/")).toList();
        assertThat(history).containsExactly("GET history/head", "HEAD history/entries/0000000000000003",
                "REPLACE history/head", "PUT history/entries/0000000000000004");
    }

    @Test
    @DisplayName("a restore that fails before it reads data leaves no lock behind")
    void aRestoreRefusedBeforeItsDataLeavesNoLock() {
        try (Repository repo = Repository.open(memory, PASSWORD.clone(), options)) {
            assertThatThrownBy(() -> repo.restore("0123abcd", tmp.resolve("out"), RestoreOptions.all()))
                    .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
            memory.delete("history/head");
            assertThatThrownBy(() -> repo.restore("latest", tmp.resolve("out"), RestoreOptions.all()))
                    .isInstanceOfSatisfying(DrException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY);
                        assertThat(e.input()).isEqualTo("history/head");
                    });
        }
        assertThat(memory.list("locks/").toList()).isEmpty();
        assertThat(tmp.resolve("out")).doesNotExist();
    }

    private static int firstDataRead(List<String> requests) {
        for (int i = 0; i < requests.size(); i++) {
            if (requests.get(i).startsWith("READ data/")) {
                return i;
            }
        }
        throw new AssertionError("no read of data in " + requests);
    }
}
