package dev.drkit.core.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.Journal;
import dev.drkit.core.repository.JournalOptions;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RestoreOptions;
import dev.drkit.core.store.SnapshotStores;
import dev.drkit.testkit.ManualClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Point-in-time restores into targets that hold symbolic links and files already. */
class PointInTimeRestoreTest {
    static final Instant T0 = Instant.parse("2026-12-04T10:00:00Z");
    static final Instant AT = T0.plusSeconds(1);
    static final RestoreOptions KEEP = RestoreOptions.all().withOverwrite(false);
    static final RestoreOptions OVERWRITE = RestoreOptions.all();

    final ManualClock clock = ManualClock.at(T0);
    final SnapshotStore store = SnapshotStores.memory();
    /** Larger than the largest chunk, so that it is restored from several blobs. */
    final byte[] order = new byte[150_000];
    final byte[] note = "restored note".getBytes(StandardCharsets.UTF_8);
    Repository repo;

    @TempDir
    Path tmp;
    Path target;
    Path outside;

    @BeforeEach
    void journalTwoRecords() throws IOException {
        new Random(42).nextBytes(order);
        repo = Repository.openOrInit(store, "pw".toCharArray(), JournalTest.options(clock).build());
        RecordFeed feed = RecordFeed.named("outbox", clock);
        try (Journal journal = repo.manualJournal(feed, JournalOptions.DEFAULT)) {
            clock.advance(Duration.ofSeconds(1));
            feed.append("orders/1", order);
            feed.append("note", note);
            journal.flush();
        }
        target = Files.createDirectories(tmp.resolve("target"));
        outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret"), "outside, keep me");
    }

    @AfterEach
    void close() throws Exception {
        repo.close();
        store.close();
    }

    @Test
    void aLinkWhereTheFileGoesIsReplacedWithOverwriteAndWhatItPointsToIsUntouched() throws IOException {
        Files.createDirectories(target.resolve("outbox/orders"));
        Path link = Files.createSymbolicLink(target.resolve("outbox/orders/1"), outside.resolve("secret"));

        // Without overwrite, the source's directory holds the link, so it is not empty.
        assertThatThrownBy(() -> repo.restore("outbox", AT, target, KEEP))
                .isInstanceOfSatisfying(DrException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.ALREADY_EXISTS));
        assertThat(Files.isSymbolicLink(link)).isTrue();

        repo.restore("outbox", AT, target, OVERWRITE);

        assertThat(Files.readString(outside.resolve("secret"))).isEqualTo("outside, keep me");
        assertThat(Files.isSymbolicLink(link)).isFalse();
        assertThat(Files.isRegularFile(link, LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(Files.readAllBytes(link)).isEqualTo(order);
        assertThat(Files.getLastModifiedTime(link).toInstant()).isEqualTo(AT);
        assertThat(temporaries(target)).isEmpty();
    }

    @Test
    void aLinkWhereADirectoryGoesIsReplacedWithOverwriteAndWhatItPointsToIsUntouched() throws IOException {
        Files.createDirectories(target.resolve("outbox"));
        Path link = Files.createSymbolicLink(target.resolve("outbox/orders"), outside);

        repo.restore("outbox", AT, target, OVERWRITE);

        assertThat(outside).isDirectory();
        try (Stream<Path> list = Files.list(outside)) {
            assertThat(list).containsExactly(outside.resolve("secret"));
        }
        assertThat(Files.readString(outside.resolve("secret"))).isEqualTo("outside, keep me");
        assertThat(Files.isSymbolicLink(link)).isFalse();
        assertThat(Files.isDirectory(link, LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(Files.readAllBytes(link.resolve("1"))).isEqualTo(order);
        assertThat(Files.readAllBytes(target.resolve("outbox/note"))).isEqualTo(note);
    }

    @Test
    void theSourcesDirectoryAsALinkIsRefusedNamingItWithoutOverwriteAndReplacedWithIt() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty-outside"));
        Path link = Files.createSymbolicLink(target.resolve("outbox"), empty);

        // An empty directory behind the link is no reason to write into it.
        assertThatThrownBy(() -> repo.restore("outbox", AT, target, KEEP))
                .isInstanceOfSatisfying(DrException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.UNSAFE_PATH);
                    assertThat(e.input()).isEqualTo("outbox");
                    assertThat(e.getMessage()).contains("'outbox' is a symbolic link in the target");
                });
        try (Stream<Path> list = Files.list(empty)) {
            assertThat(list).isEmpty();
        }

        Files.delete(link);
        Files.createSymbolicLink(link, outside);
        repo.restore("outbox", AT, target, OVERWRITE);

        try (Stream<Path> list = Files.list(outside)) {
            assertThat(list).containsExactly(outside.resolve("secret"));
        }
        assertThat(Files.isDirectory(link, LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(Files.readAllBytes(link.resolve("orders/1"))).isEqualTo(order);
        assertThat(Files.readAllBytes(link.resolve("note"))).isEqualTo(note);
    }

    @Test
    void anExistingFileIsReplacedWithOverwriteKeepingItsPermissionsAndLeavingNoTemporaries() throws IOException {
        Path file = Files.createDirectories(target.resolve("outbox/orders")).resolve("1");
        Files.writeString(file, "an older and longer order than the restored one would be if it were text");
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        if (posix) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }

        repo.restore("outbox", AT, target, OVERWRITE);

        assertThat(Files.readAllBytes(file)).isEqualTo(order);
        assertThat(Files.readAllBytes(target.resolve("outbox/note"))).isEqualTo(note);
        assertThat(Files.getLastModifiedTime(file).toInstant()).isEqualTo(AT);
        if (posix) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        }
        assertThat(temporaries(target)).isEmpty();
    }

    @Test
    void intoTheTargetALinkBelowItIsReplacedWithOverwrite() throws IOException {
        Path link = Files.createSymbolicLink(target.resolve("note"), outside.resolve("secret"));

        repo.restore("outbox", AT, target, RestoreOptions.sourceIntoTarget("outbox"));

        assertThat(Files.readString(outside.resolve("secret"))).isEqualTo("outside, keep me");
        assertThat(Files.isSymbolicLink(link)).isFalse();
        assertThat(Files.readAllBytes(link)).isEqualTo(note);
        assertThat(Files.readAllBytes(target.resolve("orders/1"))).isEqualTo(order);
    }

    /** The temporary files a restore left anywhere under a directory. */
    private static List<Path> temporaries(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    @Test
    void aTargetThatIsAFileIsNamedWithTheReason() throws IOException {
        Path file = Files.writeString(tmp.resolve("a-file"), "in the way");
        assertThatThrownBy(() -> repo.restore("outbox", AT, file, OVERWRITE))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.IO_FAILURE))
                .hasMessageContaining("Restoring 'outbox' into " + file.resolve("outbox") + " failed: " + file
                        + ": an entry of that name is in the way");
        assertThat(file).hasContent("in the way");
    }
}
