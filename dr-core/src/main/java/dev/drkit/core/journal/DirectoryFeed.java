package dev.drkit.core.journal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.journal.Change;
import dev.drkit.api.journal.ChangeFeed;
import dev.drkit.api.journal.ChangeSink;
import dev.drkit.api.journal.FeedResume;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A feed of a directory tree's files, from a {@link WatchService} plus periodic rescans (for
 * overflowed or missed events and for file systems without notification). A file is captured
 * once it is stable: its size and modification time unchanged for {@code stableFor}; a file
 * that keeps changing is captured anyway after {@code maxUnstable}, with a warning naming it, so
 * that nothing is left out. A renamed file is recorded as a deletion and a put (its content is
 * deduplicated). A file replaced by a directory of its name is recorded as the file's deletion
 * and the creation of the files below, and a directory replaced by a file of its name as the
 * deletion of the files below it and the file's creation, each deletion before the put: no put
 * removes a file of the journal's state on its own. Directories themselves, permissions and
 * links are not journaled.
 *
 * <p>After a restart the feed compares the tree with the state the journal holds and emits only
 * the differences. Problems (the watched directory deleted or unreadable, a file that cannot
 * be read) are logged naming the path and kept in {@link #problems()}; a vanished root emits no
 * deletions, so the journal keeps the last state it saw.
 */
public final class DirectoryFeed implements ChangeFeed {
    /** The default time a file must stay unchanged before it is captured. */
    public static final Duration DEFAULT_STABLE_FOR = Duration.ofMillis(200);
    /** The default time after which a file that keeps changing is captured anyway. */
    public static final Duration DEFAULT_MAX_UNSTABLE = Duration.ofSeconds(30);
    /** The default interval of full rescans. */
    public static final Duration DEFAULT_RESCAN_EVERY = Duration.ofMinutes(1);
    /** The default interval at which pending files are checked. */
    public static final Duration DEFAULT_CHECK_EVERY = Duration.ofMillis(50);
    private static final Logger LOG = LoggerFactory.getLogger(DirectoryFeed.class);

    /** What was last seen of a file waiting to stabilise. */
    private record Seen(long size, Instant modified, Instant since, Instant dirtySince) {
    }

    /**
     * How long before the journal's last segment a file's status change still makes the resume
     * read it: a change taken just before the writer stopped may have waited for stability and
     * not reached that segment.
     */
    private static final Duration RESUME_SLACK = Duration.ofMinutes(1);
    /** How far a status change may follow the modification of the same write. */
    private static final Duration TIME_PUT_BACK = Duration.ofSeconds(2);
    /** Status changes after this instant make a resumed file be read again; null when unknown. */
    private @Nullable Instant changedAfter;
    /** The journal's files not yet met since the feed resumed. */
    private final Set<String> toCheckOnResume = new HashSet<>();
    /** Files found rewritten with their time put back, read again once they are stable. */
    private final Set<String> suspects = new HashSet<>();

    /** What was last emitted for a file. */
    private record Emitted(long size, Instant modified, byte @Nullable [] digest) {
    }

    private final String name;
    private final Path root;
    private final Clock clock;
    private final Duration stableFor;
    private final Duration maxUnstable;
    private final Duration rescanEvery;
    private final Duration checkEvery;
    private final boolean background;
    private final Object lock = new Object();
    private final Set<String> dirty = new TreeSet<>();
    private final Map<String, Seen> seen = new HashMap<>();
    /** What the journal holds, as this feed emitted it: no path in it is a path prefix of another. */
    private final NavigableMap<String, Emitted> emitted = new TreeMap<>();
    private final Map<WatchKey, Path> watched = new ConcurrentHashMap<>();
    private final Map<String, String> problems = new ConcurrentHashMap<>();
    private @Nullable WatchService watcher;
    private @Nullable ChangeSink sink;
    private @Nullable ScheduledExecutorService executor;
    private long position;
    private Instant lastRescan = Instant.EPOCH;
    private boolean rootMissing;

    private DirectoryFeed(Builder b) {
        this.name = b.name;
        this.root = b.root.toAbsolutePath().normalize();
        this.clock = b.clock;
        this.stableFor = b.stableFor;
        this.maxUnstable = b.maxUnstable;
        this.rescanEvery = b.rescanEvery;
        this.checkEvery = b.checkEvery;
        this.background = b.background;
    }

    /**
     * Returns a feed of a directory with the default timings.
     *
     * @param name the source's name
     * @param root the directory
     * @return the feed
     */
    public static DirectoryFeed of(String name, Path root) {
        return builder(name, root).build();
    }

    /**
     * Starts building a feed of a directory.
     *
     * @param name the source's name
     * @param root the directory
     * @return the builder
     */
    public static Builder builder(String name, Path root) {
        return new Builder(name, root);
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * Checks that the directory exists and can be read.
     *
     * @throws DrException {@code NOT_FOUND} naming the directory when it does not exist or is
     *     not a directory; {@code ACCESS_DENIED} naming it when it cannot be read
     */
    @Override
    public void checkCanStart() {
        if (!Files.isDirectory(root)) {
            throw new DrException(ErrorCode.NOT_FOUND, "Watched directory " + root + " does not exist or is not a "
                    + "directory", root.toString());
        }
        if (!Files.isReadable(root) || !Files.isExecutable(root)) {
            throw new DrException(ErrorCode.ACCESS_DENIED, "Watched directory " + root + " cannot be read",
                    root.toString());
        }
    }

    /**
     * Registers the watches, compares the tree with the journal's state and, unless built
     * without background, checks pending files every {@code checkEvery} on a thread of its own.
     *
     * @throws DrException {@code NOT_FOUND} naming the directory when it does not exist or is
     *     not a directory; {@code ACCESS_DENIED} naming it when it cannot be read
     */
    @Override
    public void start(FeedResume resume, ChangeSink changes) throws IOException {
        checkCanStart();
        synchronized (lock) {
            this.sink = changes;
            this.position = resume.position();
            resume.entries().forEach((p, e) -> emitted.put(p, new Emitted(e.size(), e.modified(), null)));
            Instant synced = resume.syncedUpTo();
            if (synced != null) {
                this.changedAfter = synced.minus(RESUME_SLACK);
                this.toCheckOnResume.addAll(resume.entries().keySet());
            }
            this.watcher = FileSystems.getDefault().newWatchService();
            rescan();
        }
        if (background) {
            executor = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "dr-watch-" + name);
                t.setDaemon(true);
                return t;
            });
            long every = Math.max(1, checkEvery.toMillis());
            executor.scheduleWithFixedDelay(() -> {
                try {
                    check();
                } catch (RuntimeException e) {
                    LOG.warn("Watching {} failed: {}", root, e.toString());
                }
            }, every, every, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Runs one pass: takes the watch events, rescans when due or after an overflow, and emits
     * the changes of files that became stable. The background thread calls it; a feed built
     * without background is driven by calling it.
     */
    public void check() {
        synchronized (lock) {
            if (sink == null || watcher == null) {
                return;
            }
            boolean overflow = drainEvents();
            Instant now = clock.instant();
            if (!Files.isDirectory(root)) {
                if (!rootMissing) {
                    LOG.error("Watched directory {} is gone; no deletion is recorded until it is back", root);
                }
                rootMissing = true;
                problems.put(root.toString(), "watched directory is gone");
                return;
            }
            if (rootMissing || overflow || !now.isBefore(lastRescan.plus(rescanEvery))) {
                if (rootMissing) {
                    LOG.warn("Watched directory {} is back; rescanning", root);
                    problems.remove(root.toString());
                }
                rootMissing = false;
                rescan();
            }
            for (String path : new ArrayList<>(dirty)) {
                examine(path, now);
            }
        }
    }

    /** Returns the problems seen, by path, such as a directory or file that cannot be read. @return a copy */
    public Map<String, String> problems() {
        return Map.copyOf(problems);
    }

    private boolean drainEvents() {
        boolean overflow = false;
        for (WatchKey key = watcher.poll(); key != null; key = watcher.poll()) {
            Path dir = watched.get(key);
            for (WatchEvent<?> event : key.pollEvents()) {
                if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                    overflow = true;
                    continue;
                }
                if (dir != null && event.context() instanceof Path child) {
                    Path full = dir.resolve(child);
                    if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE
                            && Files.isDirectory(full, LinkOption.NOFOLLOW_LINKS)) {
                        scanDirectory(full);
                    } else {
                        markDirty(full);
                    }
                }
            }
            if (!key.reset()) {
                watched.remove(key);
                if (dir != null && !dir.equals(root)) {
                    markSubtreeDirty(relative(dir));
                }
            }
        }
        return overflow;
    }

    private void rescan() {
        lastRescan = clock.instant();
        scanDirectory(root);
        for (String known : emitted.keySet()) {
            dirty.add(known);
        }
    }

    private void scanDirectory(Path dir) {
        try {
            // One entry that cannot be read is named and skipped; the walk goes on past it, so
            // that the rest of the tree is still journaled.
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path p, BasicFileAttributes attrs) {
                    register(p);
                    problems.remove(p.toString());
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path p, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) {
                        markDirty(p);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path p, IOException e) {
                    unlistable(p, e);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            unlistable(dir, e);
        }
    }

    private void unlistable(Path dir, IOException e) {
        String why = e instanceof AccessDeniedException ? "permission denied" : e.toString();
        if (!("cannot be listed: " + why).equals(problems.get(dir.toString()))) {
            LOG.warn("Directory {} cannot be listed: {}", printable(dir), why);
        }
        problems.put(dir.toString(), "cannot be listed: " + why);
    }

    /** A path for a log line: control characters, which a terminal would act on, as {@code \xNN}. */
    static String printable(Path path) {
        String text = path.toString();
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c)) {
                if (out == null) {
                    out = new StringBuilder(text.length() + 8).append(text, 0, i);
                }
                out.append(String.format("\\x%02x", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    private void register(Path dir) {
        try {
            WatchKey key = dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_DELETE, StandardWatchEventKinds.ENTRY_MODIFY);
            watched.put(key, dir);
        } catch (IOException e) {
            LOG.warn("Directory {} cannot be watched ({}); rescans still cover it", printable(dir), e.toString());
            problems.put(dir.toString(), "cannot be watched: " + e);
        } catch (ClosedWatchServiceException e) {
            // closing
        }
    }

    private void markDirty(Path file) {
        String rel = relative(file);
        if (rel != null) {
            dirty.add(rel);
        }
    }

    private void markSubtreeDirty(@Nullable String dir) {
        if (dir == null) {
            return;
        }
        dirty.addAll(below(dir).keySet());
    }

    /** The emitted files below a directory path: {@code '/' + 1} is {@code '0'}, so they sort before {@code dir + "0"}. */
    private NavigableMap<String, Emitted> below(String dir) {
        return emitted.subMap(dir + "/", true, dir + "0", false);
    }

    private @Nullable String relative(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        if (!abs.startsWith(root) || abs.equals(root)) {
            return null;
        }
        return root.relativize(abs).toString().replace('\\', '/');
    }

    private void examine(String path, Instant now) {
        Path file = root.resolve(path);
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            gone(path, file);
            return;
        } catch (FileSystemException e) {
            if (underAFile(file)) {
                gone(path, file); // its directory was replaced by a file: "Not a directory"
            } else {
                problem(path, file, "cannot be read: " + e);
            }
            return;
        } catch (IOException e) {
            problem(path, file, "cannot be read: " + e);
            return;
        }
        if (attrs.isDirectory()) {
            dirty.remove(path);
            markSubtreeDirty(path);
            if (emitted.remove(path) != null) {
                emit(Change.delete(position + 1, path)); // a file replaced by a directory
            }
            return;
        }
        if (!attrs.isRegularFile()) {
            dirty.remove(path);
            return;
        }
        long size = attrs.size();
        Instant modified = attrs.lastModifiedTime().toInstant();
        Emitted last = emitted.get(path);
        if (last != null && last.digest() == null && last.size() == size && last.modified().equals(modified)
                && !changedWhileStopped(path, file)) {
            dirty.remove(path); // unchanged since the journal's state, as far as a rescan can tell
            seen.remove(path);
            return;
        }
        Seen s = seen.get(path);
        if (s == null || s.size() != size || !s.modified().equals(modified)) {
            Instant dirtySince = s == null ? now : s.dirtySince();
            s = new Seen(size, modified, now, dirtySince);
            seen.put(path, s);
        }
        boolean stable = !now.isBefore(s.since().plus(stableFor));
        boolean overdue = !now.isBefore(s.dirtySince().plus(maxUnstable));
        if (!stable && !overdue) {
            return;
        }
        byte[] content;
        try {
            content = Files.readAllBytes(file);
            BasicFileAttributes after = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!overdue && (after.size() != size || !after.lastModifiedTime().toInstant().equals(modified))) {
                seen.put(path, new Seen(after.size(), after.lastModifiedTime().toInstant(), now, s.dirtySince()));
                return;
            }
        } catch (NoSuchFileException e) {
            return; // the next pass records the deletion
        } catch (AccessDeniedException e) {
            problem(path, file, "cannot be read: permission denied");
            return;
        } catch (IOException e) {
            problem(path, file, "cannot be read: " + e);
            return;
        }
        if (overdue && !stable) {
            LOG.warn("File {} did not stay unchanged for {} within {}; captured as it was at {}", printable(file), stableFor,
                    maxUnstable, now);
            problems.put(file.toString(), "did not stabilise within " + maxUnstable + "; captured while changing");
        } else {
            problems.remove(file.toString());
        }
        dirty.remove(path);
        seen.remove(path);
        suspects.remove(path);
        byte[] digest = sha256(content);
        if (last != null && last.digest() != null && Arrays.equals(last.digest(), digest)) {
            emitted.put(path, new Emitted(size, modified, digest));
            return;
        }
        deleteInTheWayOf(path);
        emitted.put(path, new Emitted(content.length, modified, digest));
        emit(Change.put(position + 1, path, content, modified));
    }

    /**
     * Whether a file the journal holds, met for the first time since the feed resumed, may have
     * been rewritten while no writer ran by a tool that put its modification time back
     * ({@code cp -p}, {@code rsync -t}, {@code tar x}, {@code touch -d}): its status change time
     * ({@code ctime}, which no tool can set back) is then later than both its modification time
     * and the journal's last segment, and its size and time say nothing, so it is read again. A
     * file written the usual way while stopped has a new modification time and is read anyway;
     * where the file system has no status change time, size and time decide as before.
     */
    private boolean changedWhileStopped(String path, Path file) {
        if (suspects.contains(path)) {
            return true; // until it is read
        }
        Instant after = changedAfter;
        if (after == null || !toCheckOnResume.remove(path)) {
            return false;
        }
        if (putBack(file, after)) {
            suspects.add(path);
            return true;
        }
        return false;
    }

    private static boolean putBack(Path file, Instant after) {
        try {
            Map<String, Object> a = Files.readAttributes(file, "unix:ctime,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
            if (!(a.get("ctime") instanceof FileTime ctime) || !(a.get("lastModifiedTime") instanceof FileTime mtime)) {
                return false;
            }
            Instant changed = ctime.toInstant();
            return changed.isAfter(after) && changed.isAfter(mtime.toInstant().plus(TIME_PUT_BACK));
        } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
            return false;
        }
    }

    /** Records that a file is gone: its deletion, when the journal holds it. */
    private void gone(String path, Path file) {
        dirty.remove(path);
        suspects.remove(path);
        seen.remove(path);
        problems.remove(file.toString());
        if (emitted.remove(path) != null) {
            emit(Change.delete(position + 1, path));
        }
    }

    /** Whether a directory on a path below the root is now something else, a file or a link. */
    private boolean underAFile(Path file) {
        for (Path p = file.getParent(); p != null && p.startsWith(root) && !p.equals(root); p = p.getParent()) {
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Before the put of a path, records the deletion of the emitted files it replaces: a file
     * that was a directory on its path, or the files below it when it was a directory. The
     * journal's put would remove them too, but silently, and this feed would go on believing
     * the journal holds them (and skip them, unchanged, when they come back).
     */
    private void deleteInTheWayOf(String path) {
        for (int i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) {
            String above = path.substring(0, i);
            if (emitted.remove(above) != null) {
                emit(Change.delete(position + 1, above));
            }
        }
        NavigableMap<String, Emitted> below = below(path);
        for (String old : new ArrayList<>(below.keySet())) {
            below.remove(old);
            emit(Change.delete(position + 1, old));
        }
    }

    private void problem(String path, Path file, String message) {
        if (!message.equals(problems.get(file.toString()))) {
            LOG.warn("File {} {}", printable(file), message);
        }
        problems.put(file.toString(), message);
    }

    private void emit(Change change) {
        sink.accept(change);
        position = change.position();
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        if (executor != null) {
            executor.shutdownNow();
            try {
                executor.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (lock) {
            sink = null;
            if (watcher != null) {
                watcher.close();
            }
        }
    }

    /** Builds a {@link DirectoryFeed}. */
    public static final class Builder {
        private final String name;
        private final Path root;
        private Clock clock = Clock.systemUTC();
        private Duration stableFor = DEFAULT_STABLE_FOR;
        private Duration maxUnstable = DEFAULT_MAX_UNSTABLE;
        private Duration rescanEvery = DEFAULT_RESCAN_EVERY;
        private Duration checkEvery = DEFAULT_CHECK_EVERY;
        private boolean background = true;

        private Builder(String name, Path root) {
            this.name = Objects.requireNonNull(name, "name");
            this.root = Objects.requireNonNull(root, "root");
        }

        /**
         * Sets the clock that times stability and rescans.
         *
         * @param value the clock
         * @return this builder
         */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * Sets how long a file must stay unchanged before it is captured.
         *
         * @param value the time, zero or more
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} when negative
         */
        public Builder stableFor(Duration value) {
            if (value.isNegative()) {
                throw DrException.invalidArgument("stableFor", "must be >= 0", value);
            }
            this.stableFor = value;
            return this;
        }

        /**
         * Sets after how long a file that keeps changing is captured anyway.
         *
         * @param value the time, more than zero
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} when not positive
         */
        public Builder maxUnstable(Duration value) {
            if (value.isNegative() || value.isZero()) {
                throw DrException.invalidArgument("maxUnstable", "must be > 0", value);
            }
            this.maxUnstable = value;
            return this;
        }

        /**
         * Sets the interval of full rescans.
         *
         * @param value the interval, more than zero
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} when not positive
         */
        public Builder rescanEvery(Duration value) {
            if (value.isNegative() || value.isZero()) {
                throw DrException.invalidArgument("rescanEvery", "must be > 0", value);
            }
            this.rescanEvery = value;
            return this;
        }

        /**
         * Sets how often the background thread checks pending files.
         *
         * @param value the interval, more than zero
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} when not positive
         */
        public Builder checkEvery(Duration value) {
            if (value.isNegative() || value.isZero()) {
                throw DrException.invalidArgument("checkEvery", "must be > 0", value);
            }
            this.checkEvery = value;
            return this;
        }

        /**
         * Sets whether a thread of the feed's own calls {@link #check()}; without it the caller does.
         *
         * @param value true for a background thread (the default)
         * @return this builder
         */
        public Builder background(boolean value) {
            this.background = value;
            return this;
        }

        /** Builds the feed. @return the feed */
        public DirectoryFeed build() {
            return new DirectoryFeed(this);
        }
    }
}
