package dev.drkit.core.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.core.store.SnapshotStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code file:} repository's own directory: a restore into it, or into a directory inside it,
 * is refused before anything is written, and a backup of a directory that holds it leaves it out.
 */
class RepositoryOwnDirectoryTest {
    @TempDir
    Path tmp;

    private Path srv;
    private Path repoDir;

    @BeforeEach
    void setUp() throws Exception {
        srv = Files.createDirectories(tmp.resolve("srv"));
        Files.createDirectories(srv.resolve("orders"));
        Files.writeString(srv.resolve("orders/order-1.json"), "{\"id\":1}");
        repoDir = srv.resolve("backups");
    }

    private Repository init() {
        return Repository.init(SnapshotStores.file(repoDir), RepositoryTest.PASSWORD,
                RepositoryTest.fastOptions().build());
    }

    @Test
    void aRestoreIntoTheRepositorysDirectoryOrBelowItIsRefusedNamingBothAndWritesNothing() throws Exception {
        Path elsewhere = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(elsewhere.resolve("a.txt"), "a");
        Path link = Files.createSymbolicLink(tmp.resolve("link-to-repo"), repoDir.toAbsolutePath());
        try (Repository repo = init()) {
            String id = repo.backup(BackupRequest.builder().source(DirectorySource.of(elsewhere)).build())
                    .snapshotId();
            List<Path> before = listing(repoDir);
            Path realRepo = repoDir.toRealPath();
            for (Path target : List.of(repoDir, repoDir.resolve("restored"), repoDir.resolve("data.d"),
                    link.resolve("x"), srv.resolve("orders/../backups"))) {
                DrException e = catchThrowableOfType(DrException.class,
                        () -> repo.restore(id, target, RestoreOptions.all().withOverwrite(true)));
                assertThat(e).as(target.toString()).isNotNull();
                assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                assertThat(e.getMessage()).contains(target.toString()).contains(realRepo.toString());
                assertThat(e.input()).isEqualTo(target.toString());
            }
            assertThat(listing(repoDir)).isEqualTo(before);
            assertThat(repo.verify(VerifyOptions.readAllData()).ok()).isTrue();

            Path beside = tmp.resolve("restored");
            repo.restore(id, beside, RestoreOptions.all());
            assertThat(beside.resolve("data/a.txt")).hasContent("a");
        }
    }

    @Test
    void aBackupOfADirectoryHoldingTheRepositoryLeavesTheRepositoryOutAndSaysSo() throws Exception {
        try (Repository repo = init()) {
            BackupResult first = repo.backup(BackupRequest.builder().source(DirectorySource.of(srv)).build());
            assertThat(first.repositoryLeftOut()).containsExactly("srv/backups");
            assertThat(repo.entries(first.snapshotId())).extracting(SnapshotEntry::path)
                    .contains("srv/orders/order-1.json").noneMatch(p -> p.startsWith("srv/backups"));

            // Through a link to the parent too: compared by real path.
            Path link = Files.createSymbolicLink(tmp.resolve("srv-link"), srv.toAbsolutePath());
            BackupResult second = repo.backup(BackupRequest.builder().source(DirectorySource.of("srv", link)).build());
            assertThat(second.repositoryLeftOut()).containsExactly("srv/backups");
            assertThat(second.filesNew() + second.filesChanged()).isZero();
            assertThat(repo.entries(second.snapshotId())).extracting(SnapshotEntry::path)
                    .noneMatch(p -> p.startsWith("srv/backups"));

            BackupResult apart = repo.backup(BackupRequest.builder()
                    .source(DirectorySource.of(srv.resolve("orders"))).build());
            assertThat(apart.repositoryLeftOut()).isEmpty();
        }
    }

    private static List<Path> listing(Path dir) throws Exception {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.sorted().toList();
        }
    }
}
