package dev.drkit.core.store.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.ListPage;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.api.store.StoreKeys;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A store in a directory of the local file system.
 *
 * <p>Every write goes to a temporary file in the target directory, is flushed to disk, and
 * is then renamed into place, so a reader never sees part of an object and a crash leaves
 * either the old object or the new one. {@code putIfAbsent} publishes the temporary file
 * with a hard link, which the file system creates atomically only when the name is free,
 * so exactly one of several writers wins, also across processes. {@code put},
 * {@code replace} and {@code delete} of a key serialize on one of {@value #STRIPES} lock
 * files (a JVM lock plus an OS file lock), which makes {@code replace}'s etag check and
 * rename atomic with respect to every other write, in this process and others.
 *
 * <p>The root directory is made only by {@link #createLocationIfMissing()}, when a store is
 * created (a repository's init, a coordinator's open, {@code ?create=true}); a write makes only
 * the key's directories below it, one at a time from the root, so a root that is gone is
 * {@code NOT_FOUND} naming it rather than an empty store started where the old one was.
 *
 * <p>Layout: a key {@code a/b/c} is stored as {@code a.d/b.d/c} under the root. Directory
 * names end in {@code .d} and object names never do, so a key may also be the prefix
 * directory of other keys ({@code a} and {@code a/b} can coexist), as in an object store.
 * Characters are kept as they are except {@code %}, a leading {@code .} and a trailing
 * {@code .d}, which are percent-encoded. Names starting with {@code .} are the store's own
 * (temporary files, lock files) and never listed.
 *
 * <p>A temporary file is named {@value TemporaryFiles#PREFIX} and a random UUID, in the
 * directory of the key it is written for ({@code index.d/.tmp-...} for an index file,
 * {@code data.d/ab.d/.tmp-...} for a pack). A writer killed between writing it and renaming it
 * leaves it there; {@link #temporaryFiles()} lists such files and
 * {@link #deleteTemporaryFiles(Instant)} removes the old ones.
 *
 * <p>An etag is made of the file's size, nanosecond modification time and inode: every
 * write creates a new file, so every write changes the etag. The modification time is set by
 * the writer, from the wall clock and later than any this process set before, rather than
 * left to the file system, whose clock of file times ticks every few milliseconds and which
 * hands a freed inode to the next file: a third write of the same size within one tick could
 * otherwise come back with the first one's etag, and a {@code replace} holding it succeed.
 */
final class FileSnapshotStore implements SnapshotStore, DirectReads, TemporaryFiles {
    static final int STRIPES = 64;
    private static final String DIR_SUFFIX = ".d";
    private static final String LOCK_DIR = ".locks";
    private static final ReentrantLock[] JVM_LOCKS = new ReentrantLock[1024];

    static {
        for (int i = 0; i < JVM_LOCKS.length; i++) {
            JVM_LOCKS[i] = new ReentrantLock();
        }
    }

    private final Path root;
    private final String description;
    private final boolean syncDirectories;
    private volatile boolean hardLinksWork = true;

    /**
     * Opens a store rooted at a directory. Writes create the directories of keys below it, never
     * the directory itself: {@link #createRoot()} does, when the store is created.
     *
     * @param root the directory
     */
    FileSnapshotStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.description = this.root.toUri().toString();
        this.syncDirectories = true;
    }

    /**
     * Creates the store's directory, and its parents, unless it exists: what creating the store
     * means ({@code Repository.init}, a coordinator's open, {@code file:...?create=true}), and
     * the one place the directory is made.
     *
     * @return true when it was created, false when it existed
     * @throws DrException {@code IO_FAILURE} or {@code ACCESS_DENIED} naming the directory when
     *     it cannot be created
     */
    @Override
    public boolean createLocationIfMissing() {
        return createRoot();
    }

    boolean createRoot() {
        if (Files.isDirectory(root)) {
            return false;
        }
        try {
            Files.createDirectories(root);
            syncDirectory(root.getParent());
            return true;
        } catch (IOException e) {
            ErrorCode code = e instanceof AccessDeniedException ? ErrorCode.ACCESS_DENIED : ErrorCode.IO_FAILURE;
            throw new DrException(code, "Cannot create the directory of the store " + description + ": " + e,
                    root.toString(), e);
        }
    }

    /**
     * Returns the directory this store keeps its objects in.
     *
     * @return the absolute root directory
     */
    public Path root() {
        return root;
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        Path file = pathOf(StoreKeys.requireValidKey(key));
        try {
            BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attrs.isRegularFile()) {
                return Optional.empty();
            }
            return Optional.of(info(key, attrs));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw failure("read", key, e);
        }
    }

    @Override
    public byte[] get(String key) {
        Path file = pathOf(StoreKeys.requireValidKey(key));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE - 8) {
                throw failure("read", key, new IOException("object is larger than 2 GiB"));
            }
            byte[] data = new byte[(int) size];
            // Objects are replaced by renaming, so the open file does not change while it is read.
            int n = readFully(ch, 0, data, data.length);
            return n == data.length ? data : Arrays.copyOf(data, n);
        } catch (NoSuchFileException e) {
            throw notFound(key);
        } catch (IOException e) {
            if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
                throw notFound(key);
            }
            throw failure("read", key, e);
        }
    }

    @Override
    public int read(String key, long offset, byte[] into, int intoOffset, int length) {
        Objects.checkFromIndexSize(intoOffset, length, into.length);
        return readRange(key, offset, length, (ch, n) -> readFully(ch, offset, into, intoOffset, n));
    }

    @Override
    public int read(String key, long offset, ByteBuffer into) {
        int length = into.remaining();
        return readRange(key, offset, length, (ch, n) -> {
            // A direct buffer is filled by the kernel with no copy between, so no slices.
            ByteBuffer part = into.duplicate();
            part.limit(part.position() + n);
            int done = 0;
            while (done < n) {
                int r = ch.read(part, offset + done);
                if (r < 0) {
                    break;
                }
                done += r;
            }
            into.position(into.position() + done);
            return done;
        });
    }

    @Override
    public byte[] get(String key, long offset, int length) {
        return readRange(key, offset, length, (ch, n) -> {
            byte[] data = new byte[n];
            int read = readFully(ch, offset, data, n);
            return read == n ? data : Arrays.copyOf(data, read);
        });
    }

    /** Reads {@code n} bytes, what the file holds of a requested range, from an open channel. */
    private interface RangeReader<T> {
        T read(FileChannel ch, int n) throws IOException;
    }

    /**
     * Opens the file of {@code key} and hands what it holds of {@code [offset, offset + length)}
     * (possibly nothing) to {@code reader}.
     */
    private <T> T readRange(String key, long offset, int length, RangeReader<T> reader) {
        Path file = pathOf(StoreKeys.requireValidKey(key));
        StoreKeys.requireValidRange(offset, length);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            int n = offset >= size ? 0 : (int) Math.min(length, size - offset);
            return reader.read(ch, n);
        } catch (NoSuchFileException e) {
            throw notFound(key);
        } catch (IOException e) {
            throw failure("read", key, e);
        }
    }

    @Override
    public ObjectInfo put(String key, byte[] data) {
        return put(key, data, 0, data.length);
    }

    @Override
    public ObjectInfo put(String key, byte[] data, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, data.length);
        Path file = pathOf(StoreKeys.requireValidKey(key));
        Path tmp = writeTemp(key, file, data, offset, length);
        try {
            return withKeyLock(key, () -> {
                moveIntoPlace(tmp, file);
                return statWritten(key, file);
            });
        } finally {
            deleteQuietly(tmp);
        }
    }

    @Override
    public Optional<ObjectInfo> putIfAbsent(String key, byte[] data) {
        Path file = pathOf(StoreKeys.requireValidKey(key));
        Path tmp = writeTemp(key, file, data);
        try {
            if (hardLinksWork) {
                try {
                    Files.createLink(file, tmp);
                    syncDirectory(file.getParent());
                    // The temporary name is the same file; unlike the key's name, a concurrent
                    // delete cannot take it away before it is read.
                    return Optional.of(statWritten(key, tmp));
                } catch (FileAlreadyExistsException e) {
                    return Optional.empty();
                } catch (UnsupportedOperationException e) {
                    // No hard links on this file system: use the key lock from now on.
                    hardLinksWork = false;
                } catch (IOException e) {
                    // Some file systems refuse links (EPERM): fall back to the key lock for this call.
                }
            }
            return withKeyLock(key, () -> {
                if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                    return Optional.<ObjectInfo>empty();
                }
                moveIntoPlace(tmp, file);
                return Optional.of(statWritten(key, file));
            });
        } finally {
            deleteQuietly(tmp);
        }
    }

    @Override
    public Optional<ObjectInfo> replace(String key, byte[] data, String expectedEtag) {
        Path file = pathOf(StoreKeys.requireValidKey(key));
        if (stat(key).filter(i -> i.etag().equals(expectedEtag)).isEmpty()) {
            if (!Files.isDirectory(root)) {
                throw rootMissing(key);
            }
            return Optional.empty();
        }
        Path tmp = writeTemp(key, file, data);
        try {
            return withKeyLock(key, () -> {
                Optional<ObjectInfo> current = stat(key);
                if (current.isEmpty() || !current.get().etag().equals(expectedEtag)) {
                    return Optional.<ObjectInfo>empty();
                }
                moveIntoPlace(tmp, file);
                return Optional.of(statWritten(key, file));
            });
        } finally {
            deleteQuietly(tmp);
        }
    }

    @Override
    public ListPage list(String prefix, @Nullable String pageToken, int pageSize) {
        StoreKeys.requireValidPrefix(prefix);
        Ranges.checkPageSize(pageSize);
        String after = Ranges.keyAfter(prefix, pageToken);
        List<ObjectInfo> all = listAll(prefix);
        List<ObjectInfo> page = new ArrayList<>(Math.min(pageSize, all.size()));
        for (ObjectInfo info : all) {
            if (after != null && Ranges.compareKeys(info.key(), after) <= 0) {
                continue;
            }
            if (page.size() == pageSize) {
                return new ListPage(page, page.get(page.size() - 1).key());
            }
            page.add(info);
        }
        return new ListPage(page, null);
    }

    @Override
    public Stream<ObjectInfo> list(String prefix) {
        StoreKeys.requireValidPrefix(prefix);
        return listAll(prefix).stream();
    }

    @Override
    public void delete(String key) {
        Path file = pathOf(StoreKeys.requireValidKey(key));
        withKeyLock(key, () -> {
            try {
                if (!Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
                    Files.deleteIfExists(file);
                }
            } catch (IOException e) {
                throw failure("delete", key, e);
            }
            return null;
        });
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        // Nothing is held open between calls.
    }

    @Override
    public String toString() {
        return "FileSnapshotStore[" + description + "]";
    }

    // ---- layout -------------------------------------------------------------------------

    Path pathOf(String key) {
        String[] segments = key.split("/", -1);
        Path p = root;
        for (int i = 0; i < segments.length - 1; i++) {
            p = p.resolve(encode(segments[i]) + DIR_SUFFIX);
        }
        return p.resolve(encode(segments[segments.length - 1]));
    }

    static String encode(String segment) {
        StringBuilder out = new StringBuilder(segment.length() + 4);
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '%' || (c == '.' && i == 0)) {
                out.append('%').append(String.format("%02X", (int) c));
            } else {
                out.append(c);
            }
        }
        int n = out.length();
        if (n >= 2 && out.charAt(n - 2) == '.' && out.charAt(n - 1) == 'd') {
            out.replace(n - 2, n - 1, "%2E");
        }
        return out.toString();
    }

    static @Nullable String decode(String name) {
        if (name.isEmpty() || name.startsWith(".")) {
            return null;
        }
        if (name.indexOf('%') < 0) {
            return name;
        }
        byte[] raw = name.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length);
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == '%') {
                if (i + 2 >= raw.length) {
                    return null;
                }
                int hi = Character.digit(raw[i + 1], 16);
                int lo = Character.digit(raw[i + 2], 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                out.write(hi * 16 + lo);
                i += 2;
            } else {
                out.write(raw[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private List<ObjectInfo> listAll(String prefix) {
        int slash = prefix.lastIndexOf('/');
        String dirPart = slash >= 0 ? prefix.substring(0, slash) : "";
        Path dir = root;
        if (!dirPart.isEmpty()) {
            for (String segment : dirPart.split("/")) {
                dir = dir.resolve(encode(segment) + DIR_SUFFIX);
            }
        }
        List<ObjectInfo> found = new ArrayList<>();
        try {
            walk(dir, dirPart.isEmpty() ? "" : dirPart + "/", prefix, found);
        } catch (UncheckedIOException e) {
            throw failure("list", prefix, e.getCause());
        }
        found.sort((a, b) -> Ranges.compareKeys(a.key(), b.key()));
        return found;
    }

    private void walk(Path dir, String keyPrefix, String prefix, List<ObjectInfo> out) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.startsWith(".")) {
                    continue;
                }
                BasicFileAttributes attrs;
                try {
                    attrs = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException gone) {
                    continue;
                }
                if (attrs.isDirectory() && name.endsWith(DIR_SUFFIX)) {
                    String segment = decode(name.substring(0, name.length() - DIR_SUFFIX.length()));
                    if (segment == null) {
                        continue;
                    }
                    String childPrefix = keyPrefix + segment + "/";
                    // Descend only where keys below could match the prefix.
                    if (childPrefix.startsWith(prefix) || prefix.startsWith(childPrefix)) {
                        walk(entry, childPrefix, prefix, out);
                    }
                } else if (attrs.isRegularFile() && !name.endsWith(DIR_SUFFIX)) {
                    String segment = decode(name);
                    if (segment == null) {
                        continue;
                    }
                    String key = keyPrefix + segment;
                    if (key.startsWith(prefix)) {
                        out.add(info(key, attrs));
                    }
                }
            }
        } catch (NoSuchFileException e) {
            // No such directory: nothing stored under this prefix.
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- temporary files ----------------------------------------------------------------

    @Override
    public List<TemporaryFile> temporaryFiles() {
        List<TemporaryFile> found = new ArrayList<>();
        findTemporary(root, found);
        return found;
    }

    @Override
    public int deleteTemporaryFiles(Instant modifiedBefore) {
        int deleted = 0;
        for (TemporaryFile file : temporaryFiles()) {
            if (!file.lastModified().isBefore(modifiedBefore)) {
                continue;
            }
            try {
                if (Files.deleteIfExists(file.path())) {
                    deleted++;
                }
            } catch (IOException e) {
                throw failure("delete", root.relativize(file.path()).toString(), e);
            }
        }
        return deleted;
    }

    /** Collects the temporary files of {@code dir} and of the key directories below it. */
    private void findTemporary(Path dir, List<TemporaryFile> out) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                BasicFileAttributes attrs;
                try {
                    attrs = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException gone) {
                    continue; // renamed into place or deleted meanwhile
                }
                if (attrs.isRegularFile() && name.startsWith(PREFIX)) {
                    out.add(new TemporaryFile(entry, attrs.size(), attrs.lastModifiedTime().toInstant()));
                } else if (attrs.isDirectory() && !name.startsWith(".") && name.endsWith(DIR_SUFFIX)) {
                    findTemporary(entry, out);
                }
            }
        } catch (NoSuchFileException e) {
            // No such directory (yet): nothing in it.
        } catch (IOException e) {
            throw failure("list the temporary files of", root.relativize(dir) + "/", e);
        }
    }

    // ---- writing ------------------------------------------------------------------------

    private Path writeTemp(String key, Path file, byte[] data) {
        return writeTemp(key, file, data, 0, data.length);
    }

    /**
     * Bytes per read or write call. The JDK copies a heap buffer through a per-thread direct
     * buffer as large as the call; calls of varying large sizes make it free and allocate such
     * buffers over and over, each a fresh mapping the kernel must zero, which cost more system
     * time than the I/O itself. Equal slices reuse one buffer.
     */
    private static final int WRITE_SLICE = 1 << 20;

    /**
     * Reads up to {@code length} bytes from {@code position} into {@code data}, in slices of at
     * most {@link #WRITE_SLICE} bytes for the reason given there, and returns how many it read.
     */
    private static int readFully(FileChannel ch, long position, byte[] data, int length) throws IOException {
        return readFully(ch, position, data, 0, length);
    }

    private static int readFully(FileChannel ch, long position, byte[] data, int at, int length) throws IOException {
        int done = 0;
        while (done < length) {
            int r = ch.read(ByteBuffer.wrap(data, at + done, Math.min(WRITE_SLICE, length - done)), position + done);
            if (r < 0) {
                break;
            }
            done += r;
        }
        return done;
    }

    private Path writeTemp(String key, Path file, byte[] data, int offset, int length) {
        Path dir = file.getParent();
        Path tmp = dir.resolve(PREFIX + UUID.randomUUID());
        try {
            if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
                throw new DrException(ErrorCode.IO_FAILURE,
                        "Cannot write '" + key + "' in " + description + ": a directory has its name", key);
            }
            createKeyDirectories(key, dir);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                int end = offset + length;
                for (int at = offset; at < end; ) {
                    ByteBuffer buf = ByteBuffer.wrap(data, at, Math.min(WRITE_SLICE, end - at));
                    while (buf.hasRemaining()) {
                        at += ch.write(buf);
                    }
                }
                Files.setLastModifiedTime(tmp, writeTime());
                ch.force(true);
            }
            return tmp;
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw failure("write", key, e);
        }
    }

    /**
     * Creates the directories of a key below the root, one at a time from the root down, so that
     * a root that is gone (removed, moved, a volume not mounted) is never made again by a write,
     * which would start an empty store where the old one was: lease epochs from 1, shared state
     * from nothing, a repository that is missing.
     */
    private void createKeyDirectories(String key, Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        if (dir.equals(root)) {
            throw rootMissing(key);
        }
        Path d = root;
        for (Path name : root.relativize(dir)) {
            d = d.resolve(name);
            try {
                Files.createDirectory(d);
            } catch (FileAlreadyExistsException e) {
                if (!Files.isDirectory(d)) {
                    throw e;
                }
            } catch (NoSuchFileException e) {
                if (d.getParent().equals(root)) {
                    throw rootMissing(key);
                }
                throw e; // removed meanwhile below the root
            }
        }
    }

    /** The last modification time this process gave a file, in nanoseconds since the epoch. */
    private static final AtomicLong LAST_WRITE_TIME = new AtomicLong();

    /** The wall clock's time, or a nanosecond after the last one given when that is later. */
    private static FileTime writeTime() {
        Instant now = Instant.now();
        long nanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        long t = LAST_WRITE_TIME.accumulateAndGet(nanos, (last, clock) -> Math.max(last + 1, clock));
        return FileTime.from(t, TimeUnit.NANOSECONDS);
    }

    private void moveIntoPlace(Path tmp, Path file) {
        try {
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            syncDirectory(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void syncDirectory(Path dir) {
        if (!syncDirectories) {
            return;
        }
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some file systems cannot open directories for syncing; the rename itself is done.
        }
    }

    private ObjectInfo statWritten(String key, Path file) {
        try {
            return info(key, Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectInfo info(String key, BasicFileAttributes attrs) {
        long nanos = attrs.lastModifiedTime().to(TimeUnit.NANOSECONDS);
        Object fileKey = attrs.fileKey();
        String etag = Long.toHexString(attrs.size()) + "-" + Long.toHexString(nanos) + "-"
                + Integer.toHexString(fileKey == null ? 0 : fileKey.hashCode());
        return new ObjectInfo(key, attrs.size(), etag, attrs.lastModifiedTime().toInstant());
    }

    // ---- locking ------------------------------------------------------------------------

    @FunctionalInterface
    private interface LockedAction<T> {
        T run();
    }

    private <T> T withKeyLock(String key, LockedAction<T> action) {
        int stripe = Math.floorMod(key.hashCode(), STRIPES);
        ReentrantLock jvmLock = JVM_LOCKS[Math.floorMod(root.hashCode() * 31 + stripe, JVM_LOCKS.length)];
        jvmLock.lock();
        try {
            Path lockFile = root.resolve(LOCK_DIR).resolve(Integer.toString(stripe));
            createKeyDirectories(key, lockFile.getParent());
            try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock ignored = ch.lock()) {
                return action.run();
            }
        } catch (UncheckedIOException e) {
            throw failure("write", key, e.getCause());
        } catch (IOException e) {
            throw failure("lock", key, e);
        } finally {
            jvmLock.unlock();
        }
    }

    // ---- errors -------------------------------------------------------------------------

    private DrException notFound(String key) {
        return new DrException(ErrorCode.NOT_FOUND, "No object '" + key + "' in " + description, key);
    }

    /**
     * The store's directory does not exist: an error naming it, for a write, which does not
     * create it, and for a conditional write, whose refusal would otherwise read as "changed".
     */
    private DrException rootMissing(String key) {
        return new DrException(ErrorCode.NOT_FOUND, "Cannot write '" + key + "' in " + description
                + ": the store's directory " + root + " does not exist (removed, moved, or its volume not mounted?)"
                + "; a write does not create it. A store's directory is created with the store: 'dr init', "
                + "Repository.init or openOrInit, a coordinator's open, or the URI option file:...?create=true",
                root.toString());
    }

    private DrException failure(String operation, String key, IOException e) {
        ErrorCode code = e instanceof AccessDeniedException ? ErrorCode.ACCESS_DENIED : ErrorCode.IO_FAILURE;
        return new DrException(code, "Cannot " + operation + " '" + key + "' in " + description + ": " + e, key, e);
    }

    private static void deleteQuietly(Path tmp) {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException e) {
            // A leftover temporary file is invisible to readers and listings.
        }
    }
}
