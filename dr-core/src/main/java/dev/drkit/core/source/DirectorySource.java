package dev.drkit.core.source;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.backup.ContentOpener;
import dev.drkit.api.backup.EntryMetadata;
import dev.drkit.api.backup.EntryType;
import dev.drkit.api.backup.EntryWriter;
import dev.drkit.api.backup.SnapshotSource;
import dev.drkit.api.backup.SourceView;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A directory tree as a snapshot source: regular files, directories and symbolic links (kept
 * as links), with permissions, modification times, inode numbers and numeric owner and group
 * ids (where the file system has the {@code unix} attribute view; no names are looked up); entries matching an
 * exclude glob are skipped, a directory with all it holds. Files are streamed, so their size is
 * not limited by memory.
 *
 * <p>An exclude glob is matched against each entry's path relative to the directory,
 * {@code /}-separated ({@code logs/app.log}), and against its name alone ({@code app.log}), in
 * Java's glob syntax: {@code *} and {@code ?} stay within a name, {@code **} crosses
 * {@code /}, {@code {a,b}} and {@code [abc]} choose. So {@code *.tmp} skips such files at any
 * depth, {@code cache} every entry named so, {@code logs/**} what the top-level {@code logs}
 * holds. A leading {@code **}{@code /} also matches at the top, as in gitignore and restic. A
 * glob that could never match is refused: an absolute one, one starting with {@code ./} or
 * {@code ../}, and one starting with the source's own name (or its directory's) when the
 * directory holds no entry of that name.
 *
 * <p>A file or directory below the root that this process may not read (a file it may not
 * open, a directory it may not list) is left out of the snapshot with a warning, and the
 * backup's result names it; the root itself must be readable. Other read errors fail the backup.
 *
 * <p>FIFOs, sockets and devices are skipped and reported through {@link EntryWriter#special}, so
 * that the backup's result counts them.
 *
 * <p>The tree is read as it is at backup time; it is not paused. Immutable and thread-safe.
 */
public final class DirectorySource implements SnapshotSource {
    private static final boolean UNIX_VIEW = FileSystems.getDefault().supportedFileAttributeViews().contains("unix");
    private static final String UNIX_ATTRIBUTES = "unix:mode,size,lastModifiedTime,ino,ctime,uid,gid";
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFLNK = 0120000;

    private final String name;
    private final Path root;
    private final List<String> excludes;
    private final ExcludePatterns excluded;
    private final Set<String> skipped;

    private DirectorySource(String name, Path root, List<String> excludes) {
        this(name, root, excludes, Set.of());
    }

    private DirectorySource(String name, Path root, List<String> excludes, Set<String> skipped) {
        this.name = Objects.requireNonNull(name, "name");
        this.root = root.toAbsolutePath().normalize();
        this.excludes = List.copyOf(excludes);
        this.excluded = ExcludePatterns.compile(name, this.root, this.excludes);
        this.skipped = Set.copyOf(skipped);
    }

    /**
     * Returns a source for a directory.
     *
     * @param name the source's name in the snapshot
     * @param root the directory
     * @param excludes globs of relative paths ({@code /}-separated) or file names to skip,
     *     such as {@code "*.tmp"} or {@code "build/**"}, as the class describes
     * @return the source
     * @throws DrException {@code INVALID_ARGUMENT} for a malformed glob or one that could never
     *     match, naming it
     */
    public static DirectorySource of(String name, Path root, String... excludes) {
        return new DirectorySource(name, root, List.of(excludes));
    }

    /**
     * Returns a source for a directory, named after the directory (characters other than
     * letters, digits, {@code .}, {@code _} and {@code -} become {@code _}).
     *
     * @param root the directory
     * @param excludes globs to skip, as {@link #of(String, Path, String...)}
     * @return the source
     */
    public static DirectorySource of(Path root, String... excludes) {
        Path abs = root.toAbsolutePath().normalize();
        String base = abs.getFileName() == null ? "root" : abs.getFileName().toString();
        String name = base.replaceAll("[^A-Za-z0-9._-]", "_");
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            name = "root";
        }
        return new DirectorySource(name, abs, List.of(excludes));
    }

    /** Returns the directory. @return the root */
    public Path root() {
        return root;
    }

    /** Returns the exclude globs. @return the globs */
    public List<String> excludes() {
        return excludes;
    }

    /**
     * Returns this source that also leaves out one entry, a directory with all it holds, named by
     * its exact path relative to the directory ({@code /}-separated, not a glob: {@code *} and
     * {@code [} in it are taken as they are). A backup leaves out a {@code file:} repository's own
     * directory this way when the source holds it.
     *
     * @param path the entry's relative path, such as {@code backups/orders}
     * @return the source
     * @throws DrException {@code INVALID_ARGUMENT} naming the path when it is empty, absolute or
     *     has empty, {@code .} or {@code ..} segments
     */
    public DirectorySource skipping(String path) {
        Objects.requireNonNull(path, "path");
        if (path.isEmpty() || path.startsWith("/") || path.endsWith("/")
                || Arrays.stream(path.split("/")).anyMatch(s -> s.isEmpty() || s.equals(".") || s.equals(".."))) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "A path to skip must be relative to " + root
                    + " without empty, . or .. segments, but was '" + path + "'", path);
        }
        Set<String> all = new HashSet<>(skipped);
        all.add(path);
        return new DirectorySource(name, root, excludes, all);
    }

    /** Returns the paths left out by {@link #skipping}, relative to the directory. @return the paths */
    public Set<String> skipped() {
        return skipped;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public SourceView begin() throws IOException {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(root, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new DrException(ErrorCode.NOT_FOUND, "Directory " + root + " does not exist", root.toString(), e);
        }
        if (!attrs.isDirectory()) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, root + " is not a directory", root.toString());
        }
        return new SourceView() {
            @Override
            public void writeTo(EntryWriter out) throws IOException {
                EntryMetadata rootMeta = rootMetadata();
                List<Path> children = children(root);
                out.directory("", rootMeta);
                walk(children, "", out);
            }

            @Override
            public void close() {
            }
        };
    }

    /**
     * Lists a directory's entries, sorted by name; none when it was deleted while the tree was
     * read, so that it is captured as empty.
     *
     * @throws java.nio.file.AccessDeniedException when the directory may not be listed
     */
    private static List<Path> children(Path dir) throws IOException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path child : stream) {
                children.add(child);
            }
        } catch (NoSuchFileException vanished) {
            return List.of();
        }
        children.sort(null);
        return children;
    }

    /**
     * Writes a directory's entries, depth first. An entry this process may not read (its
     * attributes, or the listing of a directory) is left out through
     * {@link EntryWriter#unreadable}; a file that may not be opened is left out by the backup
     * when it opens it.
     */
    private void walk(List<Path> children, String prefix, EntryWriter out) throws IOException {
        for (Path child : children) {
            String fileName = child.getFileName().toString();
            String path = prefix.isEmpty() ? fileName : prefix + "/" + fileName;
            if (skipped.contains(path) || excluded.matches(path, fileName)) {
                continue;
            }
            EntryMetadata meta;
            try {
                meta = stat(child);
            } catch (NoSuchFileException vanished) {
                continue;
            } catch (AccessDeniedException denied) {
                out.unreadable(path, denied);
                continue;
            }
            if (meta == null) {
                out.special(path); // sockets, pipes and devices are skipped, and counted
                continue;
            }
            switch (meta.type()) {
                case SYMLINK -> out.symlink(path, Files.readSymbolicLink(child).toString(), meta);
                case DIRECTORY -> {
                    List<Path> below;
                    try {
                        below = children(child);
                    } catch (AccessDeniedException denied) {
                        out.unreadable(path, denied);
                        continue;
                    }
                    out.directory(path, meta);
                    walk(below, path, out);
                    out.directoryEnd(path);
                }
                case FILE -> out.file(path, meta, new FileContent(child));
                default -> throw new IllegalStateException("unexpected type " + meta.type());
            }
        }
    }

    /** A file's content, and its metadata again ({@code lstat}) for the backup's check after reading it. */
    private record FileContent(Path file) implements ContentOpener {
        @Override
        public InputStream open() throws IOException {
            return Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS);
        }

        @Override
        public @Nullable EntryMetadata current() throws IOException {
            return stat(file);
        }
    }

    /**
     * Reads an entry's metadata without following a link, in one {@code lstat}: through the
     * {@code unix} attribute view where the file system has it, which gives the status change
     * time, the numeric owner and group and the whole mode (set-user-id, set-group-id and sticky bits included); else through
     * the POSIX view, without them (and without owner and group).
     *
     * @return the metadata, or {@code null} for a socket, pipe or device
     */
    static @Nullable EntryMetadata stat(Path p) throws IOException {
        if (UNIX_VIEW) {
            return unixMetadata(Files.readAttributes(p, UNIX_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS));
        }
        PosixFileAttributes attrs = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        EntryType type = attrs.isSymbolicLink() ? EntryType.SYMLINK : attrs.isDirectory() ? EntryType.DIRECTORY
                : attrs.isRegularFile() ? EntryType.FILE : null;
        return type == null ? null : metadata(type, attrs);
    }

    /** Reads the root directory's metadata as {@link #stat} does, following a link to it. */
    private EntryMetadata rootMetadata() throws IOException {
        EntryMetadata meta = UNIX_VIEW ? unixMetadata(Files.readAttributes(root, UNIX_ATTRIBUTES)) : null;
        return meta != null && meta.type() == EntryType.DIRECTORY ? meta
                : metadata(EntryType.DIRECTORY, Files.readAttributes(root, PosixFileAttributes.class));
    }

    /** The metadata in attributes read through {@link #UNIX_ATTRIBUTES}, or {@code null} for a special file. */
    private static @Nullable EntryMetadata unixMetadata(Map<String, Object> a) {
        int mode = (Integer) a.get("mode");
        EntryType type = switch (mode & S_IFMT) {
            case S_IFREG -> EntryType.FILE;
            case S_IFDIR -> EntryType.DIRECTORY;
            case S_IFLNK -> EntryType.SYMLINK;
            default -> null;
        };
        if (type == null) {
            return null;
        }
        Instant ctime = ((FileTime) a.get("ctime")).toInstant();
        return new EntryMetadata(type, type == EntryType.FILE ? (Long) a.get("size") : 0,
                ((FileTime) a.get("lastModifiedTime")).toInstant(), mode & 07777, (Long) a.get("ino"),
                ctime.getEpochSecond() * 1_000_000_000L + ctime.getNano(), id(a.get("uid")), id(a.get("gid")));
    }

    /** A uid or gid of the unix view, an int that holds the unsigned 32-bit id; {@code NO_ID} beyond the largest. */
    private static long id(Object value) {
        long id = Integer.toUnsignedLong((Integer) value);
        return id > EntryMetadata.MAX_ID ? EntryMetadata.NO_ID : id;
    }

    private static EntryMetadata metadata(EntryType type, PosixFileAttributes attrs) {
        return new EntryMetadata(type, type == EntryType.FILE ? attrs.size() : 0, attrs.lastModifiedTime().toInstant(),
                mode(attrs.permissions()), inode(attrs.fileKey()));
    }

    private static int mode(Set<PosixFilePermission> perms) {
        int mode = 0;
        for (PosixFilePermission p : perms) {
            mode |= switch (p) {
                case OWNER_READ -> 0400;
                case OWNER_WRITE -> 0200;
                case OWNER_EXECUTE -> 0100;
                case GROUP_READ -> 040;
                case GROUP_WRITE -> 020;
                case GROUP_EXECUTE -> 010;
                case OTHERS_READ -> 04;
                case OTHERS_WRITE -> 02;
                case OTHERS_EXECUTE -> 01;
            };
        }
        return mode;
    }

    /** Returns the inode number in a file key, or a hash of the key when it names none. */
    static long inode(@Nullable Object fileKey) {
        if (fileKey == null) {
            return 0;
        }
        // On Unix the key prints as "(dev=803,ino=1234)"; read the number without a regex, as
        // this runs for every entry.
        String key = fileKey.toString();
        int at = key.indexOf("ino=");
        if (at >= 0) {
            int from = at + 4;
            int to = from;
            while (to < key.length() && Character.isDigit(key.charAt(to))) {
                to++;
            }
            if (to > from) {
                try {
                    return Long.parseLong(key, from, to, 10);
                } catch (NumberFormatException e) {
                    // beyond a long: fall back to the hash
                }
            }
        }
        return fileKey.hashCode() & 0xffffffffL;
    }

    @Override
    public String toString() {
        return "DirectorySource[" + name + " = " + root + "]";
    }
}
