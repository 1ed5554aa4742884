package dev.drkit.core.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.backup.EntryMetadata;
import dev.drkit.api.backup.EntryWriter;
import dev.drkit.api.backup.SnapshotSource;
import dev.drkit.api.backup.SourceView;
import dev.drkit.testkit.store.InMemoryStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The code of a restore that could not write some files says why: damaged data, a store that
 * did not serve the data, or a target that refused it. Every other file is restored.
 */
class RestoreFailureCodesTest {
    /** Longer than the 255 bytes ext4, XFS, Btrfs and tmpfs allow a name. */
    static final String TOO_LONG = "n".repeat(300);

    @TempDir
    Path tmp;

    final InMemoryStore store = new InMemoryStore();
    final byte[][] data = new byte[6][];

    @BeforeEach
    void randomFiles() {
        Random random = new Random(11);
        for (int i = 0; i < data.length; i++) {
            data[i] = new byte[150_000 + i];
            random.nextBytes(data[i]);
        }
    }

    Repository init() {
        // Small packs, so that each holds the data of a file or two.
        return Repository.init(store, RepositoryTest.PASSWORD, RepositoryTest.fastOptions().packSize(64 * 1024).build());
    }

    /** {@code app/f0} to {@code app/f5}, and a small file of the given name when not null. */
    SnapshotSource app(String extra) {
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
                        for (int i = 0; i < data.length; i++) {
                            byte[] bytes = data[i];
                            out.file("f" + i, EntryMetadata.file(bytes.length, Instant.EPOCH),
                                    () -> new ByteArrayInputStream(bytes));
                        }
                        if (extra != null) {
                            out.file(extra, EntryMetadata.file(5, Instant.EPOCH),
                                    () -> new ByteArrayInputStream("small".getBytes(StandardCharsets.UTF_8)));
                        }
                    }

                    @Override
                    public void close() {
                    }
                };
            }
        };
    }

    /** The largest pack: one of file data (the trees come last and may fill a small pack of their own). */
    String largestPack() {
        return store.keys("data/").stream()
                .max(Comparator.comparingLong((String k) -> store.stat(k).orElseThrow().size())
                        .thenComparing(Comparator.reverseOrder()))
                .orElseThrow();
    }

    /** The files {@code openEntry} cannot read, checking that it fails them with the given code. */
    List<Integer> unreadable(Repository repo, ErrorCode code) throws IOException {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < data.length; i++) {
            try (InputStream in = repo.openEntry("latest", "app/f" + i)) {
                assertThat(in.readAllBytes()).isEqualTo(data[i]);
            } catch (DrException e) {
                assertThat(e.code()).isEqualTo(code);
                out.add(i);
            }
        }
        assertThat(out).isNotEmpty().hasSizeLessThan(data.length);
        return out;
    }

    void assumeTheTargetRefusesTooLongNames() {
        try {
            Files.delete(Files.createFile(tmp.resolve(TOO_LONG)));
            Assumptions.abort("the file system under " + tmp + " takes names of 300 bytes");
        } catch (IOException expected) {
            // File name too long
        }
    }

    @Test
    void aNameTheTargetRefusesFailsOnlyThatFileWithIoFailureNamingItAndTheReason() throws IOException {
        assumeTheTargetRefusesTooLongNames();
        try (Repository repo = init()) {
            repo.backup(BackupRequest.of(app(TOO_LONG)));
            Path out = tmp.resolve("out");

            DrException failure = catchThrowableOfType(DrException.class,
                    () -> repo.restore("latest", out, RestoreOptions.all()));

            assertThat(failure.code()).isEqualTo(ErrorCode.IO_FAILURE);
            assertThat(failure.input()).isEqualTo("app/" + TOO_LONG);
            assertThat(failure.getMessage())
                    .startsWith("1 file(s) could not be restored: app/" + TOO_LONG + " (")
                    .containsIgnoringCase("name too long");
            for (int i = 0; i < data.length; i++) {
                assertThat(Files.readAllBytes(out.resolve("app/f" + i))).isEqualTo(data[i]);
            }
        }
    }

    @Test
    void aMissingPackFailsOnlyItsFilesWithTheStoresNotFound() throws IOException {
        try (Repository repo = init()) {
            repo.backup(BackupRequest.of(app(null)));
            String pack = largestPack();
            store.delete(pack);
            List<Integer> missing = unreadable(repo, ErrorCode.NOT_FOUND);
            Path out = tmp.resolve("out");

            DrException failure = catchThrowableOfType(DrException.class,
                    () -> repo.restore("latest", out, RestoreOptions.all()));

            assertThat(failure.code()).isEqualTo(ErrorCode.NOT_FOUND);
            assertThat(failure.getMessage()).startsWith(missing.size() + " file(s) could not be restored").contains(pack);
            for (int i = 0; i < data.length; i++) {
                if (missing.contains(i)) {
                    assertThat(failure.getMessage()).contains("app/f" + i + " (");
                    assertThat(out.resolve("app/f" + i)).doesNotExist();
                } else {
                    assertThat(Files.readAllBytes(out.resolve("app/f" + i))).isEqualTo(data[i]);
                }
            }
        }
    }

    @Test
    void damagedDataOutranksALocalFailureAndBothAreNamed() throws IOException {
        assumeTheTargetRefusesTooLongNames();
        try (Repository repo = init()) {
            repo.backup(BackupRequest.of(app(TOO_LONG)));
            store.flipByte(largestPack(), 100);
            List<Integer> damaged = unreadable(repo, ErrorCode.INTEGRITY);
            Path out = tmp.resolve("out");

            DrException failure = catchThrowableOfType(DrException.class,
                    () -> repo.restore("latest", out, RestoreOptions.all()));

            assertThat(failure.code()).isEqualTo(ErrorCode.INTEGRITY);
            assertThat(failure.getMessage()).startsWith((damaged.size() + 1) + " file(s) could not be restored")
                    .contains("app/" + TOO_LONG + " (");
            for (int i : damaged) {
                assertThat(failure.getMessage()).contains("app/f" + i + " (");
            }
            assertThat(failure.input()).isEqualTo("app/f" + damaged.get(0));
        }
    }
}
