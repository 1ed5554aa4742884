package dev.drkit.core.repository.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.backup.ContentOpener;
import dev.drkit.api.backup.EntryMetadata;
import dev.drkit.api.backup.EntryType;
import dev.drkit.api.backup.EntryWriter;
import dev.drkit.api.backup.SnapshotSource;
import dev.drkit.api.backup.SourceView;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.BackupResult;
import dev.drkit.core.repository.Repository;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One backup: reads and chunks the sources on the calling thread while worker threads hash,
 * deduplicate, compress and seal the chunks and upload threads write the packs. Memory is
 * bounded: chunks wait for workers in one ring of at least {@link #IN_FLIGHT_BYTES}, and at most
 * two packs wait for the store.
 */
public final class BackupRun {
    /** Bytes of chunks read but not yet packed, at most. */
    static final int IN_FLIGHT_BYTES = 16 << 20;
    /** The chunk ring's first array: a backup that reads little keeps it small (a new array is all resident). */
    private static final int RING_START = 1 << 20;
    private static final Logger LOG = LoggerFactory.getLogger(BackupRun.class);
    /** Reads of a file that keeps changing while it is read, the last of which is stored. */
    static final int MAX_READS = 3;
    /**
     * The warning for each entry left out as unreadable, on a logger of its own so that a
     * caller that reports the result's list itself (the {@code dr} command) can silence it.
     */
    private static final Logger UNREADABLE_LOG = LoggerFactory.getLogger(Repository.UNREADABLE_LOGGER);

    /**
     * What the run did.
     *
     * @param filesNew files in the snapshot not in the parent
     * @param filesChanged files in the snapshot read again
     * @param filesUnchanged files taken from the parent
     * @param filesVanished files deleted between their listing and their reading, left out
     * @param unreadableCount entries left out because they could not be read
     * @param unreadable the first {@link BackupResult#UNREADABLE_LISTED} of them, sorted by path
     * @param specialCount FIFOs, sockets and devices skipped
     * @param special the first {@link BackupResult#SPECIAL_LISTED} of them, sorted by path
     * @param changedWhileReadCount files that kept changing while they were read, stored as read last
     * @param changedWhileRead the first {@link BackupResult#CHANGED_LISTED} of them, sorted by path
     */
    public record Stats(long filesNew, long filesChanged, long filesUnchanged, long filesVanished, long directories,
            long bytesRead, long bytesAdded, long bytesStored, long blobsAdded, long files, long bytes,
            long unreadableCount, List<BackupResult.UnreadableEntry> unreadable, long specialCount,
            List<String> special, long changedWhileReadCount, List<String> changedWhileRead) {
    }

    private final Engine engine;
    private final SnapshotStore store;
    private final Crypto crypto;
    private final Index index;
    private final ExecutorService workers;
    private final ExecutorService uploader;
    private final Semaphore packsInFlight = new Semaphore(2);
    private final Set<BlobId> added = ConcurrentHashMap.newKeySet();
    private final List<Index.PackRecord> written = Collections.synchronizedList(new ArrayList<>());
    private final List<Future<?>> uploads = Collections.synchronizedList(new ArrayList<>());
    private final Object packLock = new Object();
    private final int packSize;
    private final int stagingSize;
    private final ConcurrentLinkedQueue<byte[]> staging = new ConcurrentLinkedQueue<>();
    private final ChunkRing ring;
    private PackBuilder pack;
    /**
     * Trees go into packs of their own, as restic's do: the trees of directories that end early
     * would otherwise be scattered among the data, and reading a snapshot's trees (a restore's
     * or the next backup's walk) would take one read per tree instead of one per run of trees.
     */
    private PackBuilder treePack;
    private boolean firstPack = true;
    private final ExecutorService readers;
    private final ThreadLocal<ChunkReader> chunkReaders;
    private final Semaphore pendingFiles = new Semaphore(128);
    /** Reads not yet done, and those that failed; a read that succeeds leaves the set. */
    private final Set<CompletableFuture<Void>> reads = ConcurrentHashMap.newKeySet();
    private final Instant time;

    private final LongAdder filesNew = new LongAdder();
    private final LongAdder filesChanged = new LongAdder();
    private final LongAdder filesUnchanged = new LongAdder();
    private final LongAdder filesVanished = new LongAdder();
    private final LongAdder changedWhileReadCount = new LongAdder();
    /** The first files stored as their last read although they kept changing while read. */
    private final List<String> changedWhileRead = new ArrayList<>();
    private final LongAdder unreadableCount = new LongAdder();
    /** The first entries left out as unreadable; {@link #unreadableCount} counts them all. */
    private final List<BackupResult.UnreadableEntry> unreadable = new ArrayList<>();
    private final LongAdder specialCount = new LongAdder();
    /** The first FIFOs, sockets and devices skipped; {@link #specialCount} counts them all. */
    private final List<String> special = new ArrayList<>();
    private final LongAdder directories = new LongAdder();
    private final LongAdder bytesRead = new LongAdder();
    private final LongAdder bytesAdded = new LongAdder();
    private final LongAdder bytesStored = new LongAdder();
    private final LongAdder blobsAdded = new LongAdder();
    private final LongAdder files = new LongAdder();
    private final LongAdder bytes = new LongAdder();

    /**
     * Prepares a run.
     *
     * @param engine the open repository
     * @param time the snapshot's time, used for directories without metadata
     */
    public BackupRun(Engine engine, Instant time) {
        this.engine = engine;
        this.store = engine.store();
        this.crypto = engine.crypto();
        this.index = engine.index();
        this.workers = engine.pool();
        this.uploader = Executors.newFixedThreadPool(2, Engine.daemonThreads("dr-upload"));
        this.packSize = engine.options().packSize();
        // A pack closes when the next blob and the trailer would not fit; the slack keeps packs
        // close to their target size. A blob larger than a buffer gets a pack of its own.
        this.stagingSize = packSize + (1 << 20);
        this.treePack = new PackBuilder(EMPTY, stagingSize);
        this.ring = new ChunkRing(RING_START, Math.max(IN_FLIGHT_BYTES, 3 * engine.chunker().maxSize()));
        this.pack = newPack();
        // Reading waits on the file system as much as on the CPU; several readers overlap that.
        this.readers = Executors.newFixedThreadPool(2, Engine.daemonThreads("dr-read"));
        FastCdc cdc = engine.chunker();
        this.chunkReaders = ThreadLocal.withInitial(() -> new ChunkReader(cdc));
        this.time = time;
    }

    /**
     * Captures the sources as one consistent cut: begins every source, writes each view,
     * closes them all, and returns the root tree's id.
     *
     * @param sources the sources
     * @param parentRoot the parent snapshot's root tree for unchanged-file detection, or {@code null}
     * @return the root tree's id
     * @throws IOException when a source fails
     */
    public BlobId capture(List<SnapshotSource> sources, @Nullable Tree parentRoot) throws IOException {
        List<SourceView> views = new ArrayList<>();
        if (parentRoot != null) {
            // While this thread lists the sources, a worker loads the parent snapshot's trees,
            // which the comparison of every directory needs.
            workers.execute(() -> prefetchTrees(parentRoot));
        }
        try {
            for (SnapshotSource source : sources) {
                views.add(source.begin());
            }
            Dir root = new Dir(null);
            for (int i = 0; i < sources.size(); i++) {
                String name = sources.get(i).name();
                Dir dir = new Dir(EntryMetadata.file(0, time));
                root.children.put(name, dir);
                Tree.Node parentNode = parentRoot == null ? null : parentRoot.find(name);
                BlobId parentTree = parentNode != null && Tree.Node.DIR.equals(parentNode.type())
                        ? BlobId.parse(parentNode.subtree()) : null;
                dir.previous = parentTree;
                // Directories that ended but still wait for reads are written with the root below.
                Writer writer = new Writer(name, dir, parentTree);
                views.get(i).writeTo(writer);
                if (!writer.wroteAny) {
                    emptySources.add(name);
                }
            }
            awaitReads();
            closeAll(views);
            views.clear();
            return writeTree(root, null);
        } finally {
            captured = true;
            closeAll(views);
        }
    }

    private volatile boolean captured;
    private final List<String> emptySources = new ArrayList<>();

    /**
     * Returns the sources of the capture that wrote no entry below their root.
     *
     * @return their names, in the order of the sources
     */
    public List<String> emptySources() {
        return List.copyOf(emptySources);
    }

    /**
     * Loads the parent's trees breadth first into the engine's cache, until the capture ends or
     * they fill half of it.
     */
    private void prefetchTrees(Tree parentRoot) {
        ArrayDeque<Tree> queue = new ArrayDeque<>();
        queue.add(parentRoot);
        int loaded = 0;
        try {
            while (!queue.isEmpty() && !captured && loaded < Engine.TREE_CACHE_ENTRIES / 2) {
                for (Tree.Node node : queue.poll().nodes()) {
                    if (Tree.Node.DIR.equals(node.type()) && !captured) {
                        Tree tree = engine.loadTree(BlobId.parse(node.subtree()));
                        queue.add(tree);
                        loaded += 1 + tree.nodes().size();
                    }
                }
            }
        } catch (RuntimeException e) {
            // Only a prefetch: the capture reads what it needs itself and reports problems.
            LOG.debug("Prefetching the parent snapshot's trees stopped: {}", e.toString());
        }
    }

    private static void closeAll(List<SourceView> views) {
        for (SourceView view : views) {
            try {
                view.close();
            } catch (IOException | RuntimeException e) {
                LOG.warn("Closing a source view failed: {}", e.toString());
            }
        }
    }

    /**
     * Flushes the last pack, waits for every upload and writes the index file.
     *
     * @return the run's figures
     */
    public Stats finish() {
        PackBuilder last;
        PackBuilder lastTrees;
        synchronized (packLock) {
            last = pack;
            lastTrees = treePack;
            pack = new PackBuilder(EMPTY, stagingSize); // nothing more is added
            treePack = new PackBuilder(EMPTY, stagingSize);
        }
        if (!last.entries.isEmpty()) {
            upload(last);
        }
        if (!lastTrees.entries.isEmpty()) {
            upload(lastTrees);
        }
        awaitUploads();
        uploader.shutdown();
        if (!written.isEmpty()) {
            bytesStored.add(engine.writeIndex(new ArrayList<>(written)));
        }
        return stats();
    }

    /**
     * Abandons the run; uploaded packs stay unindexed until prune removes them. The uploads that
     * never start give back their slots, so that the repository's workers waiting for one (they
     * are shared with later operations) are not left waiting for good.
     */
    public void abort() {
        readers.shutdownNow();
        packsInFlight.release(uploader.shutdownNow().size());
    }

    private void awaitReads() throws IOException {
        try {
            joinRead(CompletableFuture.allOf(new ArrayList<>(reads).toArray(new CompletableFuture<?>[0])));
        } finally {
            readers.shutdown();
        }
    }

    /** Returns the figures so far. @return the stats */
    public Stats stats() {
        List<BackupResult.UnreadableEntry> listed;
        synchronized (unreadable) {
            listed = new ArrayList<>(unreadable);
        }
        listed.sort(Comparator.comparing(BackupResult.UnreadableEntry::path));
        List<String> skipped;
        synchronized (special) {
            skipped = new ArrayList<>(special);
        }
        skipped.sort(null);
        List<String> changed;
        synchronized (changedWhileRead) {
            changed = new ArrayList<>(changedWhileRead);
        }
        changed.sort(null);
        return new Stats(filesNew.sum(), filesChanged.sum(), filesUnchanged.sum(), filesVanished.sum(),
                directories.sum(), bytesRead.sum(), bytesAdded.sum(), bytesStored.sum(), blobsAdded.sum(), files.sum(),
                bytes.sum(), unreadableCount.sum(), listed, specialCount.sum(), skipped, changedWhileReadCount.sum(),
                changed);
    }

    /** Counts a FIFO, socket or device the source skipped, naming the first ones. */
    private void skipSpecial(String snapshotPath) {
        LOG.debug("Skipping '{}': a FIFO, socket or device", snapshotPath);
        specialCount.increment();
        synchronized (special) {
            if (special.size() < BackupResult.SPECIAL_LISTED) {
                special.add(snapshotPath);
            }
        }
    }

    /** Counts a file stored as read last although it changed while it was read (tar and restic warn alike). */
    private void changedWhileRead(String snapshotPath, int reads) {
        LOG.warn("'{}' changed while it was read ({} reads): stored as read last, which may be torn", snapshotPath,
                reads);
        changedWhileReadCount.increment();
        synchronized (changedWhileRead) {
            if (changedWhileRead.size() < BackupResult.CHANGED_LISTED) {
                changedWhileRead.add(snapshotPath);
            }
        }
    }

    /** Leaves an entry out of the snapshot as unreadable, with a warning. */
    private void leaveOut(String snapshotPath, IOException reason) {
        String why = reasonOf(reason);
        UNREADABLE_LOG.warn("Leaving out '{}': it cannot be read ({})", snapshotPath, why);
        unreadableCount.increment();
        synchronized (unreadable) {
            if (unreadable.size() < BackupResult.UNREADABLE_LISTED) {
                unreadable.add(new BackupResult.UnreadableEntry(snapshotPath, why));
            }
        }
    }

    /**
     * Describes a read failure: the path and the reason for a file system's exception, whose
     * message is only the path when the system gave no reason ({@code AccessDeniedException}).
     *
     * @param e the failure
     * @return the description
     */
    public static String describe(IOException e) {
        if (e instanceof FileSystemException fs && fs.getFile() != null) {
            return fs.getFile() + (fs.getOtherFile() == null ? "" : " -> " + fs.getOtherFile()) + ": " + reasonOf(e);
        }
        return reasonOf(e);
    }

    /** The reason of a read failure in words, without the path. */
    static String reasonOf(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof java.nio.file.FileAlreadyExistsException) {
            return "an entry of that name is in the way";
        }
        if (e instanceof java.nio.file.NotDirectoryException) {
            return "not a directory";
        }
        if (e instanceof FileSystemException fs) {
            return fs.getReason() != null ? fs.getReason() : fs.getClass().getSimpleName();
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    /** Adds bytes written outside the run, such as the manifest. @param n bytes */
    public void addStored(long n) {
        bytesStored.add(n);
    }

    private void awaitUploads() {
        List<Future<?>> pending;
        synchronized (uploads) {
            pending = new ArrayList<>(uploads);
        }
        for (Future<?> f : pending) {
            try {
                f.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException re ? re
                        : new DrException(ErrorCode.IO_FAILURE, "Pack upload failed", null, e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DrException(ErrorCode.CANCELLED, "Interrupted while uploading packs", null, e);
            }
        }
    }

    /** Hashes and stores the reader's next chunk on a worker; {@code dir} counts it as pending until then. */
    private CompletableFuture<BlobId> submitData(ChunkReader reader, int length, Dir dir) {
        ChunkRing.Slice slice = ring.acquire(length);
        byte[] data = slice.array();
        reader.take(data, slice.offset());
        dir.pending.incrementAndGet();
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    BlobId id = crypto.blobId(data, slice.offset(), length);
                    storeBlob(BlobType.DATA, id, data, slice.offset(), length);
                    return id;
                } finally {
                    ring.release(slice);
                    dir.pending.decrementAndGet();
                }
            }, workers);
        } catch (RuntimeException | Error e) {
            ring.release(slice);
            dir.pending.decrementAndGet();
            throw e;
        }
    }

    private void storeBlob(BlobType type, BlobId id, byte[] data, int offset, int length) {
        if (index.contains(id) || !added.add(id)) {
            return;
        }
        // Compression runs in parallel; sealing, a small share of the work, goes straight into
        // the pack's buffer under the lock.
        Crypto.Prepared prepared = crypto.prepare(data, offset, length);
        int sealedLength = prepared.sealedLength();
        bytesAdded.add(length);
        blobsAdded.increment();
        PackBuilder closed = null;
        PackBuilder full = null;
        boolean tree = type == BlobType.TREE;
        synchronized (packLock) {
            PackBuilder target = tree ? treePack : pack;
            if (!target.entries.isEmpty()
                    && target.size + sealedLength + Packs.trailerBound(target.entries.size() + 1) > stagingSize) {
                closed = target;
                target = tree ? new PackBuilder(EMPTY, stagingSize) : newPack();
            }
            target.reserve(sealedLength);
            int n = crypto.sealPrepared(prepared, target.buf, target.size);
            target.add(type, id, n, length);
            if (target.size >= packSize) {
                full = target;
                target = tree ? new PackBuilder(EMPTY, stagingSize) : newPack();
            }
            if (tree) {
                treePack = target;
            } else {
                pack = target;
            }
        }
        if (closed != null) {
            upload(closed);
        }
        if (full != null) {
            upload(full);
        }
    }

    private PackBuilder newPack() {
        byte[] buf = staging.poll();
        if (buf == null) {
            // The first pack's buffer grows with it: a backup that adds only a few trees does not
            // pay for a whole pack. Later ones are full size from the start and are reused.
            buf = firstPack ? EMPTY : new byte[stagingSize];
            firstPack = false;
        }
        return new PackBuilder(buf, stagingSize);
    }

    private void upload(PackBuilder full) {
        byte[] trailer = Packs.trailer(crypto, full.entries);
        full.reserve(trailer.length);
        System.arraycopy(trailer, 0, full.buf, full.size, trailer.length);
        byte[] bytes = full.buf;
        int length = full.size + trailer.length;
        full.buf = EMPTY;
        String packId = Packs.sha256(bytes, length);
        Index.PackRecord record = new Index.PackRecord(packId, List.copyOf(full.entries));
        try {
            packsInFlight.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DrException(ErrorCode.CANCELLED, "Backup interrupted", null, e);
        }
        Future<?> sent;
        try {
            sent = uploader.submit(() -> {
                try {
                    store.put(Packs.key(packId), bytes, 0, length);
                    bytesStored.add(length);
                    written.add(record);
                } finally {
                    if (bytes.length == stagingSize && staging.size() < 2) {
                        staging.add(bytes);
                    }
                    packsInFlight.release();
                }
            });
        } catch (RejectedExecutionException e) {
            packsInFlight.release(); // the run was abandoned
            throw new DrException(ErrorCode.CANCELLED, "Backup abandoned", null, e);
        }
        uploads.add(sent);
    }

    private BlobId writeTree(Dir dir, @Nullable String path) throws IOException {
        Tree previousTree = dir.previous == null ? null : loadOrNull(dir.previous);
        List<Tree.Node> nodes = new ArrayList<>(dir.children.size());
        for (Map.Entry<String, Object> child : dir.children.entrySet()) {
            String name = child.getKey();
            String childPath = path == null ? name : path + "/" + name;
            Object value = child.getValue();
            if (value instanceof Dir sub) {
                if (previousTree != null) {
                    Tree.Node before = previousTree.find(name);
                    if (before != null && Tree.Node.DIR.equals(before.type())) {
                        sub.previous = BlobId.parse(before.subtree());
                    }
                }
                nodes.add(dirNode(name, sub.meta, writeTree(sub, childPath)));
            } else if (value instanceof SealedDir sealed) {
                nodes.add(dirNode(name, sealed.meta(), sealed.tree()));
            } else if (value instanceof FileEntry file) {
                if (file.read != null && file.read.isCompletedExceptionally()) {
                    joinRead(file.read);
                }
                if (file.leftOut) {
                    continue;
                }
                List<String> content = new ArrayList<>(file.parts.size());
                for (CompletableFuture<BlobId> part : file.parts) {
                    content.add(join(part, childPath).hex());
                }
                if (file.reused != null) {
                    content = file.reused;
                }
                EntryMetadata m = file.meta;
                files.increment();
                bytes.add(file.size);
                nodes.add(new Tree.Node(name, Tree.Node.FILE, file.size, m.modified().getEpochSecond(),
                        m.modified().getNano(), m.mode(), m.inode(), content, null, null, m.changed(), m.uid(),
                        m.gid()));
            } else {
                LinkEntry link = (LinkEntry) value;
                EntryMetadata m = link.meta;
                nodes.add(new Tree.Node(name, Tree.Node.SYMLINK, 0, m.modified().getEpochSecond(),
                        m.modified().getNano(), m.mode(), m.inode(), null, null, link.target, 0, m.uid(), m.gid()));
            }
        }
        // A directory equal to its parent snapshot's needs no encoding: its tree blob exists.
        if (previousTree != null && dir.previous != null && previousTree.nodes().equals(nodes)
                && index.contains(dir.previous)) {
            return dir.previous;
        }
        byte[] json = new Tree(nodes).encode();
        BlobId id = crypto.blobId(json, 0, json.length);
        storeBlob(BlobType.TREE, id, json, 0, json.length);
        return id;
    }

    private Tree.Node dirNode(String name, EntryMetadata m, BlobId subtree) {
        directories.increment();
        return new Tree.Node(name, Tree.Node.DIR, 0, m.modified().getEpochSecond(), m.modified().getNano(), m.mode(),
                m.inode(), null, subtree.hex(), null, 0, m.uid(), m.gid());
    }

    /** Loads a tree of the parent snapshot, or null when it cannot be read: it only saves work. */
    private @Nullable Tree loadOrNull(BlobId tree) {
        try {
            return engine.loadTree(tree);
        } catch (DrException e) {
            LOG.debug("Parent snapshot's tree {} unreadable: {}", tree, e.toString());
            return null;
        }
    }

    /** Waits for a read, or for all of them, and throws what it failed with. */
    private static void joinRead(CompletableFuture<Void> read) throws IOException {
        try {
            read.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IOException(cause);
        }
    }

    private static BlobId join(CompletableFuture<BlobId> part, String path) {
        try {
            return part.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof DrException dr) {
                throw dr;
            }
            throw new DrException(ErrorCode.IO_FAILURE, "Storing a chunk of " + path + " failed", path, cause);
        }
    }

    private static final byte[] EMPTY = new byte[0];

    /** The pack being filled: its sealed blobs, back to back in a reused buffer. */
    private static final class PackBuilder {
        final List<PackEntry> entries = new ArrayList<>();
        byte[] buf;
        int size;

        private final int capacity;

        PackBuilder(byte[] buf, int capacity) {
            this.buf = buf;
            this.capacity = capacity;
        }

        /**
         * Makes room for {@code length} more bytes: an empty buffer grows to 1 MiB and doubles
         * up to the staging size (a backup that adds little, or a pack of trees, does not pay for
         * a whole pack: a new array is zeroed, so all of it is resident); any buffer grows beyond
         * that only for a blob larger than it, such as a huge directory's tree.
         */
        void reserve(int length) {
            if (size + length > buf.length) {
                int grown = buf.length >= capacity ? 0 : (int) Math.min(capacity, Math.max(2L * buf.length, 1 << 20));
                buf = Arrays.copyOf(buf, Math.max(grown, size + length));
            }
        }

        void add(BlobType type, BlobId id, int sealedLength, int rawLength) {
            entries.add(new PackEntry(id, type, size, sealedLength, rawLength));
            size += sealedLength;
        }
    }

    /** A directory being captured. */
    private static final class Dir {
        final Map<String, Object> children = new TreeMap<>();
        /**
         * Reads of this directory's files, and their chunks being hashed and stored, not yet
         * done: its tree is written when none is left, so that writing it never waits on them.
         */
        final AtomicInteger pending = new AtomicInteger();
        EntryMetadata meta;
        @Nullable BlobId previous;
        /** Whether the view said the directory is complete; its tree is written once its reads are done. */
        boolean ended;

        Dir(@Nullable EntryMetadata meta) {
            this.meta = meta == null ? EntryMetadata.file(0, Instant.EPOCH) : meta;
        }
    }

    /** A file being captured. */
    private static final class FileEntry {
        /** As listed, or as found after a read that the file changed during was done again. */
        volatile EntryMetadata meta;
        volatile List<CompletableFuture<BlobId>> parts = new ArrayList<>();
        @Nullable CompletableFuture<Void> read;
        @Nullable List<String> reused;
        /** Whether the file vanished or could not be opened, so it is not in the snapshot. */
        volatile boolean leftOut;
        long size;

        FileEntry(EntryMetadata meta) {
            this.meta = meta;
        }
    }

    /** A directory whose tree is written: all its parent's tree needs of it. */
    private record SealedDir(BlobId tree, EntryMetadata meta) {
    }

    /** A directory that ended, waiting for its files' reads and chunks before its tree is written. */
    private record Ended(Dir dir, Dir parent, String name, String path) {
    }

    /** A symbolic link being captured. */
    private record LinkEntry(String target, EntryMetadata meta) {
    }

    /** Receives one source's entries and builds its directory tree. */
    private final class Writer implements EntryWriter {
        private final String sourceName;
        private final Dir root;
        private final @Nullable BlobId parentTree;
        /** The names of the directories on the path last looked up in the parent snapshot. */
        private final List<String> pathNames = new ArrayList<>();
        /** The parent snapshot's trees along that path: the view's root first, one per name after it. */
        private final List<Tree> pathTrees = new ArrayList<>();
        private final ArrayDeque<Ended> ended = new ArrayDeque<>();
        /** Whether the source wrote any entry below its root, even one it could not read. */
        private boolean wroteAny;

        Writer(String sourceName, Dir root, @Nullable BlobId parentTree) {
            this.sourceName = sourceName;
            this.root = root;
            this.parentTree = parentTree;
        }

        @Override
        public void directory(String path, EntryMetadata metadata) {
            requireType(metadata, EntryType.DIRECTORY, path);
            if (path.isEmpty()) {
                root.meta = metadata;
                return;
            }
            wroteAny = true;
            String[] segments = split(path);
            Dir parent = parentDir(segments, path);
            String name = segments[segments.length - 1];
            Object existing = parent.children.get(name);
            if (existing instanceof Dir dir && !dir.ended) {
                dir.meta = metadata;
            } else if (existing instanceof Dir || existing instanceof SealedDir) {
                throw afterEnd(path, path);
            } else if (existing == null) {
                parent.children.put(name, new Dir(metadata));
            } else {
                throw conflict(path);
            }
        }

        @Override
        public void file(String path, EntryMetadata metadata, ContentOpener content) throws IOException {
            requireType(metadata, EntryType.FILE, path);
            wroteAny = true;
            String[] segments = split(path);
            Dir parent = parentDir(segments, path);
            String name = segments[segments.length - 1];
            if (parent.children.containsKey(name)) {
                throw conflict(path);
            }
            FileEntry file = new FileEntry(metadata);
            parent.children.put(name, file);
            Tree.Node previous = previous(segments);
            if (previous != null && unchanged(previous, metadata)) {
                file.reused = previous.content();
                file.size = previous.size();
                filesUnchanged.increment();
                engine.progress().found(1, previous.size());
                engine.progress().done(1, previous.size());
                return;
            }
            // Counted as new or changed until the read finds it gone or unreadable.
            LongAdder counted = previous == null ? filesNew : filesChanged;
            counted.increment();
            engine.progress().found(1, Math.max(0, metadata.size()));
            try {
                pendingFiles.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DrException(ErrorCode.CANCELLED, "Backup interrupted", path, e);
            }
            CompletableFuture<Void> read = new CompletableFuture<>();
            file.read = read;
            reads.add(read);
            parent.pending.incrementAndGet();
            readers.execute(() -> {
                try {
                    ChunkReader reader = chunkReaders.get();
                    InputStream opened;
                    try {
                        opened = content.open();
                    } catch (NoSuchFileException vanished) {
                        // Deleted between listing and reading: not part of this snapshot.
                        LOG.warn("Skipping '{}': it vanished during the backup", path);
                        file.leftOut = true;
                        counted.decrement();
                        filesVanished.increment();
                        read.complete(null);
                        return;
                    } catch (AccessDeniedException denied) {
                        file.leftOut = true;
                        counted.decrement();
                        leaveOut(sourceName + "/" + path, denied);
                        read.complete(null);
                        return;
                    }
                    for (int attempt = 1;; attempt++) {
                        List<CompletableFuture<BlobId>> parts = new ArrayList<>();
                        try (InputStream in = opened) {
                            reader.reset(in);
                            for (int n = reader.nextLength(); n >= 0; n = reader.nextLength()) {
                                parts.add(submitData(reader, n, parent));
                            }
                        }
                        file.parts = parts;
                        file.size = reader.bytesRead();
                        bytesRead.add(file.size);
                        EntryMetadata now = changedWhileReading(file, content);
                        if (now == null) {
                            break;
                        }
                        if (attempt == MAX_READS) {
                            changedWhileRead(sourceName + "/" + path, attempt);
                            break;
                        }
                        // Read again, against what the file is now; the parts read are left to prune.
                        file.meta = now;
                        try {
                            opened = content.open();
                        } catch (NoSuchFileException | AccessDeniedException gone) {
                            changedWhileRead(sourceName + "/" + path, attempt);
                            break; // the last read stands, and may be torn
                        }
                    }
                    engine.progress().done(1, file.size);
                    read.complete(null);
                } catch (Throwable e) {
                    // Errors too (out of memory, a faulty source): the capture waits on this.
                    read.completeExceptionally(e instanceof IOException io
                            ? new IOException("Reading '" + path + "' failed: " + describe(io), io) : e);
                } finally {
                    if (!read.isCompletedExceptionally()) {
                        reads.remove(read);
                    }
                    parent.pending.decrementAndGet();
                    pendingFiles.release();
                }
            });
        }

        /**
         * Returns the file's metadata now when it changed while it was read, or null. The length
         * read is compared with the listed size for free; the source is asked for the metadata
         * again (one {@code lstat} for a directory) only after a read of more than one chunk or
         * of another length, so that small files cost no extra call.
         */
        private @Nullable EntryMetadata changedWhileReading(FileEntry file, ContentOpener content)
                throws IOException {
            EntryMetadata listed = file.meta;
            if (file.size == listed.size() && file.parts.size() <= 1) {
                return null;
            }
            EntryMetadata now;
            try {
                now = content.current();
            } catch (NoSuchFileException gone) {
                return null; // deleted after it was read whole: the read stands
            }
            if (now == null) {
                return null;
            }
            boolean same = now.type() == EntryType.FILE && now.size() == file.size && now.size() == listed.size()
                    && now.modified().equals(listed.modified()) && now.changed() == listed.changed()
                    && now.inode() == listed.inode();
            return same ? null : now;
        }

        @Override
        public void unreadable(String path, IOException reason) {
            split(path);
            wroteAny = true;
            leaveOut(sourceName + "/" + path, reason);
        }

        @Override
        public void special(String path) {
            split(path);
            wroteAny = true;
            skipSpecial(sourceName + "/" + path);
        }

        @Override
        public void symlink(String path, String target, EntryMetadata metadata) {
            requireType(metadata, EntryType.SYMLINK, path);
            wroteAny = true;
            String[] segments = split(path);
            Dir parent = parentDir(segments, path);
            String name = segments[segments.length - 1];
            if (parent.children.containsKey(name)) {
                throw conflict(path);
            }
            parent.children.put(name, new LinkEntry(target, metadata));
        }

        private boolean unchanged(Tree.Node node, EntryMetadata m) {
            if (!Tree.Node.FILE.equals(node.type()) || node.size() != m.size()
                    || node.mtime() != m.modified().getEpochSecond() || node.mtimeNanos() != m.modified().getNano()
                    || node.inode() != m.inode() || node.content() == null) {
                return false;
            }
            // Written again with its size and modification time put back (touch -r, cp -p, a
            // second write within the file system's time granularity): only the ctime moved.
            // Unknown on either side (a tree written before it was recorded, a source that has
            // none), the other fields decide.
            if (node.ctime() != 0 && m.changed() != 0 && node.ctime() != m.changed()) {
                return false;
            }
            for (String hex : node.content()) {
                if (!index.contains(BlobId.parse(hex))) {
                    return false;
                }
            }
            return true;
        }

        private Tree.@Nullable Node previous(String[] segments) {
            Tree dir = parentTreeOf(segments, segments.length - 1);
            return dir == null ? null : dir.find(segments[segments.length - 1]);
        }

        /**
         * Returns the parent snapshot's tree of the directory named by the first {@code depth}
         * segments, or null. The trees along the last path asked for are kept, so that entries of
         * one directory, and its subdirectories, read no tree again.
         */
        private @Nullable Tree parentTreeOf(String[] segments, int depth) {
            if (parentTree == null) {
                return null;
            }
            if (pathTrees.isEmpty()) {
                Tree root = loadOrNull(parentTree);
                if (root == null) {
                    return null;
                }
                pathTrees.add(root);
            }
            int common = 0;
            while (common < depth && common < pathNames.size() && pathNames.get(common).equals(segments[common])) {
                common++;
            }
            while (pathNames.size() > common) {
                pathNames.remove(pathNames.size() - 1);
                pathTrees.remove(pathTrees.size() - 1);
            }
            for (int i = common; i < depth; i++) {
                Tree.Node node = pathTrees.get(i).find(segments[i]);
                Tree tree = node != null && Tree.Node.DIR.equals(node.type())
                        ? loadOrNull(BlobId.parse(node.subtree())) : null;
                if (tree == null) {
                    return null;
                }
                pathNames.add(segments[i]);
                pathTrees.add(tree);
            }
            return pathTrees.get(depth);
        }

        private Dir parentDir(String[] segments, String path) {
            Dir dir = root;
            for (int i = 0; i < segments.length - 1; i++) {
                Object child = dir.children.get(segments[i]);
                if (child == null) {
                    Dir created = new Dir(EntryMetadata.file(0, time));
                    dir.children.put(segments[i], created);
                    dir = created;
                } else if (child instanceof Dir d && !d.ended) {
                    dir = d;
                } else if (child instanceof Dir || child instanceof SealedDir) {
                    throw afterEnd(path, String.join("/", Arrays.copyOf(segments, i + 1)));
                } else {
                    throw conflict(path);
                }
            }
            return dir;
        }

        @Override
        public void directoryEnd(String path) throws IOException {
            if (path.isEmpty()) {
                return; // the view's root is written with the snapshot's root
            }
            String[] segments = split(path);
            Dir parent = parentDir(segments, path);
            String name = segments[segments.length - 1];
            if (!(parent.children.get(name) instanceof Dir dir) || dir.ended) {
                throw new DrException(ErrorCode.INVALID_ARGUMENT, "Directory '" + path
                        + "' ended, but it was not written as a directory or has ended before", path);
            }
            end(dir, parent, name, path, previousTree(segments));
            sealReady();
        }

        /**
         * Marks a directory and, first, every subdirectory that has not ended as ended: nothing
         * more comes below it. Children go into the queue before their parent.
         */
        private void end(Dir dir, Dir parent, String name, String path, @Nullable BlobId previous) {
            Tree before = null;
            for (Map.Entry<String, Object> child : dir.children.entrySet()) {
                if (child.getValue() instanceof Dir sub && !sub.ended) {
                    if (before == null && previous != null) {
                        before = loadOrNull(previous);
                    }
                    Tree.Node node = before == null ? null : before.find(child.getKey());
                    BlobId subPrevious = node != null && Tree.Node.DIR.equals(node.type())
                            ? BlobId.parse(node.subtree()) : null;
                    end(sub, dir, child.getKey(), path + "/" + child.getKey(), subPrevious);
                }
            }
            dir.ended = true;
            dir.previous = previous;
            ended.add(new Ended(dir, parent, name, path));
        }

        /** Writes the trees of ended directories whose files are read and stored, oldest first. */
        private void sealReady() throws IOException {
            for (Ended head = ended.peek(); head != null && head.dir().pending.get() == 0; head = ended.peek()) {
                ended.poll();
                BlobId tree = writeTree(head.dir(), head.path());
                head.parent().children.put(head.name(), new SealedDir(tree, head.dir().meta));
            }
        }

        private @Nullable BlobId previousTree(String[] segments) {
            Tree.Node dir = previous(segments);
            return dir != null && Tree.Node.DIR.equals(dir.type()) ? BlobId.parse(dir.subtree()) : null;
        }
    }

    private static DrException afterEnd(String path, String ended) {
        return new DrException(ErrorCode.INVALID_ARGUMENT, "Entry '" + path + "' was written after directory '"
                + ended + "' ended", path);
    }

    private static DrException conflict(String path) {
        return new DrException(ErrorCode.INVALID_ARGUMENT, "Entry '" + path
                + "' was written twice, or below something that is not a directory", path);
    }

    private static void requireType(EntryMetadata metadata, EntryType type, String path) {
        if (metadata.type() != type) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "Entry '" + path + "' has metadata of type "
                    + metadata.type() + ", expected " + type, path);
        }
    }

    /**
     * Splits and checks an entry path.
     *
     * @param path a relative {@code /}-separated path
     * @return its segments
     * @throws DrException {@code UNSAFE_PATH} for an absolute path or an empty, {@code .} or
     *     {@code ..} segment
     */
    static String[] split(String path) {
        if (path.isEmpty() || path.startsWith("/")) {
            throw new DrException(ErrorCode.UNSAFE_PATH, "Entry path '" + path + "' must be relative and not empty",
                    path);
        }
        int nul = path.indexOf('\0');
        if (nul >= 0) {
            String shown = path.replace("\0", "\\u0000");
            throw new DrException(ErrorCode.UNSAFE_PATH, "Entry path '" + shown + "' contains a NUL character (at index "
                    + nul + ")", shown);
        }
        String[] segments = path.split("/", -1);
        for (String s : segments) {
            if (s.isEmpty() || s.equals(".") || s.equals("..")) {
                throw new DrException(ErrorCode.UNSAFE_PATH, "Entry path '" + path
                        + "' has an empty, '.' or '..' segment", path);
            }
        }
        return segments;
    }
}
