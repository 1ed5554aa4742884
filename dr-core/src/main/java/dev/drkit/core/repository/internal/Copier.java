package dev.drkit.core.repository.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.Snapshot;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Copies snapshots from one repository into another. Blob ids are keyed hashes, so the same
 * content has different ids in the two repositories: every blob the destination lacks is
 * opened with the source's keys, named and sealed with the destination's, and every tree is
 * rewritten with the destination's ids (which changes the trees' own ids in turn).
 *
 * <p>The commit order is the backup's: packs, then an index file, then the manifest by
 * conditional create under the snapshot's own id. An index file is written every few packs,
 * so an interrupted copy keeps what it sent and a rerun sends only the rest; no snapshot is
 * visible before its manifest. The id map is seeded from snapshots both repositories hold,
 * by walking the two copies of their trees side by side, so copying a later snapshot reads
 * from the source only the data blobs that are new since the last copy.
 *
 * <p>Packs are uploaded by two threads while the next one fills. One instance makes one copy.
 */
public final class Copier {
    /** Index files are written after this many packs. */
    static final int PACKS_PER_INDEX = 8;

    /** What a copy did. */
    public record Stats(List<String> copied, List<String> skipped, long blobsSent, long bytesSent, long blobsRead,
            List<String> packsMissing) {
    }

    private final Engine source;
    private final Engine destination;
    private final SnapshotStore store;
    private final Crypto crypto;
    private final int packSize;
    /** Source blob id to destination blob id. */
    private final Map<BlobId, BlobId> ids = new HashMap<>();
    /** Destination blobs sent by this run, indexed or waiting in a pack. */
    private final Set<BlobId> sent = ConcurrentHashMap.newKeySet();
    /** Packs stored but not yet listed in an index file. */
    private final List<Index.PackRecord> unindexed = Collections.synchronizedList(new ArrayList<>());
    private final List<Future<?>> uploads = new ArrayList<>();
    private final Semaphore packsInFlight = new Semaphore(2);
    private final ExecutorService uploader = Executors.newFixedThreadPool(2, Engine.daemonThreads("dr-copy-upload"));
    private final List<byte[]> packBlobs = new ArrayList<>();
    private final List<PackEntry> packEntries = new ArrayList<>();
    private int packBytes;
    private long blobsSent;
    private final AtomicLong bytesSent = new AtomicLong();
    private long blobsRead;

    /**
     * Prepares a copy.
     *
     * @param source the repository to read
     * @param destination the repository to write
     */
    public Copier(Engine source, Engine destination) {
        Crypto.warmUp();
        this.source = source;
        this.destination = destination;
        this.store = destination.store();
        this.crypto = destination.crypto();
        this.packSize = destination.options().packSize();
    }

    /**
     * Copies snapshots the destination does not hold yet, oldest first, under a shared lock on
     * each repository; call once per instance.
     *
     * @param snapshots the source's snapshots to copy
     * @return what was copied and sent
     * @throws DrException {@code LOCKED} when a prune holds either repository; a storage
     *     failure otherwise, after which no partly copied snapshot is visible
     */
    public Stats copy(List<Snapshot> snapshots) {
        List<Snapshot> ordered = new ArrayList<>(snapshots);
        ordered.sort(Comparator.comparing(Snapshot::time).thenComparing(Snapshot::id));
        List<String> copied = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        List<String> packsMissing;
        try (Maintenance.Lock sourceLock = Maintenance.lock(source, false);
                Maintenance.Lock destinationLock = Maintenance.lock(destination, false)) {
            destination.refreshIndexIfChanged();
            // A pack the destination lost is not deduplicated against: its blobs are sent again.
            packsMissing = Maintenance.dropMissingPacks(destination, Maintenance.listPacks(destination.store()));
            Set<String> held = new HashSet<>();
            for (Snapshot s : destination.snapshots()) {
                held.add(s.id());
            }
            boolean seeded = false;
            source.progress().start("copy", ordered.size(), ordered.stream().mapToLong(Snapshot::bytes).sum());
            for (Snapshot snapshot : ordered) {
                if (held.contains(snapshot.id())) {
                    skipped.add(snapshot.id());
                    source.progress().done(1, snapshot.bytes());
                    continue;
                }
                if (!seeded) {
                    seed(held);
                    seeded = true;
                }
                Engine.Manifest manifest = source.readManifest(snapshot.id());
                BlobId root = copyTree(BlobId.parse(manifest.tree()));
                flushPack();
                flushIndex();
                Engine.Manifest copy = new Engine.Manifest(manifest.version(), manifest.time(), manifest.host(),
                        manifest.tags(), root.hex(), manifest.parent(), manifest.sources(), manifest.files(),
                        manifest.bytes(), manifest.unreadable(), manifest.unreadablePaths());
                try {
                    bytesSent.addAndGet(destination.writeManifest(snapshot.id(), copy, "copy"));
                    copied.add(snapshot.id());
                } catch (DrException e) {
                    if (e.code() != ErrorCode.ALREADY_EXISTS) {
                        throw e;
                    }
                    skipped.add(snapshot.id()); // a concurrent copy committed it first
                }
                held.add(snapshot.id());
                source.progress().done(1, snapshot.bytes());
            }
        } finally {
            uploader.shutdownNow();
            source.progress().finish();
        }
        return new Stats(List.copyOf(copied), List.copyOf(skipped), blobsSent, bytesSent.get(), blobsRead,
                packsMissing);
    }

    /** Maps ids from the snapshots both repositories hold, newest first, reading only trees. */
    private void seed(Set<String> held) {
        List<Snapshot> common = new ArrayList<>();
        for (Snapshot s : source.snapshots()) {
            if (held.contains(s.id())) {
                common.add(s);
            }
        }
        for (int i = common.size() - 1; i >= 0; i--) {
            String id = common.get(i).id();
            try {
                pair(BlobId.parse(source.readManifest(id).tree()), BlobId.parse(destination.readManifest(id).tree()));
            } catch (DrException e) {
                // A damaged or pruned copy seeds nothing; its blobs are simply read and sent again.
            }
        }
    }

    /** Walks two copies of one tree side by side and maps each source id to its counterpart. */
    private void pair(BlobId sourceTree, BlobId destinationTree) {
        if (ids.containsKey(sourceTree) || !destination.index().contains(destinationTree)) {
            return;
        }
        Tree from = source.loadTree(sourceTree);
        Tree to = destination.loadTree(destinationTree);
        if (from.nodes().size() != to.nodes().size()) {
            return;
        }
        ids.put(sourceTree, destinationTree);
        for (int i = 0; i < from.nodes().size(); i++) {
            Tree.Node a = from.nodes().get(i);
            Tree.Node b = to.nodes().get(i);
            if (!a.name().equals(b.name()) || !a.type().equals(b.type())) {
                continue;
            }
            if (Tree.Node.DIR.equals(a.type())) {
                pair(BlobId.parse(a.subtree()), BlobId.parse(b.subtree()));
            } else if (Tree.Node.FILE.equals(a.type()) && a.content().size() == b.content().size()
                    && a.size() == b.size()) {
                for (int j = 0; j < a.content().size(); j++) {
                    ids.putIfAbsent(BlobId.parse(a.content().get(j)), BlobId.parse(b.content().get(j)));
                }
            }
        }
    }

    /** Copies a tree and everything below it; returns its id in the destination. */
    private BlobId copyTree(BlobId sourceId) {
        BlobId known = ids.get(sourceId);
        if (known != null && present(known)) {
            return known;
        }
        Tree tree = source.loadTree(sourceId);
        Map<BlobId, Future<BlobId>> pending = new HashMap<>();
        for (Tree.Node node : tree.nodes()) {
            if (Tree.Node.FILE.equals(node.type())) {
                for (String hex : node.content()) {
                    BlobId id = BlobId.parse(hex);
                    BlobId mapped = ids.get(id);
                    if ((mapped == null || !present(mapped)) && !pending.containsKey(id)) {
                        pending.put(id, source.pool().submit(() -> reseal(id)));
                    }
                }
            }
        }
        try {
            for (Map.Entry<BlobId, Future<BlobId>> e : pending.entrySet()) {
                ids.put(e.getKey(), await(e.getValue(), e.getKey()));
            }
        } catch (RuntimeException e) {
            pending.values().forEach(f -> f.cancel(true));
            throw e;
        }
        List<Tree.Node> nodes = new ArrayList<>(tree.nodes().size());
        for (Tree.Node node : tree.nodes()) {
            switch (node.type()) {
                case Tree.Node.FILE -> {
                    List<String> content = new ArrayList<>(node.content().size());
                    for (String hex : node.content()) {
                        content.add(ids.get(BlobId.parse(hex)).hex());
                    }
                    nodes.add(new Tree.Node(node.name(), node.type(), node.size(), node.mtime(), node.mtimeNanos(),
                            node.mode(), node.inode(), content, null, null, 0, node.uid(), node.gid()));
                }
                case Tree.Node.DIR -> {
                    BlobId subtree = copyTree(BlobId.parse(node.subtree()));
                    nodes.add(new Tree.Node(node.name(), node.type(), node.size(), node.mtime(), node.mtimeNanos(),
                            node.mode(), node.inode(), null, subtree.hex(), null, 0, node.uid(), node.gid()));
                }
                default -> nodes.add(node);
            }
        }
        byte[] json = new Tree(nodes).encode();
        BlobId id = crypto.blobId(json, 0, json.length);
        send(BlobType.TREE, id, json);
        ids.put(sourceId, id);
        return id;
    }

    private boolean present(BlobId destinationId) {
        return destination.index().contains(destinationId) || sent.contains(destinationId);
    }

    /** Reads one data blob from the source, names it for the destination and sends it if missing. */
    private BlobId reseal(BlobId sourceId) {
        byte[] plain = source.readBlob(sourceId);
        BlobId id = crypto.blobId(plain, 0, plain.length);
        if (!destination.index().contains(id)) {
            byte[] sealed = crypto.packBlob(plain);
            synchronized (this) {
                addToPack(BlobType.DATA, id, sealed, plain.length);
            }
        }
        synchronized (this) {
            blobsRead++;
        }
        return id;
    }

    private void send(BlobType type, BlobId id, byte[] plain) {
        if (destination.index().contains(id)) {
            return;
        }
        byte[] sealed = crypto.packBlob(plain);
        synchronized (this) {
            addToPack(type, id, sealed, plain.length);
        }
    }

    private void addToPack(BlobType type, BlobId id, byte[] sealed, int rawLength) {
        if (!sent.add(id)) {
            return;
        }
        packEntries.add(new PackEntry(id, type, packBytes, sealed.length, rawLength));
        packBlobs.add(sealed);
        packBytes += sealed.length;
        blobsSent++;
        if (packBytes >= packSize) {
            flushPack();
        }
    }

    /** Hands the pack being filled to an upload thread; the index file follows every few packs. */
    private synchronized void flushPack() {
        if (packEntries.isEmpty()) {
            return;
        }
        byte[] bytes = Packs.assemble(crypto, packBlobs, packBytes, packEntries);
        String packId = Packs.sha256(bytes, bytes.length);
        Index.PackRecord record = new Index.PackRecord(packId, List.copyOf(packEntries));
        packEntries.clear();
        packBlobs.clear();
        packBytes = 0;
        try {
            packsInFlight.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DrException(ErrorCode.CANCELLED, "Interrupted while copying", packId, e);
        }
        uploads.add(uploader.submit(() -> {
            try {
                store.put(Packs.key(packId), bytes);
                bytesSent.addAndGet(bytes.length);
                unindexed.add(record);
            } finally {
                packsInFlight.release();
            }
        }));
        if (uploads.size() >= PACKS_PER_INDEX) {
            flushIndex();
        }
    }

    /** Waits for the packs handed to the upload threads, then lists them in an index file. */
    private synchronized void flushIndex() {
        try {
            for (Future<?> upload : uploads) {
                upload.get();
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re
                    : new DrException(ErrorCode.IO_FAILURE, "Uploading a pack failed", null, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DrException(ErrorCode.CANCELLED, "Interrupted while copying", null, e);
        }
        uploads.clear();
        if (unindexed.isEmpty()) {
            return;
        }
        List<Index.PackRecord> records = new ArrayList<>(unindexed);
        bytesSent.addAndGet(destination.writeIndex(records));
        unindexed.clear();
    }

    private static BlobId await(Future<BlobId> future, BlobId sourceId) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof DrException dr) {
                throw dr;
            }
            throw new DrException(ErrorCode.IO_FAILURE, "Copying blob " + sourceId.hex() + " failed", sourceId.hex(),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DrException(ErrorCode.CANCELLED, "Interrupted while copying", sourceId.hex(), e);
        }
    }
}
