package dev.drkit.core.source;

import static org.assertj.core.api.Assertions.assertThat;

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
}
