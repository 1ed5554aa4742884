package dev.drkit.core.repository.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.journal.ChangeKind;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Copies one journal chain into another repository that holds its base snapshot, and keeps
 * its place: each segment the destination lacks is read (checked against the chain), its
 * content re-chunked and sealed with the destination's keys, and linked to the destination's
 * previous segment, so the copy verifies on its own. Later calls send only the segments
 * written since, reading them by key; a segment just read is not read again for its content.
 *
 * <p>Not thread-safe: one thread advances one copy.
 */
public final class ChainCopy {
    private final Engine source;
    private final Engine destination;
    private final String base;
    private final String name;
    private final Chain from;
    private final Map<BlobId, Chain.Location> reach;
    /** Segments read by the current {@link #advance(long)}, by key. */
    private final Map<String, byte[]> fresh = new HashMap<>();
    private @Nullable Set<BlobId> baseBlobs;
    private @Nullable String previous;
    private int sent;

    private ChainCopy(Engine source, Engine destination, String base, String name, Chain from, Chain to) {
        this.source = source;
        this.destination = destination;
        this.base = base;
        this.name = name;
        this.from = from;
        this.reach = new HashMap<>(to.locations());
        this.previous = to.lastHash();
        this.sent = to.segments().size();
    }

    /**
     * Reads the chain in both repositories.
     *
     * @param source the repository to read
     * @param destination the repository to write, holding the base snapshot under the same id
     * @param base the base snapshot's id
     * @param name the journaled source's name
     * @return the copy, positioned after the segments the destination holds
     * @throws dev.drkit.api.DrException {@code INTEGRITY} naming a damaged segment in either
     */
    public static ChainCopy open(Engine source, Engine destination, String base, String name) {
        return new ChainCopy(source, destination, base, name, Chain.load(source, base, name),
                Chain.load(destination, base, name));
    }

    /** Returns the base snapshot's id. @return the id */
    public String base() {
        return base;
    }

    /**
     * Returns the time up to which the destination records every change of the chain.
     *
     * @return the end of the last segment sent, or {@code null} when none was
     */
    public @Nullable Instant sentUntil() {
        return sent == 0 ? null : from.segments().get(sent - 1).end();
    }

    /**
     * Reads the source's segments up to a count, then writes every one the destination lacks.
     *
     * @param count how many segments the source's chain has, as its writer reported; the
     *     segments already read when smaller
     * @return how many segments were written
     * @throws dev.drkit.api.DrException {@code INTEGRITY} naming a missing or damaged source
     *     segment; a storage failure of either repository, after which a later call resumes
     */
    public int advance(long count) {
        try {
            from.extendTo(source, name, count, fresh::put);
            int written = 0;
            List<Segment> segments = from.segments();
            while (sent < segments.size()) {
                write(segments.get(sent));
                sent++;
                written++;
            }
            return written;
        } finally {
            fresh.clear();
        }
    }

    private void write(Segment s) {
        if (baseBlobs == null) {
            baseBlobs = JournalState.ofSnapshot(destination, base, name).blobs();
        }
        Set<BlobId> inBase = baseBlobs;
        SegmentEncoder encoder = new SegmentEncoder(destination, id -> reach.containsKey(id) || inBase.contains(id));
        for (Segment.Entry e : s.changes()) {
            byte[] content = e.kind() == ChangeKind.PUT
                    ? Chain.read(source, from.locations(), e.blobs(), e.size(), fresh) : new byte[0];
            encoder.add(e.position(), e.time(), e.kind(), e.path(), e.target(), content, e.modified());
        }
        SegmentEncoder.Encoded encoded = encoder.finish(name, base, s.seq(), previous, s.end(), s.position());
        Segment stored = encoded.segment();
        String hash = encoded.hash();
        try {
            JournalWriter.store(destination, encoded, name);
        } catch (DrException e) {
            if (e.code() != ErrorCode.ALREADY_EXISTS) {
                throw e;
            }
            // Another copy of this chain stored the segment first (a journal's shipper and a
            // replication run may race): sealed with other nonces, the same segment if it holds
            // the same changes after the same previous segment; then this copy goes on from it.
            byte[] theirs = destination.store().get(encoded.key());
            Segment other = Segment.decode(destination.crypto(), theirs, encoded.key());
            if (!sameContent(other, stored)) {
                throw e;
            }
            stored = other;
            hash = Packs.sha256(theirs, theirs.length);
        }
        for (Segment.BlobRef ref : stored.blobs()) {
            reach.putIfAbsent(ref.id(), new Chain.Location(encoded.key(), ref));
        }
        previous = hash;
    }

    /** Whether two encodings of a segment say the same: the same changes at the same place in the chain. */
    private static boolean sameContent(Segment a, Segment b) {
        return a.source().equals(b.source()) && a.base().equals(b.base()) && a.seq() == b.seq()
                && Objects.equals(a.previous(), b.previous()) && a.end().equals(b.end())
                && a.position() == b.position() && a.changes().equals(b.changes());
    }
}
