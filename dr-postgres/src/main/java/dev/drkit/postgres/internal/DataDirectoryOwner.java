package dev.drkit.postgres.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Gives the files a restore lays out itself ({@code backup_label}, the WAL segments, the
 * recovery settings) the owner and group of the restored data directory, and the modes
 * PostgreSQL gives its own files: {@code 0600} for files and {@code 0700} for directories, or
 * {@code 0640} and {@code 0750} when the data directory allows group access (as
 * {@code initdb -g} makes it). Only a restore run as root does this: PostgreSQL runs as the
 * data directory's owner and cannot read root's files. Run as another user, it does nothing.
 */
public final class DataDirectoryOwner {
    private static final int GROUP_ACCESS = 0050;

    private final boolean active;
    private final int uid;
    private final int gid;
    private final int fileMode;
    private final int directoryMode;

    private DataDirectoryOwner(boolean active, int uid, int gid, boolean groupAccess) {
        this.active = active;
        this.uid = uid;
        this.gid = gid;
        this.fileMode = groupAccess ? 0640 : 0600;
        this.directoryMode = groupAccess ? 0750 : 0700;
    }

    /**
     * Reads the owner, group and mode of a restored data directory, and whether this process
     * runs as root (the owner of a file it creates there).
     *
     * @param dataDirectory the data directory, its base backup's files restored
     * @return the owner to give laid-out files
     * @throws IOException when the directory cannot be read or written
     */
    public static DataDirectoryOwner of(Path dataDirectory) throws IOException {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(dataDirectory, "unix:uid,gid,mode");
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return new DataDirectoryOwner(false, -1, -1, false);
        }
        Path probe = Files.createTempFile(dataDirectory, ".dr-owner-", "");
        int processUid;
        try {
            processUid = (Integer) Files.getAttribute(probe, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        } finally {
            Files.delete(probe);
        }
        int mode = (Integer) a.get("mode");
        return new DataDirectoryOwner(processUid == 0, (Integer) a.get("uid"), (Integer) a.get("gid"),
                (mode & GROUP_ACCESS) == GROUP_ACCESS);
    }

    /**
     * Gives a laid-out file or directory, and everything under a directory, the data directory's
     * owner, group and PostgreSQL's modes; does nothing unless the restore runs as root.
     *
     * @param path the file or directory the restore wrote
     * @throws IOException when an owner or mode cannot be set
     */
    public void own(Path path) throws IOException {
        if (!active || !Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> all = Files.walk(path)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (Files.isSymbolicLink(p)) {
                    continue;
                }
                Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:mode", Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
                        ? directoryMode : fileMode, LinkOption.NOFOLLOW_LINKS);
            }
        }
    }
}
