package dev.drkit.core.repository.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.RestoreOptions;
import dev.drkit.core.repository.RestoreResult;
import dev.drkit.core.store.internal.DirectReads;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Restores a snapshot, or paths of it, into a directory: files are written in parallel to
 * temporary names and moved into place only when every blob checked out, so a damaged blob
 * never leaves wrong bytes behind. Paths that would leave the target are refused.
 */
public final class RestoreRun {
    private static final int MAX_SPAN = 8 << 20;
    /**
     * Batches the walk hands out ahead of the writers. Sixteen keep two writers busy (and give
     * a read-ahead its next batch); more only hold more of the snapshot's nodes on the heap,
     * which the young collections copy: at 256, a walk of 108,219 small files held 64,000 of
     * them, 35 MiB more at the peak and 140 ms more in collections.
     */
    private static final int MAX_PENDING = 16;
    /**
     * Bytes of one directory's files handed to one writer at a time. Creating files in one
     * directory from two threads makes them queue on the directory's lock (and spin on it, in
     * the kernel), so a directory's small files go to one writer; large files still spread.
     */
    static final long BATCH_BYTES = 16 << 20;
    /** Files in one batch at most, so that queued batches bound the memory the walk runs ahead with. */
    static final int BATCH_FILES = 256;
    private final Windows windows;

    /**
     * The restore's read buffers. Aligned windows of packs are shared by the writer threads, so
     * that many small files whose blobs lie side by side in a pack cost one read of the store,
     * not one each. A window is the store's {@linkplain SnapshotStore#preferredReadSize()
     * preferred read size}; as many are kept as fit {@link #BUDGET}, but no fewer than
     * {@link #MIN_COUNT} (so 8 of 4 MiB, or 6 of 16 MiB), the least recently used leaves first,
     * and their buffers are reused, so that reading a whole repository allocates no more than
     * that, or one window per writer when every window is in use. Ranges that do not fit a
     * window are read into a per-thread buffer. A store that {@linkplain DirectReads reads into
     * direct buffers} (a directory on the local file system) gets direct windows, which the
     * kernel fills and the decryption reads with no copy on the heap between; other stores
     * read into arrays.
     */
    static final class Windows {
        static final int BUDGET = 32 << 20;
        /** The mean time to read a window above which a restore reads windows ahead. */
        static final long SLOW_READ_NANOS = 5_000_000;
        static final int MIN_COUNT = 6;
        /** The largest window of a restore of selected paths. */
        static final int SELECTED_MAX = 4 << 20;
        private final int size;
        /**
         * How far past its size a window of a remote store reads: packs end a little after their
         * target size (16 MiB and the last blob), so a window of 16 MiB would leave each pack a
         * tail of a few hundred kilobytes, one more request and round trip each. A window that
         * reaches the pack's end serves its tail; the next window is read only when it did not.
         */
        private final int reach;
        private final int count;
        private final SnapshotStore store;
        private final LinkedHashMap<String, Window> cached = new LinkedHashMap<>(16, 0.75f, true);
        private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
        private final ThreadLocal<ByteBuffer> spans;
        private final ThreadLocal<byte[]> blobs = ThreadLocal.withInitial(() -> new byte[0]);
        private final @Nullable DirectReads direct;
        private final LongAdder readNanos = new LongAdder();
        private final LongAdder reads = new LongAdder();
        private int allocated;

        Windows(SnapshotStore store) {
            this(store, Integer.MAX_VALUE);
        }

        /** Windows of the store's preferred size, but at most {@code cap} bytes. */
        Windows(SnapshotStore store, int cap) {
            this.store = store;
            this.direct = store instanceof DirectReads reads ? reads : null;
            this.spans = ThreadLocal.withInitial(() -> allocate(0));
            this.size = Math.max(64 << 10, Math.min(Math.min(64 << 20, cap), store.preferredReadSize()));
            this.reach = direct != null ? size : size + size / 8;
            this.count = Math.max(MIN_COUNT, BUDGET / size);
        }

        /** Returns the size of a window. @return bytes */
        int size() {
            return size;
        }

        /** Returns how many windows are kept at most while none is in use. @return the count */
        int count() {
            return count;
        }

        /** Part of a pack in memory; held by its users until they release it. */
        static final class Window {
            private final long start;
            private final CompletableFuture<Void> loaded = new CompletableFuture<>();
            private ByteBuffer data;
            private int length;
            private int users;
            private boolean evicted;

            Window(long start, ByteBuffer data) {
                this.start = start;
                this.data = data;
            }

            /** Returns where in the pack the window starts. @return the offset */
            long start() {
                return start;
            }

            /** Returns the window's bytes, valid up to {@link #length()}. @return the buffer */
            ByteBuffer data() {
                return data;
            }

            /** Returns how many bytes the window holds. @return the length */
            int length() {
                return length;
            }
        }

        /**
         * Returns the window holding {@code [offset, offset + length)} of the pack, acquired (give
         * it back with {@link #release}), or {@code null} when the range does not fit one window.
         */
        @Nullable Window acquire(String key, int offset, int length) {
            int index = offset / size;
            if (!fits(index, offset, length)) {
                return null;
            }
            Window before = acquireBefore(key, index);
            if (before != null) {
                try {
                    before.loaded.join();
                    if ((long) offset + length <= before.start + before.length) {
                        return before; // the window before reached the end of the pack
                    }
                } catch (CompletionException e) {
                    // its read failed: this range is read on its own
                }
                release(before);
            }
            String id = key + "#" + index;
            Window w;
            boolean load;
            synchronized (this) {
                w = cached.get(id);
                load = w == null;
                if (load) {
                    w = new Window((long) index * size, buffer());
                    cached.put(id, w);
                }
                w.users++;
            }
            try {
                if (load) {
                    try {
                        w.length = timedRead(key, w);
                    } catch (RuntimeException | Error e) {
                        forget(id, w);
                        w.loaded.completeExceptionally(e);
                        throw e;
                    }
                    w.loaded.complete(null);
                } else {
                    w.loaded.join();
                }
                return w;
            } catch (RuntimeException | Error e) {
                release(w);
                if (e instanceof CompletionException && e.getCause() instanceof RuntimeException cause) {
                    throw cause;
                }
                if (e instanceof CompletionException && e.getCause() instanceof Error error) {
                    throw error;
                }
                throw e;
            }
        }

        /**
         * Starts reading, on {@code io}, the window that will hold {@code [offset, offset +
         * length)} of the pack, unless it is in memory or being read, the range does not fit one
         * window, or no array is free without exceeding the windows' count.
         *
         * @return whether a read was started
         */
        boolean prefetch(String key, int offset, int length, Executor io) {
            int index = offset / size;
            if (!fits(index, offset, length)) {
                return false;
            }
            String id = key + "#" + index;
            Window w;
            synchronized (this) {
                if (cached.containsKey(id)) {
                    return false;
                }
                Window before = reach > size && index > 0 ? cached.get(key + "#" + (index - 1)) : null;
                if (before != null && (!before.loaded.isDone()
                        || (!before.loaded.isCompletedExceptionally() && before.data != null
                                && (long) offset + length <= before.start + before.length))) {
                    return false; // the window before serves it, or may: its reader decides
                }
                ByteBuffer data = idleBuffer();
                if (data == null) {
                    return false;
                }
                w = new Window((long) index * size, data);
                cached.put(id, w);
                w.users++; // held while it loads, so that it is not evicted half read
            }
            try {
                io.execute(() -> {
                    try {
                        w.length = timedRead(key, w);
                        w.loaded.complete(null);
                    } catch (RuntimeException | Error e) {
                        // Whoever waits on it fails as a read of its own would; later users read again.
                        forget(id, w);
                        w.loaded.completeExceptionally(e);
                    } finally {
                        release(w);
                    }
                });
            } catch (RejectedExecutionException e) {
                forget(id, w);
                w.loaded.completeExceptionally(e);
                release(w);
                return false;
            }
            return true;
        }

        /**
         * Tells whether a range is read through the window at {@code index}: it lies within the
         * window's reach and is at most half a window long (longer ones are read on their own).
         */
        private boolean fits(int index, int offset, int length) {
            return length <= size / 2 && (long) offset + length <= (long) index * size + reach;
        }

        /**
         * Under the lock, acquires the window before {@code index} of the pack, when windows reach
         * past their size and it is in memory or being read; or returns null.
         */
        private synchronized @Nullable Window acquireBefore(String key, int index) {
            if (reach == size || index == 0) {
                return null;
            }
            Window before = cached.get(key + "#" + (index - 1));
            if (before == null || before.data == null) {
                return null;
            }
            before.users++;
            return before;
        }

        /** Drops a window whose read failed: its users fail, later ones read again. */
        private synchronized void forget(String id, Window w) {
            cached.remove(id, w);
            w.evicted = true;
        }

        private int timedRead(String key, Window w) {
            long started = System.nanoTime();
            int n = read(key, w.start, w.data, reach);
            readNanos.add(System.nanoTime() - started);
            reads.increment();
            return n;
        }

        /**
         * Returns whether reading a window has taken {@link #SLOW_READ_NANOS} or more on average:
         * a remote store, or a disk that is not in the page cache, where reading ahead of the
         * writers pays. A window of a local file in the page cache is read in about a millisecond,
         * and reading it on another thread only costs.
         */
        boolean readsAreSlow() {
            long n = reads.sum();
            return n > 0 && readNanos.sum() / n >= SLOW_READ_NANOS;
        }

        /** Gives back a window from {@link #acquire}. */
        synchronized void release(Window w) {
            if (--w.users == 0 && w.evicted && w.data != null) {
                if (free.size() < count) {
                    free.push(w.data);
                }
                w.data = null;
            }
        }

        /**
         * Reads up to {@code length} bytes of a pack from {@code offset} into the start of
         * {@code buf} and returns how many were read.
         */
        int read(String key, long offset, ByteBuffer buf, int length) {
            if (direct != null) {
                return direct.read(key, offset, buf.clear().limit(length));
            }
            return store.read(key, offset, buf.array(), 0, length);
        }

        /** Returns a direct buffer when the store fills those, else one backed by an array. */
        private ByteBuffer allocate(int capacity) {
            return direct != null ? ByteBuffer.allocateDirect(capacity) : ByteBuffer.wrap(new byte[capacity]);
        }

        /** Under the lock: a buffer for a new window, taken from the least recently used idle one. */
        private ByteBuffer buffer() {
            ByteBuffer idle = idleBuffer();
            // Every window is in use: one more. It is kept like the others, so the buffers number
            // at most the count or the writers, whichever is larger (a writer holds one at a time).
            return idle != null ? idle : allocate(reach);
        }

        /** Under the lock: a free buffer, a new one within the count, or an idle window's; or null. */
        private @Nullable ByteBuffer idleBuffer() {
            if (!free.isEmpty()) {
                return free.pop();
            }
            if (allocated < count) {
                allocated++;
                return allocate(reach);
            }
            for (Iterator<Window> it = cached.values().iterator(); it.hasNext();) {
                Window old = it.next();
                if (old.users == 0) {
                    it.remove();
                    old.evicted = true;
                    ByteBuffer data = old.data;
                    old.data = null;
                    return data;
                }
            }
            return null;
        }

        /** Returns this thread's array for one sealed blob of a direct window, of at least {@code length}. */
        byte[] blobBuffer(int length) {
            byte[] buf = blobs.get();
            if (buf.length < length) {
                buf = new byte[Math.max(length, Math.min(MAX_SPAN, 2 * buf.length))];
                blobs.set(buf);
            }
            return buf;
        }

        /** Returns this thread's buffer for ranges read outside the windows, of at least {@code length}. */
        ByteBuffer spanBuffer(int length) {
            ByteBuffer buf = spans.get();
            if (buf.capacity() < length) {
                buf = allocate(Math.max(length, Math.min(MAX_SPAN, 2 * buf.capacity())));
                spans.set(buf);
            }
            return buf;
        }
    }

    /**
     * Threads that read windows ahead of the writers: a remote store answers each request after a
     * delay, and a writer that reads its own windows waits through each of them.
     */
    static final int READ_AHEAD_THREADS = 4;
    private final ExecutorService fetchers;
    /** Batches handed to the writers and not yet started, in order. */
    private final ConcurrentLinkedDeque<List<FileJob>> queued = new ConcurrentLinkedDeque<>();

    private final Engine engine;
    private final Path target;
    private final RestoreOptions options;
    private final Semaphore pending = new Semaphore(MAX_PENDING);
    private final List<Future<?>> tasks = new ArrayList<>();
    private final RestoreFailures failures = new RestoreFailures();
    /** Set when the run ends: running batches stop after their current file. */
    private volatile boolean abandoned;
    private final List<DirMeta> dirs = new ArrayList<>();
    private final LongAdder files = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final LongAdder skipped = new LongAdder();
    /** Kept files whose size or modification time is not the snapshot's, and the first few of their paths. */
    private final LongAdder differing = new LongAdder();
    private final Queue<String> differingPaths = new ConcurrentLinkedQueue<>();
    private long symlinks;
    private int umask = 0777;
    /** Sets owners and groups, when the options ask for them and the restore runs as root. */
    private RestoreOwners owners = RestoreOwners.off();
    /** Access time given to restored files (the snapshot keeps none): the restore's start. */
    private final FileTime accessTime = FileTime.from(Instant.now());
    private final ExecutorService writers;

    /** A restored directory, its metadata set last, and the owner and group it has until then. */
    private record DirMeta(Path path, Tree.Node node, long uid, long gid) {
    }

    /**
     * Prepares a restore.
     *
     * @param engine the open repository
     * @param target the directory to restore into; created when missing
     * @param options what to restore
     */
    public RestoreRun(Engine engine, Path target, RestoreOptions options) {
        Crypto.warmUp();
        this.engine = engine;
        this.target = target.toAbsolutePath().normalize();
        this.options = options;
        // A restore of selected paths may need a few small files of large packs: it reads
        // windows of at most the local size, so that each costs no more than it did there.
        this.windows = new Windows(engine.store(), options.include().isEmpty() ? Integer.MAX_VALUE
                : Windows.SELECTED_MAX);
        // One writer per core: more writers creating files in the same directories contend on
        // the file system's locks and spend more time in the kernel than they gain.
        this.writers = Executors.newFixedThreadPool(engine.options().threads(), Engine.daemonThreads("dr-restore"));
        this.fetchers = Executors.newFixedThreadPool(READ_AHEAD_THREADS, Engine.daemonThreads("dr-fetch"));
    }

    /**
     * Runs the restore.
     *
     * @param rootTree the snapshot's root tree
     * @return what was restored
     * @throws DrException {@code UNSAFE_PATH} naming an entry that would leave the target;
     *     {@code NOT_FOUND} when an included path is not in the snapshot; naming the files that
     *     could not be restored, and why (every other file is restored): {@code INTEGRITY} when
     *     the data of any is damaged, else the store's code when it failed to serve any (such as
     *     {@code NOT_FOUND} for a missing pack), else {@code IO_FAILURE} when the target's file
     *     system refused them (a full disk, a name too long, a permission)
     */
    public RestoreResult run(BlobId rootTree) {
        long start = System.nanoTime();
        try {
            Files.createDirectories(target);
        } catch (IOException e) {
            throw new DrException(ErrorCode.IO_FAILURE, "Cannot create the restore target " + target + ": "
                    + BackupRun.reasonOf(e), target.toString(), e);
        }
        Probe probe = probe(target);
        umask = probe.umask();
        owners = RestoreOwners.of(options.owners(), probe.uid(), probe.gid(), target);
        RestoreOwners.Dir top = owners.existing(target);
        List<String[]> includes = new ArrayList<>();
        for (String p : options.include()) {
            String trimmed = p.replaceAll("^/+", "").replaceAll("/+$", "");
            includes.add(trimmed.isEmpty() ? new String[0] : BackupRun.split(trimmed));
        }
        for (String[] include : includes) {
            if (include.length > 0 && !exists(rootTree, include)) {
                throw new DrException(ErrorCode.NOT_FOUND, "Path '" + String.join("/", include)
                        + "' is not in the snapshot", String.join("/", include));
            }
        }
        try {
            if (options.intoTarget()) {
                Tree root = engine.loadTree(rootTree);
                List<Tree.Node> sources = root.nodes().stream()
                        .filter(n -> includes.isEmpty() || includes.stream().anyMatch(i -> i.length > 0
                                && i[0].equals(n.name())))
                        .toList();
                if (sources.size() != 1 || !Tree.Node.DIR.equals(sources.get(0).type())) {
                    throw new DrException(ErrorCode.INVALID_ARGUMENT, "Restoring into the target needs exactly one "
                            + "source, but " + sources.size() + " are selected", "intoTarget");
                }
                Tree.Node source = sources.get(0);
                Tree.checkName(source.name());
                List<String[]> inner = new ArrayList<>();
                for (String[] inc : includes) {
                    if (inc.length > 1) {
                        inner.add(Arrays.copyOfRange(inc, 1, inc.length));
                    }
                }
                dirs.add(new DirMeta(target, source, top.uid(), top.gid()));
                walk(BlobId.parse(source.subtree()), target, top, "", 0, inner, true);
            } else {
                walk(rootTree, target, top, "", 0, includes, true);
            }
            for (Future<?> task : tasks) {
                try {
                    task.get();
                } catch (ExecutionException e) {
                    failures.add(null, e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new DrException(ErrorCode.CANCELLED, "Restore interrupted", null, e);
                }
            }
        } finally {
            // On failure, batches not started are dropped and running ones stop after their
            // current file: nothing writes into the target once this method has returned.
            abandoned = true;
            for (Future<?> task : tasks) {
                task.cancel(false);
            }
            writers.shutdown();
            fetchers.shutdown();
            awaitWriters();
        }
        for (int i = dirs.size() - 1; i >= 0; i--) {
            DirMeta dir = dirs.get(i);
            owners.apply(dir.path(), dir.node(), dir.uid(), dir.gid());
            applyMetadata(dir.path(), dir.node(), true, accessTime);
        }
        if (!failures.isEmpty()) {
            throw failures.toException();
        }
        return new RestoreResult(files.sum(), dirs.size(), symlinks, skipped.sum(), bytes.sum(),
                Duration.ofNanos(System.nanoTime() - start), differing.sum(),
                differingPaths.stream().sorted().limit(RestoreResult.DIFFERING_NAMED).toList());
    }

    /**
     * Tells whether a file kept in the target is not the snapshot's: another size or modification
     * time (a file this restore writes gets its time last, so one a killed restore left half
     * written has the time of the kill), or not a regular file.
     */
    private static boolean differs(Path out, Tree.Node node) {
        try {
            BasicFileAttributes a = Files.readAttributes(out, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return !a.isRegularFile() || a.size() != node.size() || !a.lastModifiedTime().toInstant()
                    .equals(Instant.ofEpochSecond(node.mtime(), node.mtimeNanos()));
        } catch (IOException e) {
            return true;
        }
    }

    private boolean exists(BlobId tree, String[] path) {
        BlobId current = tree;
        for (int i = 0; i < path.length; i++) {
            Tree.Node node = engine.loadTreeAlone(current).find(path[i]);
            if (node == null) {
                return false;
            }
            if (i < path.length - 1) {
                if (!Tree.Node.DIR.equals(node.type())) {
                    return false;
                }
                current = BlobId.parse(node.subtree());
            }
        }
        return true;
    }

    /** A file to restore, and the group it gets when created in its directory. */
    private record FileJob(Path out, Tree.Node node, String path, long gid) {
    }

    /**
     * Restores the entries of one tree into {@code dir}, owned as {@code here} says, whose
     * snapshot path {@code prefix} has {@code depth} names; a directory that {@code existed}
     * before this restore first loses the temporary files an interrupted restore left in it.
     */
    private void walk(BlobId treeId, Path dir, RestoreOwners.Dir here, String prefix, int depth,
            List<String[]> includes, boolean existed) {
        Tree tree = engine.loadTree(treeId);
        if (existed) {
            removeLeftovers(dir, tree);
        }
        List<FileJob> batch = new ArrayList<>();
        long batchBytes = 0;
        for (Tree.Node node : tree.nodes()) {
            Tree.checkName(node.name());
            String path = prefix.isEmpty() ? node.name() : prefix + "/" + node.name();
            boolean selected = includes.isEmpty() || isSelected(includes, path, depth);
            boolean ancestor = !selected && isAncestor(includes, path, depth);
            if (!selected && !ancestor) {
                continue;
            }
            Path out = dir.resolve(node.name()).normalize();
            if (!out.startsWith(target) || out.equals(target) || !out.getParent().equals(dir)) {
                throw new DrException(ErrorCode.UNSAFE_PATH, "Entry '" + path + "' would leave the target "
                        + target, path);
            }
            switch (node.type()) {
                case Tree.Node.DIR -> {
                    RestoreOwners.Dir made;
                    boolean kept;
                    try {
                        kept = !makeDirectory(out, path, options.overwrite());
                        made = kept ? owners.existing(out, LinkOption.NOFOLLOW_LINKS) : owners.created(here);
                    } catch (DrException e) {
                        // A link or a file in its way (kept without overwrite), or a directory the
                        // file system refuses: this directory and what it holds fail, named, and
                        // the rest of the snapshot is restored.
                        failures.add(path, e);
                        continue;
                    }
                    if (selected) {
                        dirs.add(new DirMeta(out, node, made.uid(), made.gid()));
                    }
                    walk(BlobId.parse(node.subtree()), out, made, path, depth + 1, includes, kept);
                }
                case Tree.Node.SYMLINK -> {
                    if (selected) {
                        restoreLink(out, node, path, here.newGid());
                    }
                }
                default -> {
                    if (selected) {
                        batch.add(new FileJob(out, node, path, here.newGid()));
                        batchBytes += Math.max(0, node.size());
                        if (batchBytes >= BATCH_BYTES || batch.size() >= BATCH_FILES) {
                            submitFiles(batch);
                            batch = new ArrayList<>();
                            batchBytes = 0;
                        }
                    }
                }
            }
        }
        if (!batch.isEmpty()) {
            submitFiles(batch);
        }
    }

    private static boolean isSelected(List<String[]> includes, String path, int depth) {
        String[] segments = path.split("/");
        for (String[] inc : includes) {
            if (inc.length == 0) {
                return true;
            }
            if (segments.length >= inc.length) {
                boolean match = true;
                for (int i = 0; i < inc.length; i++) {
                    if (!inc[i].equals(segments[i])) {
                        match = false;
                        break;
                    }
                }
                if (match) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean isAncestor(List<String[]> includes, String path, int depth) {
        String[] segments = path.split("/");
        for (String[] inc : includes) {
            if (inc.length > segments.length) {
                boolean match = true;
                for (int i = 0; i < segments.length; i++) {
                    if (!inc[i].equals(segments[i])) {
                        match = false;
                        break;
                    }
                }
                if (match) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Makes the directory {@code out}, whose parent is a real directory, or keeps the real
     * directory already there. A symbolic link of that name is never followed: it (or a file
     * of that name) is removed and the directory made in its place with {@code overwrite},
     * else refused.
     *
     * @param out the directory to make
     * @param path its path in the restore, to name in errors
     * @param overwrite whether a link or file in the way may be replaced
     * @return whether the directory was made, rather than kept
     * @throws DrException {@code UNSAFE_PATH} naming {@code path} for a symbolic link without
     *     overwrite; {@code IO_FAILURE} for a file in the way without overwrite, or when the
     *     file system refuses
     */
    static boolean makeDirectory(Path out, String path, boolean overwrite) {
        try {
            Files.createDirectory(out);
            return true;
        } catch (FileAlreadyExistsException exists) {
            // checked below: it must be a real directory, not a link or a file
        } catch (IOException e) {
            throw new DrException(ErrorCode.IO_FAILURE, "Cannot create directory '" + path + "' at "
                    + out.toAbsolutePath() + ": " + BackupRun.reasonOf(e), path, e);
        }
        if (Files.isDirectory(out, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        boolean link = Files.isSymbolicLink(out);
        if (!overwrite) {
            if (link) {
                throw linkInTheWay(path);
            }
            throw new DrException(ErrorCode.IO_FAILURE, "Cannot restore directory '" + path
                    + "': a file of that name is in the way (overwrite replaces it)", path);
        }
        // The link itself is removed, never what it points to, and the directory made in its place.
        try {
            Files.delete(out);
            Files.createDirectory(out);
        } catch (IOException e) {
            throw new DrException(ErrorCode.IO_FAILURE, "Cannot replace the " + (link ? "symbolic link" : "file")
                    + " in the way of directory '" + path + "'", path, e);
        }
        return true;
    }

    /** The refusal of a symbolic link found in the target where an entry goes, without overwrite. */
    static DrException linkInTheWay(String path) {
        return new DrException(ErrorCode.UNSAFE_PATH, "Entry '" + path + "' is a symbolic link in the target; "
                + "restoring through it could leave the target (overwrite replaces the link)", path);
    }

    /** Restores a symbolic link, which gets group {@code gid} when created. */
    private void restoreLink(Path out, Tree.Node node, String path, long gid) {
        try {
            if (Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
                if (!options.overwrite()) {
                    skipped.increment();
                    return;
                }
                // A file, a link (not followed) or an empty directory; a directory with entries
                // is kept and the link fails.
                Files.delete(out);
            }
            Files.createSymbolicLink(out, Path.of(node.target()));
            symlinks++;
            owners.apply(out, node, owners.newUid(), gid);
            try {
                Files.getFileAttributeView(out, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setTimes(FileTime.from(Instant.ofEpochSecond(node.mtime(), node.mtimeNanos())), null, null);
            } catch (IOException | UnsupportedOperationException | NullPointerException ignored) {
                // link times are best effort
            }
        } catch (IOException | UnsupportedOperationException e) {
            failures.add(path, e);
        }
    }

    private void awaitWriters() {
        try {
            while (!writers.awaitTermination(10, TimeUnit.SECONDS)) {
                // a writer is finishing a large file
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Hands files of one directory to one writer, which restores them in order. */
    private void submitFiles(List<FileJob> batch) {
        try {
            pending.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DrException(ErrorCode.CANCELLED, "Restore interrupted", null, e);
        }
        queued.add(batch);
        tasks.add(writers.submit(() -> {
            try {
                queued.removeFirstOccurrence(batch);
                readAhead(batch, queued.peekFirst());
                for (int i = 0; i < batch.size() && !abandoned; i++) {
                    FileJob job = batch.get(i);
                    try {
                        restoreFile(job.out(), job.node(), job.path(), job.gid());
                    } catch (IOException | RuntimeException e) {
                        failures.add(job.path(), e);
                    } catch (Error e) {
                        for (FileJob skipped : batch.subList(i, batch.size())) {
                            failures.add(skipped.path(), e);
                        }
                        throw e;
                    }
                }
            } finally {
                pending.release();
            }
        }));
    }

    /**
     * When reading a window is slow, starts reading the windows this batch will need, and the
     * next batch's, as many as the windows leave room for beside the writers' own.
     */
    private void readAhead(List<FileJob> batch, @Nullable List<FileJob> next) {
        if (!windows.readsAreSlow()) {
            return;
        }
        int budget = Math.max(1, (windows.count() - engine.options().threads()) / engine.options().threads());
        int started = 0;
        for (List<FileJob> jobs : next == null ? List.of(batch) : List.of(batch, next)) {
            for (FileJob job : jobs) {
                List<String> content = job.node().content();
                if (content == null || content.isEmpty()) {
                    continue;
                }
                List<Span> spans;
                try {
                    spans = spans(content);
                } catch (DrException e) {
                    continue; // reported when the file is restored
                }
                for (Span span : spans) {
                    if (windows.prefetch(Packs.key(span.packId()), span.start(), span.length(), fetchers)
                            && ++started >= budget) {
                        return;
                    }
                }
            }
        }
    }

    /**
     * Restores a file, which gets group {@code gid} when created. A file of more than one chunk
     * is written under a {@link #temporarySibling} and renamed into place once complete, so that
     * a restore killed while writing it leaves no part of it under its name (the rerun removes
     * the temporary: {@link #removeLeftovers}); a smaller file takes one write, and is written
     * in place to spare the rename on every small file, which a restore of many spends most of
     * its time on. A killed restore can leave one of those short, which the rerun counts as
     * {@link RestoreResult#differing()}.
     */
    private void restoreFile(Path out, Tree.Node node, String path, long gid) throws IOException {
        FileAttribute<?>[] attrs = creationAttributes(node.mode());
        List<String> content = node.content() == null ? List.of() : node.content();
        // A new file is written in place, or staged (and removed again on any failure); an
        // existing entry is kept, or replaced through a temporary file so that a failure leaves
        // it intact: a file, a link (the rename replaces the link, not what it points to) or an
        // empty directory. A directory with entries is kept and the file fails.
        boolean staged = content.size() > 1;
        Path dest = out;
        SeekableByteChannel ch;
        boolean replacing = false;
        try {
            if (staged && Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
                throw new FileAlreadyExistsException(out.toString());
            }
            if (staged) {
                Temporary temporary = createTemporarySibling(out, attrs);
                dest = temporary.path();
                ch = temporary.channel();
            } else {
                ch = Files.newByteChannel(out, CREATE, attrs);
            }
        } catch (FileAlreadyExistsException exists) {
            if (!options.overwrite()) {
                keep(out, node, path);
                return;
            }
            if (Files.isDirectory(out, LinkOption.NOFOLLOW_LINKS)) {
                try (DirectoryStream<Path> entries = Files.newDirectoryStream(out)) {
                    if (entries.iterator().hasNext()) {
                        throw new DirectoryNotEmptyException(out.toString());
                    }
                }
            }
            Temporary temporary = createTemporarySibling(out, attrs);
            dest = temporary.path();
            ch = temporary.channel();
            replacing = true;
        }
        boolean done = false;
        try (SeekableByteChannel open = ch) {
            long written = 0;
            for (Span span : spans(content)) {
                written += span.write(engine, windows, open);
            }
            if (written != node.size()) {
                throw new DrException(ErrorCode.INTEGRITY, "File '" + path + "' restored " + written
                        + " bytes but the snapshot says " + node.size(), path);
            }
            bytes.add(written);
            engine.progress().done(0, written);
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(dest);
            }
        }
        // The owner first: a change of owner clears the set-user-id and set-group-id bits, which
        // the mode then sets (a mode with them is always set). The mode given at creation
        // survives unless the umask cleared some of its bits.
        owners.apply(dest, node, owners.newUid(), gid);
        applyMetadata(dest, node, (node.mode() & umask) != 0 || node.mode() > 0777, accessTime);
        if (!dest.equals(out) && !replacing) {
            // A staged new file takes its name only when nothing took it meanwhile.
            try {
                Files.move(dest, out);
            } catch (FileAlreadyExistsException exists) {
                Files.deleteIfExists(dest);
                keep(out, node, path);
                return;
            } catch (IOException e) {
                Files.deleteIfExists(dest);
                throw e;
            }
        } else if (!dest.equals(out)) {
            try {
                if (Files.isDirectory(out, LinkOption.NOFOLLOW_LINKS)) {
                    // rename(2) replaces a file or a link, not a directory; this one was empty.
                    Files.delete(out);
                }
            } catch (IOException e) {
                Files.deleteIfExists(dest);
                throw e;
            }
            moveIntoPlace(dest, out);
        }
        files.increment();
        engine.progress().done(1, 0);
    }

    /** Counts a file kept as it was, and names it when it is not the snapshot's. */
    private void keep(Path out, Tree.Node node, String path) {
        skipped.increment();
        if (differs(out, node)) {
            differing.increment();
            if (differing.sum() <= RestoreResult.DIFFERING_NAMED) {
                differingPaths.add(path);
            }
        }
    }

    private static final String TEMPORARY_PREFIX = ".dr-";
    private static final String TEMPORARY_SUFFIX = ".tmp";
    private static final Pattern TEMPORARY_NAME = Pattern.compile(
            "\\.dr-[0-9a-f]{16}\\.tmp");

    /**
     * Deletes the {@link #temporarySibling temporary files} a killed restore left in a directory
     * that was there before this one: regular files of that pattern, unless the snapshot itself
     * has an entry of that name in the directory. One listing of each such directory, which a
     * restore into an empty target spends only on the target itself.
     */
    private void removeLeftovers(Path dir, Tree tree) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir,
                p -> TEMPORARY_NAME.matcher(p.getFileName().toString()).matches())) {
            for (Path leftover : entries) {
                if (tree.find(leftover.getFileName().toString()) == null
                        && Files.isRegularFile(leftover, LinkOption.NOFOLLOW_LINKS)) {
                    Files.deleteIfExists(leftover);
                }
            }
        } catch (IOException e) {
            // Not this restore's to fail on: a directory it cannot list fails where it writes.
        }
    }

    /**
     * Returns a name beside {@code out} to write its replacement under, {@code .dr-} and 16
     * random hex digits {@code .tmp}: short, so that it fits the file system's limit whatever
     * the length of the name it replaces (255 bytes on most), and in the same directory, so
     * that the rename into place is atomic. What an interrupted restore leaves is recognisable
     * by the pattern; the random part keeps writers from colliding, and the file is created
     * only when the name is free.
     */
    static Path temporarySibling(Path out) {
        return out.resolveSibling(TEMPORARY_PREFIX + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong())
                + TEMPORARY_SUFFIX);
    }

    /** A temporary sibling created for writing, and its open channel. */
    record Temporary(Path path, SeekableByteChannel channel) {
    }

    /**
     * Creates a {@link #temporarySibling} of {@code out} and opens it for writing, never through
     * a symbolic link; a name another writer took is drawn again, at most three times.
     */
    static Temporary createTemporarySibling(Path out, FileAttribute<?>[] attrs) throws IOException {
        for (int attempt = 1;; attempt++) {
            Path dest = temporarySibling(out);
            try {
                return new Temporary(dest, Files.newByteChannel(dest, CREATE, attrs));
            } catch (FileAlreadyExistsException taken) {
                if (attempt == 3) {
                    throw taken;
                }
            }
        }
    }

    /**
     * Moves a written temporary sibling over {@code out}: atomically where the file system can
     * (the rename replaces a file or a symbolic link itself, never what the link points to),
     * else replacing it. The temporary is deleted when the move fails.
     */
    static void moveIntoPlace(Path temporary, Path out) throws IOException {
        try {
            try {
                Files.move(temporary, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, out, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            Files.deleteIfExists(temporary);
            throw e;
        }
    }

    static final FileAttribute<?>[] NO_ATTRIBUTES = new FileAttribute<?>[0];
    /** The permissions to create a file with, by mode: files share a handful of modes. */
    private final AtomicReferenceArray<FileAttribute<?>[]> modeAttributes = new AtomicReferenceArray<>(01000);

    private FileAttribute<?>[] creationAttributes(int mode) {
        if (mode < 0) {
            return NO_ATTRIBUTES;
        }
        FileAttribute<?>[] attrs = modeAttributes.get(mode & 0777);
        if (attrs == null) {
            // Racing writers may both build it; the attribute is immutable, so either will do.
            attrs = new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions(mode))};
            modeAttributes.set(mode & 0777, attrs);
        }
        return attrs;
    }

    private static final Set<OpenOption> CREATE = Set.of(StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);

    /** Consecutive blobs of one pack, read with one ranged get or from a cached window. */
    record Span(String packId, List<BlobId> ids, List<PackEntry> entries) {
        /** Where the span's first blob starts in the pack. */
        int start() {
            return entries.get(0).offset();
        }

        /** The bytes from the first blob's start to the last one's end. */
        int length() {
            PackEntry last = entries.get(entries.size() - 1);
            return last.offset() + last.length() - start();
        }

        /**
         * Writes the span's blobs to the channel one at a time, each checked against its id
         * before any of its bytes are written, and returns how many bytes were written.
         */
        long write(Engine engine, Windows windows, SeekableByteChannel out) throws IOException {
            String key = Packs.key(packId);
            int start = start();
            final int length = length();
            Windows.Window w = windows.acquire(key, start, length);
            try {
                ByteBuffer data;
                int base;
                int available;
                if (w != null) {
                    data = w.data;
                    base = (int) w.start;
                    available = w.length;
                } else {
                    data = windows.spanBuffer(length);
                    base = start;
                    available = windows.read(key, start, data, length);
                }
                if (available < start - base + length) {
                    throw new DrException(ErrorCode.INTEGRITY, "Pack " + key + " is shorter than its index says", key);
                }
                return writeBlobs(engine, windows, key, data, base, out);
            } finally {
                if (w != null) {
                    windows.release(w);
                }
            }
        }

        private long writeBlobs(Engine engine, Windows windows, String key, ByteBuffer data, int base,
                SeekableByteChannel out) throws IOException {
            long written = 0;
            for (int i = 0; i < entries.size(); i++) {
                PackEntry e = entries.get(i);
                ByteBuffer buf;
                if (data.hasArray()) {
                    buf = engine.crypto().unpackBlobShared(data.array(), e.offset() - base, e.length(), e.rawLength(),
                            ids.get(i), key);
                } else {
                    // The JDK's AES-GCM runs its intrinsics over arrays; over a direct buffer it
                    // takes a slower path. One blob copied into this thread's array stays in the
                    // cache, where the JDK's copy of whole windows onto the heap went through memory.
                    byte[] sealed = windows.blobBuffer(e.length());
                    data.get(e.offset() - base, sealed, 0, e.length());
                    buf = engine.crypto().unpackBlobShared(sealed, 0, e.length(), e.rawLength(), ids.get(i), key);
                }
                written += buf.remaining();
                writeSliced(buf, out);
            }
            return written;
        }
    }

    /** Bytes per write call, for the reason given at {@code FileSnapshotStore}'s slices. */
    static final int IO_SLICE = 1 << 20;

    static void writeSliced(ByteBuffer buf, WritableByteChannel out) throws IOException {
        int end = buf.limit();
        while (buf.position() < end) {
            buf.limit(Math.min(end, buf.position() + IO_SLICE));
            while (buf.hasRemaining()) {
                out.write(buf);
            }
            buf.limit(end);
        }
    }

    private List<Span> spans(List<String> content) {
        if (content.size() == 1) {
            // Most files of a tree of small files are one blob: one span, no lists to grow.
            String hex = content.get(0);
            BlobId id = BlobId.parse(hex);
            Index.Location loc = engine.index().find(id);
            if (loc == null) {
                throw new DrException(ErrorCode.INTEGRITY, Engine.notIndexed(hex), hex);
            }
            return List.of(new Span(loc.packId(), List.of(id), List.of(loc.entry())));
        }
        List<Span> out = new ArrayList<>();
        Span current = null;
        for (String hex : content) {
            BlobId id = BlobId.parse(hex);
            Index.Location loc = engine.index().find(id);
            if (loc == null) {
                throw new DrException(ErrorCode.INTEGRITY, Engine.notIndexed(hex), hex);
            }
            PackEntry e = loc.entry();
            if (current != null && current.packId().equals(loc.packId())) {
                PackEntry last = current.entries().get(current.entries().size() - 1);
                if (last.offset() + last.length() == e.offset()
                        && e.offset() + e.length() - current.entries().get(0).offset() <= MAX_SPAN) {
                    current.ids().add(id);
                    current.entries().add(e);
                    continue;
                }
            }
            current = new Span(loc.packId(), new ArrayList<>(List.of(id)), new ArrayList<>(List.of(e)));
            out.add(current);
        }
        return out;
    }

    /**
     * Sets a restored entry's permissions (when {@code chmod}) and times. Both times are given,
     * so the JDK does not read the old ones first.
     */
    private static final boolean UNIX_VIEW = java.nio.file.FileSystems.getDefault().supportedFileAttributeViews()
            .contains("unix");

    static void applyMetadata(Path path, Tree.Node node, boolean chmod, FileTime accessTime) {
        try {
            if (chmod && node.mode() > 0777 && UNIX_VIEW && !Tree.Node.SYMLINK.equals(node.type())) {
                // Set-user-id, set-group-id and sticky bits: the POSIX view has no names for them.
                Files.setAttribute(path, "unix:mode", node.mode(), LinkOption.NOFOLLOW_LINKS);
            } else if (chmod && node.mode() >= 0) {
                PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class,
                        LinkOption.NOFOLLOW_LINKS);
                if (view != null) {
                    view.setPermissions(permissions(node.mode()));
                }
            }
            Files.getFileAttributeView(path, BasicFileAttributeView.class).setTimes(
                    FileTime.from(Instant.ofEpochSecond(node.mtime(), node.mtimeNanos())), accessTime, null);
        } catch (IOException | UnsupportedOperationException e) {
            // metadata is restored on a best-effort basis; content is what must be exact
        }
    }

    /**
     * What a file created in the target gets: the permission bits the umask clears (all when
     * unknown), and its owner and group (-1 when unknown).
     */
    private record Probe(int umask, long uid, long gid) {
    }

    private static Probe probe(Path dir) {
        Path probe = dir.resolve(".dr-umask-" + Long.toHexString(System.nanoTime()));
        try {
            Files.createFile(probe, PosixFilePermissions.asFileAttribute(EnumSet.allOf(PosixFilePermission.class)));
            if (UNIX_VIEW) {
                Map<String, Object> a = Files.readAttributes(probe, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
                return new Probe(0777 & ~(Integer) a.get("mode"), Integer.toUnsignedLong((Integer) a.get("uid")),
                        Integer.toUnsignedLong((Integer) a.get("gid")));
            }
            Set<PosixFilePermission> got = Files.getPosixFilePermissions(probe, LinkOption.NOFOLLOW_LINKS);
            int mode = 0;
            for (PosixFilePermission p : got) {
                mode |= 1 << (8 - p.ordinal());
            }
            return new Probe(0777 & ~mode, -1, -1);
        } catch (IOException | UnsupportedOperationException e) {
            return new Probe(0777, -1, -1); // unknown: always chmod, never chown
        } finally {
            try {
                Files.deleteIfExists(probe);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] all = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ,
        };
        for (int i = 0; i < all.length; i++) {
            if ((mode & (1 << i)) != 0) {
                out.add(all[i]);
            }
        }
        return out;
    }

    /**
     * Opens one file of a snapshot as a stream that fetches and checks its blobs lazily.
     *
     * @param engine the open repository
     * @param rootTree the snapshot's root tree
     * @param path the file's snapshot path, {@code source/dir/file}
     * @return the stream
     * @throws DrException {@code NOT_FOUND} when there is no such file
     */
    public static InputStream openEntry(Engine engine, BlobId rootTree, String path) {
        String[] segments = BackupRun.split(path.replaceAll("^/+", ""));
        BlobId tree = rootTree;
        Tree.Node node = null;
        for (int i = 0; i < segments.length; i++) {
            node = engine.loadTreeAlone(tree).find(segments[i]);
            if (node == null) {
                break;
            }
            if (i < segments.length - 1) {
                if (!Tree.Node.DIR.equals(node.type())) {
                    node = null;
                    break;
                }
                tree = BlobId.parse(node.subtree());
            }
        }
        if (node == null || !Tree.Node.FILE.equals(node.type())) {
            throw new DrException(ErrorCode.NOT_FOUND, "No file '" + path + "' in the snapshot", path);
        }
        List<String> content = node.content();
        return new InputStream() {
            private int next;
            private byte @Nullable [] current = new byte[0];
            private int pos;

            private boolean fill() {
                while (current != null && pos >= current.length) {
                    if (next >= content.size()) {
                        current = null;
                        return false;
                    }
                    current = engine.readBlob(BlobId.parse(content.get(next++)));
                    pos = 0;
                }
                return current != null;
            }

            @Override
            public int read() {
                if (!fill()) {
                    return -1;
                }
                return current[pos++] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (len == 0) {
                    return 0;
                }
                if (!fill()) {
                    return -1;
                }
                int n = Math.min(len, current.length - pos);
                System.arraycopy(current, pos, b, off, n);
                pos += n;
                return n;
            }
        };
    }
}
