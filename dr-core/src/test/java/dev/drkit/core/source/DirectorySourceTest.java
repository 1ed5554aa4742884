package dev.drkit.core.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.backup.ContentOpener;
import dev.drkit.api.backup.EntryMetadata;
import dev.drkit.api.backup.EntryWriter;
import dev.drkit.api.backup.SourceView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectorySourceTest {

    @Test
    void reportsEachEntrysInodeNumber(@TempDir Path root) throws Exception {
        Files.writeString(root.resolve("a.txt"), "a");
        Files.createDirectory(root.resolve("sub"));
        Files.writeString(root.resolve("sub/b.txt"), "b");
        Map<String, EntryMetadata> seen = new HashMap<>();
        try (SourceView view = DirectorySource.of(root).begin()) {
            view.writeTo(new EntryWriter() {
                @Override
                public void directory(String path, EntryMetadata metadata) {
                    seen.put(path, metadata);
                }

                @Override
                public void file(String path, EntryMetadata metadata, ContentOpener content) {
                    seen.put(path, metadata);
                }

                @Override
                public void symlink(String path, String target, EntryMetadata metadata) {
                    seen.put(path, metadata);
                }
            });
        }
        assertThat(seen).containsKeys("a.txt", "sub", "sub/b.txt");
        for (String path : new String[] {"a.txt", "sub", "sub/b.txt"}) {
            long expected = ((Number) Files.getAttribute(root.resolve(path), "unix:ino")).longValue();
            assertThat(seen.get(path).inode()).as(path).isEqualTo(expected).isPositive();
        }
    }

    @Test
    void endsEachSubdirectoryAfterEverythingBelowIt(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("a/b/c"));
        Files.createDirectories(root.resolve("a/empty"));
        Files.writeString(root.resolve("a/b/c/deep.txt"), "deep");
        Files.writeString(root.resolve("a/b/mid.txt"), "mid");
        Files.writeString(root.resolve("a/top.txt"), "top");
        Files.writeString(root.resolve("z.txt"), "z");
        List<String> events = new ArrayList<>();
        try (SourceView view = DirectorySource.of(root).begin()) {
            view.writeTo(new EntryWriter() {
                @Override
                public void directory(String path, EntryMetadata metadata) {
                    events.add("dir " + path);
                }

                @Override
                public void file(String path, EntryMetadata metadata, ContentOpener content) {
                    events.add("file " + path);
                }

                @Override
                public void symlink(String path, String target, EntryMetadata metadata) {
                    events.add("link " + path);
                }

                @Override
                public void directoryEnd(String path) {
                    events.add("end " + path);
                }
            });
        }
        assertThat(events).containsExactly("dir ", "dir a", "dir a/b", "dir a/b/c", "file a/b/c/deep.txt",
                "end a/b/c", "file a/b/mid.txt", "end a/b", "dir a/empty", "end a/empty", "file a/top.txt",
                "end a", "file z.txt");
    }

    @Test
    void readsLargeInodeNumbersAndFallsBackToAHashForOtherKeys() {
        assertThat(DirectorySource.inode("(dev=803,ino=1234)")).isEqualTo(1234);
        assertThat(DirectorySource.inode("(dev=2f,ino=9223372036854775807)")).isEqualTo(Long.MAX_VALUE);
        String tooLarge = "(dev=2f,ino=99999999999999999999)";
        assertThat(DirectorySource.inode(tooLarge)).isEqualTo(tooLarge.hashCode() & 0xffffffffL);
        assertThat(DirectorySource.inode("volume-7/file-9")).isEqualTo("volume-7/file-9".hashCode() & 0xffffffffL);
        assertThat(DirectorySource.inode(null)).isZero();
    }

    private static List<String> listed(DirectorySource source) throws Exception {
        TreeSet<String> seen = new TreeSet<>();
        try (SourceView view = source.begin()) {
            view.writeTo(new EntryWriter() {
                @Override
                public void directory(String path, EntryMetadata metadata) {
                    if (!path.isEmpty()) { // the root
                        seen.add(path + "/");
                    }
                }

                @Override
                public void file(String path, EntryMetadata metadata, ContentOpener content) {
                    seen.add(path);
                }

                @Override
                public void symlink(String path, String target, EntryMetadata metadata) {
                    seen.add(path);
                }
            });
        }
        return List.copyOf(seen);
    }

    @Test
    void aLeadingDoubleStarSlashAlsoExcludesAtTheTop(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("a/b/x"));
        Files.createDirectories(root.resolve("x"));
        Files.writeString(root.resolve("x/top.txt"), "t");
        Files.writeString(root.resolve("a/b/x/deep.txt"), "d");
        Files.createDirectories(root.resolve("a/build"));
        Files.writeString(root.resolve("a/build/o.o"), "o");
        Files.writeString(root.resolve("a/build/keep.c"), "c");
        Files.createDirectories(root.resolve("build"));
        Files.writeString(root.resolve("build/o.o"), "o");
        assertThat(listed(DirectorySource.of("src", root, "**/x", "**/build/*.o")))
                .containsExactly("a/", "a/b/", "a/build/", "a/build/keep.c", "build/");
    }

    @Test
    void globsMatchTheRelativePathOrTheNameAlone(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("logs/old"));
        Files.writeString(root.resolve("logs/old/a.log"), "a");
        Files.writeString(root.resolve("logs/b.tmp"), "b");
        Files.createDirectories(root.resolve("deep/cache"));
        Files.writeString(root.resolve("deep/cache/c"), "c");
        Files.writeString(root.resolve("keep.txt"), "k");
        assertThat(listed(DirectorySource.of("src", root, "*.tmp", "logs/old/**", "cache")))
                .containsExactly("deep/", "keep.txt", "logs/", "logs/old/");
    }

    @Test
    void aTrailingSlashAsInGitignoreIsLeftOut(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("web/node_modules/x"));
        Files.writeString(root.resolve("web/node_modules/x/i.js"), "i");
        Files.createDirectories(root.resolve("node_modules"));
        Files.writeString(root.resolve("node_modules/top.js"), "t");
        Files.writeString(root.resolve("web/app.js"), "a");
        assertThat(listed(DirectorySource.of("src", root, "node_modules/")))
                .containsExactly("web/", "web/app.js");
        assertThat(listed(DirectorySource.of("src", root, "**/node_modules//")))
                .containsExactly("web/", "web/app.js");
    }

    @Test
    void aGlobThatCouldNeverMatchIsRefusedNamingItAndWhatItIsMatchedAgainst(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("orders");
        Files.createDirectories(root.resolve("cache"));
        assertThatThrownBy(() -> DirectorySource.of("orders", root, root.resolve("cache").toString()))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                .hasMessageContaining("'" + root.resolve("cache") + "' is absolute")
                .hasMessageContaining("matched against each entry's path relative to " + root)
                .hasMessageContaining("write 'cache'");
        assertThatThrownBy(() -> DirectorySource.of("orders", root, "orders/cache/**"))
                .hasMessageContaining("'orders/cache/**' starts with the source's own name 'orders'")
                .hasMessageContaining("write 'cache/**'");
        assertThatThrownBy(() -> DirectorySource.of("renamed", root, "orders/cache"))
                .hasMessageContaining("'orders/cache' starts with the source's own name 'orders'");
        assertThatThrownBy(() -> DirectorySource.of("orders", root, "./cache"))
                .hasMessageContaining("'./cache' starts with './'");
        for (String nothing : new String[] {"", ".", ".."}) {
            assertThatThrownBy(() -> DirectorySource.of("orders", root, nothing))
                    .hasMessageContaining("'" + nothing + "' names no entry");
        }
        Files.createDirectories(root.resolve("orders/cache"));
        assertThat(DirectorySource.of("orders", root, "orders/cache").excludes())
                .as("a directory that holds one of its own name").containsExactly("orders/cache");
    }
}
