package dev.drkit.core.repository.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.VerifyOptions;
import dev.drkit.core.repository.VerifyReport;
import dev.drkit.core.store.internal.TemporaryFiles;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/** Checks a repository's structure and, when asked, its data; every problem names a store key. */
public final class Verifier {
    private final Engine engine;
    private final SnapshotStore store;
    private final List<VerifyReport.Problem> problems = Collections.synchronizedList(new ArrayList<>());

    /**
     * Prepares a check.
     *
     * @param engine the repository
     */
    public Verifier(Engine engine) {
        Crypto.warmUp();
        this.engine = engine;
        this.store = engine.store();
    }

    /**
     * Runs the check.
     *
     * @param options how deeply
     * @return the report
     */
    public VerifyReport run(VerifyOptions options) {
        List<VerifyReport.Problem> notes = new ArrayList<>();
        // The configuration and the key files, each authenticated over every field.
        try {
            Engine.readConfig(store, engine.crypto());
        } catch (DrException e) {
            problem(Engine.CONFIG, e.getMessage());
        }
        KeyRing.verify(store, engine.crypto(), problems, notes);
        // Index files, one by one, so that a damaged one is named.
        Index index = new Index();
        for (ObjectInfo info : store.list(Index.PREFIX).toList()) {
            try {
                for (Index.PackRecord r : Index.decode(engine.crypto(), store.get(info.key()), info.key())) {
                    index.add(r);
                }
            } catch (DrException e) {
                problem(info.key(), e.getMessage());
            }
        }
        engine.reloadIndexFrom(index);
        // Packs listed by the index must be present, and as long as their entries make them: the
        // listing gives each pack's size, so a pack cut short or extended is found without reading it.
        Map<String, Long> present = new HashMap<>();
        store.list("data/").forEach(o -> present.put(o.key(), o.size()));
        Map<String, List<PackEntry>> packs = new TreeMap<>(index.packs());
        for (Map.Entry<String, List<PackEntry>> pack : packs.entrySet()) {
            String key = Packs.key(pack.getKey());
            Long size = present.get(key);
            if (size == null) {
                problem(key, "pack is listed in the index but missing from the store");
                continue;
            }
            long expected = Packs.size(pack.getValue());
            if (size != expected) {
                problem(key, "pack is " + size + " bytes in the store, but its " + pack.getValue().size()
                        + " indexed blobs and header make it " + expected + " bytes: the pack was "
                        + (size < expected ? "cut short" : "extended"));
            }
        }
        // Packs no index lists and temporary files: what interrupted writers leave, not damage.
        Set<String> indexedKeys = new HashSet<>();
        packs.keySet().forEach(id -> indexedKeys.add(Packs.key(id)));
        int unindexedPacks = (int) present.keySet().stream().filter(k -> !indexedKeys.contains(k)).count();
        int temporaryFiles = store instanceof TemporaryFiles t ? t.temporaryFiles().size() : 0;
        // Every blob a snapshot references must be indexed and every tree readable.
        List<String> snapshots = store.list(Engine.SNAPSHOTS).map(ObjectInfo::key).toList();
        Set<BlobId> seenTrees = new HashSet<>();
        for (String key : snapshots) {
            String id = key.substring(Engine.SNAPSHOTS.length());
            try {
                Engine.Manifest m = engine.readManifestFromStore(id);
                walk(key, BlobId.parse(m.tree()), "", index, seenTrees);
            } catch (DrException e) {
                problem(key, e.getMessage());
            }
        }
        // The snapshot history: its chain, its head, and the snapshots and index files it records.
        History.Check history = History.verify(engine, options.expectedHead());
        problems.addAll(history.problems());
        notes.addAll(history.notes());
        // Journal chains: base, numbering, seals, hash links and the chunks their changes use.
        Journals.verify(engine, options.readData(), problems::add, notes::add);
        // Data: download, decrypt and re-hash all packs, or a share of them chosen by the seed.
        int packsRead = 0;
        AtomicLong blobsRead = new AtomicLong();
        if (options.readData()) {
            List<String> readable = new ArrayList<>();
            for (String packId : packs.keySet()) {
                if (present.containsKey(Packs.key(packId))) {
                    readable.add(packId);
                }
            }
            List<String> chosen = choose(readable, options);
            long bytesToRead = 0;
            for (String packId : chosen) {
                for (PackEntry e : packs.get(packId)) {
                    bytesToRead += e.length();
                }
            }
            engine.progress().found(chosen.size(), bytesToRead);
            List<Future<?>> tasks = new ArrayList<>();
            for (String packId : chosen) {
                tasks.add(engine.pool().submit(() -> {
                    try {
                        checkPack(packId, packs.get(packId), blobsRead);
                    } finally {
                        long read = 0;
                        for (PackEntry e : packs.get(packId)) {
                            read += e.length();
                        }
                        engine.progress().done(1, read);
                    }
                }));
            }
            for (Future<?> t : tasks) {
                try {
                    t.get();
                } catch (ExecutionException e) {
                    problem("data/", String.valueOf(e.getCause()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            packsRead = chosen.size();
        }
        List<VerifyReport.Problem> sorted = new ArrayList<>(problems);
        sorted.sort((a, b) -> a.key().compareTo(b.key()));
        return new VerifyReport(snapshots.size(), packs.size(), packsRead, blobsRead.get(), sorted, notes,
                history.headDigest(), unindexedPacks, temporaryFiles);
    }

    /**
     * Chooses the packs a data check reads: {@link VerifyOptions#packsToRead} of them, the first of
     * the packs in id order shuffled by the seed, so that a seed always reads the same packs and a
     * larger share with the same seed reads those and more.
     */
    static List<String> choose(List<String> sortedPackIds, VerifyOptions options) {
        int count = options.packsToRead(sortedPackIds.size());
        if (count == sortedPackIds.size()) {
            return sortedPackIds;
        }
        List<String> shuffled = new ArrayList<>(sortedPackIds);
        Collections.shuffle(shuffled, new Random(options.seed()));
        List<String> chosen = new ArrayList<>(shuffled.subList(0, count));
        Collections.sort(chosen);
        return chosen;
    }

    private void checkPack(String packId, List<PackEntry> indexed, AtomicLong blobsRead) {
        String key = Packs.key(packId);
        byte[] data;
        try {
            data = store.get(key);
        } catch (DrException e) {
            problem(key, e.getMessage());
            return;
        }
        if (!Packs.sha256(data, data.length).equals(packId)) {
            problem(key, "pack content does not match its name (SHA-256): the pack was altered");
        }
        try {
            List<PackEntry> header = Packs.header(engine.crypto(), data, key);
            if (!new HashSet<>(header).containsAll(indexed)) {
                problem(key, "pack header does not list every blob the index places in it");
            }
        } catch (DrException e) {
            problem(key, e.getMessage());
        }
        for (PackEntry e : indexed) {
            if ((long) e.offset() + e.length() > data.length) {
                problem(key, "blob " + e.id().hex() + " lies outside the pack");
                continue;
            }
            try {
                engine.crypto().unpackBlob(data, e.offset(), e.length(), e.rawLength(), e.id(), key);
                blobsRead.incrementAndGet();
            } catch (DrException ex) {
                problem(key, "blob " + e.id().hex() + ": " + ex.getMessage());
            }
        }
    }

    private void walk(String snapshotKey, BlobId tree, String path, Index index, Set<BlobId> seen) {
        if (!seen.add(tree)) {
            return;
        }
        Index.Location loc = index.find(tree);
        if (loc == null) {
            problem(snapshotKey, "tree " + tree.hex() + " of '" + (path.isEmpty() ? "/" : path) + "' is not indexed");
            return;
        }
        Tree t;
        try {
            t = engine.loadTree(tree);
        } catch (DrException e) {
            problem(Packs.key(loc.packId()), "tree " + tree.hex() + " of '" + (path.isEmpty() ? "/" : path)
                    + "': " + e.getMessage());
            return;
        }
        for (Tree.Node node : t.nodes()) {
            String child = path.isEmpty() ? node.name() : path + "/" + node.name();
            if (Tree.Node.DIR.equals(node.type())) {
                walk(snapshotKey, BlobId.parse(node.subtree()), child, index, seen);
            } else if (node.content() != null) {
                for (String hex : node.content()) {
                    if (index.find(BlobId.parse(hex)) == null) {
                        problem(snapshotKey, "blob " + hex + " of '" + child + "' is not indexed");
                    }
                }
            }
        }
    }

    private void problem(String key, String message) {
        problems.add(new VerifyReport.Problem(key, message));
    }
}
