package dev.drkit.core.repository.internal;

import dev.drkit.api.journal.ChangeKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Builds one segment: chunks each put's content with the repository's chunker, names the chunks
 * with its keyed hash, and stores (compressed and sealed) only those the chain cannot already
 * reach. Not thread-safe; one instance per segment.
 */
final class SegmentEncoder {
    /** A segment ready to be stored. */
    record Encoded(Segment segment, byte[] bytes, String key, String hash) {
    }

    private final Engine engine;
    private final Predicate<BlobId> reachable;
    private final List<byte[]> sealed = new ArrayList<>();
    private final List<Segment.BlobRef> refs = new ArrayList<>();
    private final List<Segment.Entry> entries = new ArrayList<>();
    private final Set<BlobId> added = new HashSet<>();
    private int size;

    /**
     * Starts a segment.
     *
     * @param engine the repository whose keys and chunker are used
     * @param reachable tells whether the chain reaches a blob already (its base or earlier segments)
     */
    SegmentEncoder(Engine engine, Predicate<BlobId> reachable) {
        this.engine = engine;
        this.reachable = reachable;
    }

    /** Returns the bytes of sealed blobs so far. @return the size */
    int size() {
        return size;
    }

    /** Returns how many changes were added. @return the count */
    int changes() {
        return entries.size();
    }

    /** Returns the last change added. @return the entry */
    Segment.Entry last() {
        return entries.get(entries.size() - 1);
    }

    /**
     * Adds a change.
     *
     * @param position its feed position
     * @param time the journal's time of it
     * @param kind what it does
     * @param path its path
     * @param target a rename's target
     * @param content a put's content, empty otherwise
     * @param modified a put's modification time
     */
    void add(long position, Instant time, ChangeKind kind, String path, @Nullable String target, byte[] content,
            Instant modified) {
        List<BlobId> ids = new ArrayList<>();
        if (kind == ChangeKind.PUT) {
            FastCdc cdc = engine.chunker();
            Crypto crypto = engine.crypto();
            int offset = 0;
            while (offset < content.length) {
                int n = cdc.cut(content, offset, content.length - offset);
                BlobId id = crypto.blobId(content, offset, n);
                ids.add(id);
                if (!reachable.test(id) && added.add(id)) {
                    byte[] blob = crypto.packBlob(Arrays.copyOfRange(content, offset, offset + n));
                    refs.add(new Segment.BlobRef(id, size, blob.length, n));
                    sealed.add(blob);
                    size += blob.length;
                }
                offset += n;
            }
        }
        entries.add(new Segment.Entry(position, time, kind, path, target, content.length,
                kind == ChangeKind.PUT ? modified : Instant.EPOCH, List.copyOf(ids)));
    }

    /**
     * Seals the segment.
     *
     * @param source the source
     * @param base the chain's base snapshot
     * @param seq the segment's number
     * @param previous the previous segment's hash
     * @param end the time up to which it records every change
     * @param position the feed position it records when it holds no change (a heartbeat): the
     *     chain's; otherwise its last change's is recorded
     * @return the segment and its bytes
     */
    Encoded finish(String source, String base, long seq, @Nullable String previous, Instant end, long position) {
        Segment segment = new Segment(source, base, seq, previous, end,
                entries.isEmpty() ? position : last().position(), List.copyOf(refs), List.copyOf(entries));
        byte[] bytes = segment.assemble(engine.crypto(), sealed);
        return new Encoded(segment, bytes, Segment.key(base, seq), Packs.sha256(bytes, bytes.length));
    }
}
