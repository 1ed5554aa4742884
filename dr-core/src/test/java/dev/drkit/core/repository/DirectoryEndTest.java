package dev.drkit.core.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.backup.BackupKind;
import dev.drkit.api.backup.EntryMetadata;
import dev.drkit.api.backup.EntryType;
import dev.drkit.api.backup.EntryWriter;
import dev.drkit.api.backup.SnapshotSource;
import dev.drkit.api.backup.SourceView;
import dev.drkit.testkit.store.InMemoryStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A view that says when each directory ends lets the backup write that directory's tree early;
 * the snapshot must be the same, to the byte, as when the whole tree is written at the end.
 */
class DirectoryEndTest {
    private static final Instant T = Instant.parse("2026-12-06T10:00:00Z");

    private final InMemoryStore store = new InMemoryStore();

    private Repository init() {
        return Repository.init(store, RepositoryTest.PASSWORD, RepositoryTest.fastOptions().build());
    }

    /** A generated tree: directories (path to children) and file contents, depth first by name. */
    private static final class Generated {
        final TreeMap<String, byte[]> files = new TreeMap<>();
        final TreeMap<String, String> links = new TreeMap<>();
        final TreeMap<String, List<String>> dirs = new TreeMap<>();

        Generated(long seed) {
            Random random = new Random(seed);
            dirs.put("", new ArrayList<>());
            grow("", 0, random);
        }

        private void grow(String dir, int depth, Random random) {
            int children = 5 + random.nextInt(depth < 2 ? 20 : 40);
            for (int i = 0; i < children; i++) {
                String name = (random.nextBoolean() ? "f" : "d") + i;
                String path = dir.isEmpty() ? name : dir + "/" + name;
                dirs.get(dir).add(path);
                if (depth < 3 && random.nextInt(3) == 0) {
                    dirs.put(path, new ArrayList<>());
                    grow(path, depth + 1, random);
                } else if (random.nextInt(20) == 0) {
                    links.put(path, "../" + name);
                } else {
                    byte[] content = new byte[random.nextInt(3) == 0 ? random.nextInt(40_000) : random.nextInt(900)];
                    random.nextBytes(content);
                    files.put(path, content);
                }
            }
        }

        int fileCount() {
            return files.size();
        }

        /** Writes depth first; {@code endAt} says which directories get an end call. */
        void writeDepthFirst(String dir, EntryWriter out, java.util.function.Predicate<String> endAt)
                throws IOException {
            for (String path : dirs.get(dir)) {
                if (dirs.containsKey(path)) {
                    out.directory(path, new EntryMetadata(EntryType.DIRECTORY, 0, T, 0755, 0));
                    writeDepthFirst(path, out, endAt);
                    if (endAt.test(path)) {
                        out.directoryEnd(path);
                    }
                } else {
                    writeLeaf(path, out);
                }
            }
        }

        /** Writes every leaf first, then the directories, shallowest last: no end calls. */
        void writeLeavesFirst(EntryWriter out) throws IOException {
            for (String path : files.descendingKeySet()) {
                writeLeaf(path, out);
            }
            for (String path : links.keySet()) {
                writeLeaf(path, out);
            }
            for (String path : dirs.descendingKeySet()) {
                if (!path.isEmpty()) {
                    out.directory(path, new EntryMetadata(EntryType.DIRECTORY, 0, T, 0755, 0));
                }
            }
        }

        private void writeLeaf(String path, EntryWriter out) throws IOException {
            if (links.containsKey(path)) {
                out.symlink(path, links.get(path), new EntryMetadata(EntryType.SYMLINK, 0, T, 0777, 0));
                return;
            }
            byte[] content = files.get(path);
            out.file(path, new EntryMetadata(EntryType.FILE, content.length, T, 0644, path.hashCode()),
                    () -> new ByteArrayInputStream(content));
        }
    }

    @Test
    void treesWrittenAsDirectoriesEndAreTheSameBlobsAsTreesWrittenAtTheEnd() {
        Generated tree = new Generated(21);
        assertThat(tree.fileCount()).as("enough files to have reads in flight as directories end")
                .isGreaterThan(300);
        assertThat(tree.dirs).hasSizeGreaterThan(20);
        try (Repository repo = init()) {
            BackupResult ending = repo.backup(BackupRequest.builder().source(source(out -> {
                tree.writeDepthFirst("", out, path -> true);
                out.directoryEnd("");
            })).kind(BackupKind.FULL).build());
            assertThat(ending.snapshot().files()).isEqualTo(tree.fileCount());
            assertThat(ending.directories()).isEqualTo(tree.dirs.size() - 1 + 1); // each directory, plus the source's

            // The same entries in another order and without end calls, every file read again:
            // nothing new to store means every tree blob is the same.
            BackupResult atTheEnd = repo.backup(BackupRequest.builder().source(source(tree::writeLeavesFirst))
                    .kind(BackupKind.FULL).build());
            assertThat(atTheEnd.blobsAdded()).isZero();
            assertThat(atTheEnd.directories()).isEqualTo(ending.directories());

            // Only the top level's directories end: their subdirectories end with them.
            BackupResult topOnly = repo.backup(BackupRequest.builder().source(source(out -> tree.writeDepthFirst("", out,
                    path -> !path.contains("/")))).kind(BackupKind.FULL).build());
            assertThat(topOnly.blobsAdded()).isZero();

            // Incremental on that parent: every file found unchanged through the ended directories.
            BackupResult incremental = repo.backup(BackupRequest.of(source(out -> tree.writeDepthFirst("", out,
                    path -> true))));
            assertThat(incremental.filesUnchanged()).isEqualTo(tree.fileCount());
            assertThat(incremental.bytesRead()).isZero();
            assertThat(incremental.blobsAdded()).isZero();

            assertThat(repo.entries(incremental.snapshotId())).isEqualTo(repo.entries(atTheEnd.snapshotId()));
        }
    }

    @Test
    void aChangedFileBelowEndedDirectoriesChangesOnlyItsPathsTrees() throws IOException {
        Generated tree = new Generated(5);
        String deep = tree.files.keySet().stream().filter(p -> p.chars().filter(c -> c == '/').count() >= 2)
                .findFirst().orElseThrow();
        try (Repository repo = init()) {
            repo.backup(BackupRequest.of(source(out -> tree.writeDepthFirst("", out, path -> true))));
            tree.files.put(deep, "changed".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            BackupResult changed = repo.backup(BackupRequest.of(source(out -> tree.writeDepthFirst("", out,
                    path -> true))));
            assertThat(changed.filesChanged()).isEqualTo(1);
            assertThat(changed.filesUnchanged()).isEqualTo(tree.fileCount() - 1);
            // the file's chunk and one new tree per level from its directory up to the snapshot's root
            long levels = deep.chars().filter(c -> c == '/').count() + 2;
            assertThat(changed.blobsAdded()).isEqualTo(1 + levels);
            try (var in = repo.openEntry(changed.snapshotId(), "app/" + deep)) {
                assertThat(in.readAllBytes()).asString().isEqualTo("changed");
            }
        }
    }

    @Test
    void aDirectoryWithMoreEntriesThanTheTreeCacheKeepsIsComparedWithItsParentWhole() {
        // 40,000 entries in one directory, more than the engine keeps of decoded trees in all
        // (32,768), plus a subdirectory after them: every file is found unchanged.
        RepositoryTest.Entries big = out -> {
            out.directory("big", dirMeta());
            for (int i = 0; i < 40_000; i++) {
                byte[] content = ("content " + i % 50).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                out.file(String.format("big/f%05d", i), EntryMetadata.file(content.length, T),
                        () -> new ByteArrayInputStream(content));
            }
            out.directory("big/z", dirMeta());
            leaf(out, "big/z/last");
            out.directoryEnd("big/z");
            out.directoryEnd("big");
        };
        try (Repository repo = init()) {
            repo.backup(BackupRequest.of(source(big)));
            BackupResult again = repo.backup(BackupRequest.of(source(big)));
            assertThat(again.filesUnchanged()).isEqualTo(40_001);
            assertThat(again.bytesRead()).isZero();
            assertThat(again.blobsAdded()).isZero();
        }
    }

    @Test
    void anEntryWrittenBelowADirectoryThatEndedIsRefusedAndNothingIsCommitted() {
        try (Repository repo = init()) {
            repo.backup(BackupRequest.of(source(out -> leaf(out, "a/kept"))));
            List<Snapshot> before = repo.snapshots();

            assertRefused(repo, out -> {
                out.directory("a", dirMeta());
                leaf(out, "a/x");
                out.directoryEnd("a");
                leaf(out, "a/y");
            }, "a/y", "Entry 'a/y' was written after directory 'a' ended");
            assertRefused(repo, out -> {
                out.directory("a", dirMeta());
                out.directory("a/b", dirMeta());
                out.directoryEnd("a");
                leaf(out, "a/b/c/d");
            }, "a/b/c/d", "Entry 'a/b/c/d' was written after directory 'a' ended");
            assertRefused(repo, out -> {
                out.directory("a", dirMeta());
                out.directoryEnd("a");
                out.directory("a", dirMeta());
            }, "a", "Entry 'a' was written after directory 'a' ended");
            assertRefused(repo, out -> {
                out.directory("a", dirMeta());
                out.directoryEnd("a");
                out.directoryEnd("a");
            }, "a", "Directory 'a' ended, but it was not written as a directory or has ended before");
            assertRefused(repo, out -> {
                leaf(out, "f");
                out.directoryEnd("f");
            }, "f", "Directory 'f' ended, but it was not written as a directory");
            assertRefused(repo, out -> out.directoryEnd("no/such"), "no/such", "Directory 'no/such' ended");
            assertThatThrownBy(() -> repo.backup(BackupRequest.of(source(out -> out.directoryEnd("../up")))))
                    .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSAFE_PATH));

            assertThat(repo.snapshots()).isEqualTo(before);
            assertThat(repo.verify(VerifyOptions.readAllData()).ok()).isTrue();
        }
    }

    @Test
    void aReadThatFailsInADirectoryThatEndedFailsTheBackupWithItsPath() {
        try (Repository repo = init()) {
            SnapshotSource failing = source(out -> {
                out.directory("logs", dirMeta());
                out.file("logs/bad.bin", EntryMetadata.file(10, T), () -> {
                    throw new IOException("device not ready");
                });
                out.directoryEnd("logs");
                for (int i = 0; i < 50; i++) {
                    out.directory("more" + i, dirMeta());
                    leaf(out, "more" + i + "/f");
                    out.directoryEnd("more" + i);
                }
            });
            assertThatThrownBy(() -> repo.backup(BackupRequest.of(failing)))
                    .hasMessageContaining("logs/bad.bin").hasMessageContaining("device not ready");
            assertThat(repo.snapshots()).isEmpty();
        }
    }

    private static void assertRefused(Repository repo, RepositoryTest.Entries entries, String path, String message) {
        assertThatThrownBy(() -> repo.backup(BackupRequest.of(source(entries))))
                .isInstanceOfSatisfying(DrException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                    assertThat(e.input()).isEqualTo(path);
                })
                .hasMessageContaining(message);
    }

    private static EntryMetadata dirMeta() {
        return new EntryMetadata(EntryType.DIRECTORY, 0, T, 0755, 0);
    }

    private static void leaf(EntryWriter out, String path) throws IOException {
        byte[] content = path.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.file(path, EntryMetadata.file(content.length, T), () -> new ByteArrayInputStream(content));
    }

    private static SnapshotSource source(RepositoryTest.Entries entries) {
        return new SnapshotSource() {
            @Override
            public String name() {
                return "app";
            }

            @Override
            public SourceView begin() {
                return new SourceView() {
                    @Override
                    public void writeTo(EntryWriter out) throws IOException {
                        out.directory("", dirMeta()); // not the snapshot's time: same trees each time
                        entries.writeTo(out);
                    }

                    @Override
                    public void close() {
                    }
                };
            }
        };
    }
}
