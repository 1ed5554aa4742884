package dev.drkit.core.repository.internal;

import dev.drkit.api.journal.FeedResume;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The files of one journaled source at one point: a base snapshot's files with a journal's
 * changes applied, as the file system would apply them. A put replaces what lay at or below
 * its path and any file above it; a rename moves a file, or every file below a directory path.
 * Not thread-safe.
 */
public final class JournalState {
    /**
     * One file's content.
     *
     * @param blobs its chunks
     * @param size its length
     * @param modified its modification time
     */
    public record FileRef(List<BlobId> blobs, long size, Instant modified) {
    }

    private final TreeMap<String, FileRef> files = new TreeMap<>();

    /**
     * Loads a source's files from a snapshot.
     *
     * @param engine the repository
     * @param snapshotId the snapshot
     * @param source the source, a top-level directory of the snapshot
     * @return the state; empty when the snapshot does not hold the source
     */
    public static JournalState ofSnapshot(Engine engine, String snapshotId, String source) {
        JournalState state = new JournalState();
        Tree root = engine.loadTree(BlobId.parse(engine.readManifest(snapshotId).tree()));
        Tree.Node node = root.find(source);
        if (node != null && Tree.Node.DIR.equals(node.type())) {
            state.walk(engine, BlobId.parse(node.subtree()), "");
        }
        return state;
    }

    private void walk(Engine engine, BlobId tree, String prefix) {
        for (Tree.Node node : engine.loadTree(tree).nodes()) {
            String path = prefix.isEmpty() ? node.name() : prefix + "/" + node.name();
            if (Tree.Node.DIR.equals(node.type())) {
                walk(engine, BlobId.parse(node.subtree()), path);
            } else if (Tree.Node.FILE.equals(node.type()) && node.content() != null) {
                files.put(path, new FileRef(node.content().stream().map(BlobId::parse).toList(), node.size(),
                        Instant.ofEpochSecond(node.mtime(), node.mtimeNanos())));
            }
        }
    }

    /**
     * Applies one change.
     *
     * @param e the change
     */
    public void apply(Segment.Entry e) {
        switch (e.kind()) {
            case PUT -> put(e.path(), new FileRef(e.blobs(), e.size(), e.modified()));
            case DELETE -> {
                files.remove(e.path());
                below(e.path()).clear();
            }
            case RENAME -> rename(e.path(), e.target());
            default -> throw new IllegalStateException("Unknown change " + e.kind());
        }
    }

    /**
     * Puts a file, replacing what lay at or below its path and the files above it.
     *
     * @param path the path
     * @param ref the content
     */
    public void put(String path, FileRef ref) {
        below(path).clear();
        for (int i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) {
            files.remove(path.substring(0, i));
        }
        files.put(path, ref);
    }

    private void rename(String from, String to) {
        if (from.equals(to)) {
            return;
        }
        FileRef file = files.remove(from);
        if (file != null) {
            put(to, file);
            return;
        }
        NavigableMap<String, FileRef> moved = new TreeMap<>(below(from));
        below(from).clear();
        if (moved.isEmpty()) {
            return;
        }
        files.remove(to);
        below(to).clear();
        for (Map.Entry<String, FileRef> m : moved.entrySet()) {
            put(to + m.getKey().substring(from.length()), m.getValue());
        }
    }

    private NavigableMap<String, FileRef> below(String dir) {
        // '/' + 1 is '0': every key that starts with "dir/" sorts before "dir0".
        return files.subMap(dir + "/", true, dir + "0", false);
    }

    /** Returns the files by path, in path order. @return the live view */
    public NavigableMap<String, FileRef> files() {
        return files;
    }

    /**
     * Returns every blob the files use.
     *
     * @return the ids
     */
    public Set<BlobId> blobs() {
        Set<BlobId> out = new HashSet<>();
        for (FileRef f : files.values()) {
            out.addAll(f.blobs());
        }
        return out;
    }

    /**
     * Returns the state as a feed sees it when it resumes.
     *
     * @param position the last committed position
     * @param syncedUpTo when the journal's last segment was taken, or null
     * @return the resume point
     */
    public FeedResume resume(long position, @Nullable Instant syncedUpTo) {
        Map<String, FeedResume.Entry> entries = new HashMap<>();
        for (Map.Entry<String, FileRef> f : files.entrySet()) {
            entries.put(f.getKey(), new FeedResume.Entry(f.getValue().size(), f.getValue().modified()));
        }
        return new FeedResume(position, entries, syncedUpTo);
    }

    /** Returns the paths, for messages and tests. @return the paths */
    public List<String> paths() {
        return new ArrayList<>(files.keySet());
    }

}
