package dev.drkit.core.repository;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.backup.ContentOpener;
import dev.drkit.api.backup.EntryMetadata;
import dev.drkit.api.backup.EntryWriter;
import dev.drkit.api.backup.SnapshotSource;
import dev.drkit.api.backup.SourceView;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.testkit.store.InMemoryStore;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file that another process changes while the backup reads it: the backup compares the file
 * after its read with what it listed, reads it again, and names it when it never held still.
 */
class ChangedWhileReadTest {
    @TempDir
    Path tmp;

    final InMemoryStore store = new InMemoryStore();

    /** 2 MB of random bytes in {@code src/big.bin}: many chunks. */
    byte[] bigFile(Path src) throws IOException {
        Files.createDirectories(src);
        byte[] big = new byte[2_000_000];
        new Random(11).nextBytes(big);
        Files.write(src.resolve("big.bin"), big);
        return big;
    }

    @Test
    void aFileThatShrinksWhileItIsReadIsReadAgainAndStoredAsItIsAfterwards() throws IOException {
        Path src = tmp.resolve("src");
        byte[] big = bigFile(src);
        Path file = src.resolve("big.bin");
        // The first read meets a truncate half way; what it read is the old file's first 1 MB,
        // which never existed as a file.
        SnapshotSource source = changingWhileRead(src, read -> {
            if (read == 1) {
                truncate(file, 100_000);
            }
        });
        try (Repository repo = Repository.init(store, RepositoryTest.PASSWORD, RepositoryTest.fastOptions().build())) {
            BackupResult result = repo.backup(BackupRequest.of(source));

            assertThat(result.changedWhileReadCount()).isZero();
            Path out = tmp.resolve("out");
            repo.restore("latest", out, RestoreOptions.all());
            assertThat(out.resolve("src/big.bin")).hasBinaryContent(Arrays.copyOf(big, 100_000));
        }
    }

    @Test
    void aFileThatKeepsChangingWhileItIsReadIsStoredAsReadLastNamedAndAudited() throws IOException {
        Path src = tmp.resolve("src");
        bigFile(src);
        Path file = src.resolve("big.bin");
        SnapshotSource source = changingWhileRead(src, read -> {
            try {
                Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2020-01-01T00:00:00Z").plusSeconds(read)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        List<AuditEvent> audit = new CopyOnWriteArrayList<>();
        try (Repository repo = Repository.init(store, RepositoryTest.PASSWORD,
                RepositoryTest.fastOptions().audit(audit::add).build())) {
            BackupResult result = repo.backup(BackupRequest.of(source));

            assertThat(result.changedWhileReadCount()).isEqualTo(1);
            assertThat(result.changedWhileRead()).containsExactly("src/big.bin");
            assertThat(audit.toString()).contains("changedWhileRead");
        }
    }

    @Test
    void aQuietBackupReadsEachFileOnceAndCountsNothing() throws IOException {
        Path src = tmp.resolve("src");
        bigFile(src);
        AtomicInteger opens = new AtomicInteger();
        SnapshotSource source = changingWhileRead(src, read -> opens.incrementAndGet());
        try (Repository repo = Repository.init(store, RepositoryTest.PASSWORD, RepositoryTest.fastOptions().build())) {
            BackupResult result = repo.backup(BackupRequest.of(source));

            assertThat(result.changedWhileReadCount()).isZero();
            assertThat(result.changedWhileRead()).isEmpty();
            assertThat(opens).hasValue(1);
        }
    }

    static void truncate(Path file, long size) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A directory source whose files, once their first 1 MB has been read on the n-th opening,
     * are changed by {@code change.accept(n)}: what another process writing them would do.
     */
    static SnapshotSource changingWhileRead(Path dir, IntConsumer change) {
        SnapshotSource directory = DirectorySource.of("src", dir);
        return new SnapshotSource() {
            @Override
            public String name() {
                return directory.name();
            }

            @Override
            public SourceView begin() throws IOException {
                SourceView view = directory.begin();
                return new SourceView() {
                    @Override
                    public void writeTo(EntryWriter out) throws IOException {
                        view.writeTo(new EntryWriter() {
                            @Override
                            public void directory(String path, EntryMetadata metadata) throws IOException {
                                out.directory(path, metadata);
                            }

                            @Override
                            public void file(String path, EntryMetadata metadata, ContentOpener content)
                                    throws IOException {
                                out.file(path, metadata, changing(content, change));
                            }

                            @Override
                            public void symlink(String path, String target, EntryMetadata metadata)
                                    throws IOException {
                                out.symlink(path, target, metadata);
                            }

                            @Override
                            public void directoryEnd(String path) throws IOException {
                                out.directoryEnd(path);
                            }

                            @Override
                            public void unreadable(String path, IOException reason) throws IOException {
                                out.unreadable(path, reason);
                            }
                        });
                    }

                    @Override
                    public void close() throws IOException {
                        view.close();
                    }
                };
            }
        };
    }

    static ContentOpener changing(ContentOpener content, IntConsumer change) {
        AtomicInteger opened = new AtomicInteger();
        return new ContentOpener() {
            @Override
            public InputStream open() throws IOException {
                int n = opened.incrementAndGet();
                return new FilterInputStream(content.open()) {
                    long read;
                    boolean changed;

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        if (!changed && read >= 1_000_000) {
                            changed = true;
                            change.accept(n);
                        }
                        int got = super.read(b, off, read < 1_000_000 ? (int) Math.min(len, 1_000_000 - read) : len);
                        if (got > 0) {
                            read += got;
                        }
                        return got;
                    }
                };
            }

            @Override
            public @Nullable EntryMetadata current() throws IOException {
                return content.current();
            }
        };
    }
}
