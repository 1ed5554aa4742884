package dev.drkit.core.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.backup.EntryMetadata;
import dev.drkit.api.backup.EntryType;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.core.source.StreamSource;
import dev.drkit.testkit.store.InMemoryStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Owners and groups: recorded by a directory backup, given back by a restore run as root. */
class OwnershipTest {
    static final int UID = 12345;
    static final int GID = 23456;

    @TempDir
    Path tmp;

    final InMemoryStore store = new InMemoryStore();
    Path src;

    @BeforeEach
    void onlyAsRoot() throws IOException {
        Assumptions.assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("unix"),
                "needs the unix attribute view");
        Assumptions.assumeTrue(owner(Files.createFile(tmp.resolve("probe"))) == 0, "needs to run as root");
        Files.delete(tmp.resolve("probe"));
        src = tmp.resolve("src");
        Files.createDirectories(src.resolve("sub"));
        Files.writeString(src.resolve("owned.txt"), "owned");
        Files.writeString(src.resolve("sub/inner.txt"), "inner");
        Files.writeString(src.resolve("roots.txt"), "root's own");
        Files.writeString(src.resolve("group-only.txt"), "group only");
        Path setuid = Files.writeString(src.resolve("tool"), "#!/bin/sh\n");
        Files.setAttribute(setuid, "unix:mode", 04755);
        Files.createSymbolicLink(src.resolve("link"), Path.of("roots.txt"));
        for (Path p : List.of(src, src.resolve("sub"), src.resolve("owned.txt"), src.resolve("sub/inner.txt"),
                src.resolve("link"), setuid)) {
            chown(p, UID, GID);
        }
        chown(src.resolve("group-only.txt"), 0, GID);
        Files.setAttribute(setuid, "unix:mode", 04755); // chown cleared the set-user-id bit
    }

    static void chown(Path p, int uid, int gid) throws IOException {
        Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
    }

    static int owner(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    static int group(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
    }

    static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    }

    Repository init() {
        return Repository.init(store, RepositoryTest.PASSWORD, RepositoryTest.fastOptions().build());
    }

    String backup(Repository repo) {
        return repo.backup(BackupRequest.builder().source(DirectorySource.of("data", src)).build()).snapshotId();
    }

    @Test
    void aRestoreAsRootGivesFilesDirectoriesAndLinksTheOwnersTheBackupRecorded() throws IOException {
        Path out = tmp.resolve("out");
        try (Repository repo = init()) {
            repo.restore(backup(repo), out, RestoreOptions.all());
        }
        Path data = out.resolve("data");
        for (Path p : List.of(data, data.resolve("sub"), data.resolve("owned.txt"), data.resolve("sub/inner.txt"),
                data.resolve("link"), data.resolve("tool"))) {
            assertThat(owner(p)).as("owner of %s", p).isEqualTo(UID);
            assertThat(group(p)).as("group of %s", p).isEqualTo(GID);
        }
        assertThat(owner(data.resolve("roots.txt"))).isZero();
        assertThat(group(data.resolve("roots.txt"))).isZero();
        assertThat(owner(data.resolve("group-only.txt"))).isZero();
        assertThat(group(data.resolve("group-only.txt"))).isEqualTo(GID);
        // The link itself was given the owner, not the file it points to.
        assertThat(Files.readSymbolicLink(data.resolve("link"))).isEqualTo(Path.of("roots.txt"));
        // The owner is set before the mode: a change of owner clears the set-user-id bit.
        assertThat(mode(data.resolve("tool"))).isEqualTo(04755);
        assertThat(data.resolve("owned.txt")).hasContent("owned");
    }

    @Test
    void withOwnersOffEverythingBelongsToTheRestoringUser() throws IOException {
        Path out = tmp.resolve("out");
        try (Repository repo = init()) {
            repo.restore(backup(repo), out, RestoreOptions.all().withOwners(false));
        }
        Path data = out.resolve("data");
        for (Path p : List.of(data, data.resolve("sub"), data.resolve("owned.txt"), data.resolve("sub/inner.txt"),
                data.resolve("link"), data.resolve("tool"), data.resolve("group-only.txt"))) {
            assertThat(owner(p)).as("owner of %s", p).isZero();
            assertThat(group(p)).as("group of %s", p).isZero();
        }
        assertThat(mode(data.resolve("tool"))).isEqualTo(04755);
        assertThat(RestoreOptions.all().owners()).isTrue();
        assertThat(RestoreOptions.all().withOwners(false).withOverwrite(false).owners()).isFalse();
    }

    @Test
    void aFileOfRootsGroupRestoredIntoASetGroupIdDirectoryGetsRootsGroupBack() throws IOException {
        // A new entry in a set-group-id directory takes the directory's group, not the restorer's:
        // the restore must not take "same ids as root" to mean "nothing to do".
        Path out = Files.createDirectories(tmp.resolve("shared"));
        chown(out, 0, GID);
        Files.setAttribute(out, "unix:mode", 02775);
        try (Repository repo = init()) {
            String id = backup(repo);
            repo.restore(id, out, RestoreOptions.all());
        }
        Path data = out.resolve("data");
        assertThat(group(data.resolve("roots.txt"))).isZero();
        assertThat(group(data.resolve("owned.txt"))).isEqualTo(GID);
        assertThat(group(data.resolve("sub/inner.txt"))).isEqualTo(GID);
        assertThat(owner(data.resolve("sub/inner.txt"))).isEqualTo(UID);
    }

    @Test
    void aKeptDirectoryOfTheTargetGetsTheRecordedOwnerToo() throws IOException {
        Path out = tmp.resolve("out");
        Files.createDirectories(out.resolve("data/sub"));
        chown(out.resolve("data/sub"), 777, 888);
        try (Repository repo = init()) {
            repo.restore(backup(repo), out, RestoreOptions.all());
        }
        assertThat(owner(out.resolve("data/sub"))).isEqualTo(UID);
        assertThat(group(out.resolve("data/sub"))).isEqualTo(GID);
    }

    @Test
    void aChownAloneIsSeenByTheNextIncrementalBackup() throws IOException {
        Path out = tmp.resolve("out");
        try (Repository repo = init()) {
            backup(repo);
            chown(src.resolve("sub/inner.txt"), 4242, 4343);
            String second = backup(repo);
            repo.restore(second, out, RestoreOptions.all());
        }
        assertThat(owner(out.resolve("data/sub/inner.txt"))).isEqualTo(4242);
        assertThat(group(out.resolve("data/sub/inner.txt"))).isEqualTo(4343);
        assertThat(owner(out.resolve("data/owned.txt"))).isEqualTo(UID);
    }

    @Test
    void aCopiedSnapshotKeepsItsOwners() throws IOException {
        Path out = tmp.resolve("out");
        try (Repository repo = init();
                Repository copy = Repository.init(new InMemoryStore(), RepositoryTest.PASSWORD,
                        RepositoryTest.fastOptions().build())) {
            String id = backup(repo);
            repo.copyTo(copy, List.of(id));
            copy.restore(id, out, RestoreOptions.all());
        }
        assertThat(owner(out.resolve("data/sub/inner.txt"))).isEqualTo(UID);
        assertThat(group(out.resolve("data/link"))).isEqualTo(GID);
    }

    @Test
    void aSnapshotWithoutOwnersRestoresWithTheRestorersOwnership() throws IOException {
        // A source that records no owners writes trees as they were before owners were recorded
        // (TreeCodecTest: byte for byte), so this is also how an older snapshot restores. Into a
        // set-group-id directory, a new file takes that directory's group: nothing changes it.
        Path out = Files.createDirectories(tmp.resolve("shared"));
        chown(out, 0, GID);
        Files.setAttribute(out, "unix:mode", 02775);
        try (Repository repo = init()) {
            String id = repo.backup(BackupRequest.builder().source(StreamSource.of("dump", "dump.sql",
                    () -> new ByteArrayInputStream("select 1;".getBytes(StandardCharsets.UTF_8)))).build())
                    .snapshotId();
            repo.restore(id, out, RestoreOptions.all());
        }
        assertThat(out.resolve("dump/dump.sql")).hasContent("select 1;");
        assertThat(owner(out.resolve("dump/dump.sql"))).isZero();
        assertThat(group(out.resolve("dump/dump.sql"))).isEqualTo(GID);
    }

    @Test
    void entryMetadataRefusesAnIdOutOfRangeNamingIt() {
        assertThat(new EntryMetadata(EntryType.FILE, 1, Instant.EPOCH, 0644, 0, 0).uid())
                .isEqualTo(EntryMetadata.NO_ID);
        assertThatThrownBy(() -> new EntryMetadata(EntryType.FILE, 1, Instant.EPOCH, 0644, 0, 0, -5, 0))
                .isInstanceOfSatisfying(DrException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).startsWith("uid must be NO_ID").endsWith("but was -5");
                });
        assertThatThrownBy(() -> new EntryMetadata(EntryType.FILE, 1, Instant.EPOCH, 0644, 0, 0, 0, 1L << 32))
                .hasMessageStartingWith("gid must be NO_ID");
    }
}
