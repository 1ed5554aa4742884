package dev.drkit.core.repository.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.VerifyReport;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The journal segments of one base snapshot, read and checked: numbered from 1 without gaps,
 * each naming the hash of the one before, each of the chain's source and base.
 */
public final class Chain {
    /** Where a blob stored in a segment lies. */
    record Location(String key, Segment.BlobRef ref) {
    }

    private final String base;
    private final List<Segment> segments = new ArrayList<>();
    private final List<String> keys = new ArrayList<>();
    private final Map<BlobId, Location> blobs = new HashMap<>();
    private @Nullable String lastHash;

    private Chain(String base) {
        this.base = base;
    }

    /**
     * Lists the bases of every chain in the store, each with its segments' keys in order.
     *
     * @param store the store
     * @return segment keys by base snapshot id
     */
    public static Map<String, List<String>> list(SnapshotStore store) {
        Map<String, TreeSet<String>> out = new TreeMap<>();
        for (ObjectInfo info : store.list(Segment.PREFIX).toList()) {
            String rest = info.key().substring(Segment.PREFIX.length());
            int slash = rest.indexOf('/');
            if (slash <= 0) {
                continue;
            }
            out.computeIfAbsent(rest.substring(0, slash), b -> new TreeSet<>()).add(info.key());
        }
        Map<String, List<String>> result = new TreeMap<>();
        out.forEach((b, k) -> result.put(b, List.copyOf(k)));
        return result;
    }

    /**
     * Reads a chain and fails on the first problem.
     *
     * @param engine the repository
     * @param base the base snapshot's id
     * @param source the source the chain must belong to
     * @return the chain
     * @throws DrException {@code INTEGRITY} naming the segment at fault or the one missing
     */
    public static Chain load(Engine engine, String base, String source) {
        return load(engine, base, source, p -> {
            throw new DrException(ErrorCode.INTEGRITY, "Journal chain of snapshot " + base + ": " + p.message(),
                    p.key());
        }, false);
    }

    /**
     * Reads a chain, reporting every problem and keeping the segments up to the first one.
     *
     * @param engine the repository
     * @param base the base snapshot's id
     * @param source the source the chain must belong to, or {@code null} to take the first segment's
     * @param problems receives each problem
     * @param readData whether every blob is decrypted and re-hashed
     * @return the readable prefix of the chain
     */
    public static Chain load(Engine engine, String base, @Nullable String source,
            Consumer<VerifyReport.Problem> problems, boolean readData) {
        Chain chain = new Chain(base);
        SnapshotStore store = engine.store();
        List<String> keys = store.list(Segment.chainPrefix(base)).map(ObjectInfo::key).sorted().toList();
        long expected = 1;
        String expectedSource = source;
        for (String key : keys) {
            long seq;
            try {
                seq = Long.parseLong(key.substring(Segment.chainPrefix(base).length()));
            } catch (NumberFormatException e) {
                problems.accept(new VerifyReport.Problem(key, "is not a journal segment key"));
                return chain;
            }
            if (seq != expected) {
                StringBuilder gap = new StringBuilder();
                for (long s = expected; s < seq && s < expected + 5; s++) {
                    gap.append(gap.isEmpty() ? "" : ", ").append(Segment.key(base, s));
                }
                problems.accept(new VerifyReport.Problem(Segment.key(base, expected), "journal gap: segment"
                        + (seq - expected > 1 ? "s " : " ") + gap + (seq - expected > 5 ? ", ..." : "")
                        + " missing before " + key));
                return chain;
            }
            byte[] bytes;
            try {
                bytes = store.get(key);
            } catch (DrException e) {
                problems.accept(new VerifyReport.Problem(key, e.getMessage()));
                return chain;
            }
            VerifyReport.Problem problem = chain.append(engine, key, seq, bytes, expectedSource, readData);
            if (problem != null) {
                problems.accept(problem);
                return chain;
            }
            expectedSource = chain.segments.get(0).source();
            expected++;
        }
        return chain;
    }

    /**
     * Reads the segments stored after the ones this chain holds, up to a count, by key (no
     * listing), with the checks of {@link #load(Engine, String, String)}.
     *
     * @param engine the repository
     * @param source the source the segments must belong to
     * @param count how many segments the chain has now
     * @param read receives each segment's key and bytes as it is read
     * @return how many segments were added
     * @throws DrException {@code INTEGRITY} naming the segment at fault or the one missing
     */
    public int extendTo(Engine engine, String source, long count, BiConsumer<String, byte[]> read) {
        int added = 0;
        while (segments.size() < count) {
            long seq = segments.size() + 1L;
            String key = Segment.key(base, seq);
            byte[] bytes;
            try {
                bytes = engine.store().get(key);
            } catch (DrException e) {
                if (e.code() != ErrorCode.NOT_FOUND) {
                    throw e;
                }
                throw new DrException(ErrorCode.INTEGRITY, "Journal chain of snapshot " + base
                        + ": journal gap: segment " + key + " is missing", key, e);
            }
            VerifyReport.Problem problem = append(engine, key, seq, bytes, source, false);
            if (problem != null) {
                throw new DrException(ErrorCode.INTEGRITY, "Journal chain of snapshot " + base + ": "
                        + problem.message(), problem.key());
            }
            read.accept(key, bytes);
            added++;
        }
        return added;
    }

    /** Checks a segment against the chain's end and appends it; returns the problem, if any. */
    private VerifyReport.@Nullable Problem append(Engine engine, String key, long seq, byte[] bytes,
            @Nullable String expectedSource, boolean readData) {
        Segment segment;
        try {
            segment = Segment.decode(engine.crypto(), bytes, key);
        } catch (DrException e) {
            return new VerifyReport.Problem(key, e.getMessage());
        }
        String wrong = null;
        if (!segment.base().equals(base) || segment.seq() != seq) {
            wrong = "records base " + segment.base() + " segment " + segment.seq() + " but is stored as " + key;
        } else if (expectedSource != null && !segment.source().equals(expectedSource)) {
            wrong = "belongs to source '" + segment.source() + "', expected '" + expectedSource + "'";
        } else if (!Objects.equals(segment.previous(), lastHash)) {
            wrong = "does not follow " + (keys.isEmpty() ? "its base snapshot" : keys.get(keys.size() - 1))
                    + " (chain hash differs): a segment was replaced";
        } else if (!segments.isEmpty() && segment.position() < segments.get(segments.size() - 1).position()) {
            wrong = "goes back in feed position";
        }
        if (wrong != null) {
            return new VerifyReport.Problem(key, wrong);
        }
        if (readData) {
            for (Segment.BlobRef ref : segment.blobs()) {
                try {
                    engine.crypto().unpackBlob(bytes, ref.offset(), ref.length(), ref.rawLength(), ref.id(), key);
                } catch (DrException e) {
                    return new VerifyReport.Problem(key, e.getMessage());
                }
            }
        }
        segments.add(segment);
        keys.add(key);
        lastHash = Packs.sha256(bytes, bytes.length);
        for (Segment.BlobRef ref : segment.blobs()) {
            blobs.putIfAbsent(ref.id(), new Location(key, ref));
        }
        return null;
    }

    /** Returns the base snapshot's id. @return the id */
    public String base() {
        return base;
    }

    /** Returns the segments in order. @return the segments */
    public List<Segment> segments() {
        return segments;
    }

    /** Returns the segments' keys in order. @return the keys */
    public List<String> keys() {
        return keys;
    }

    /** Returns the SHA-256 of the last segment, or {@code null} without segments. @return the hash */
    public @Nullable String lastHash() {
        return lastHash;
    }

    /**
     * Returns the time up to which the chain records every change.
     *
     * @param baseTime the base snapshot's time
     * @return the last segment's end, or the base's time without segments
     */
    public Instant end(Instant baseTime) {
        return segments.isEmpty() ? baseTime : segments.get(segments.size() - 1).end();
    }

    /**
     * Returns the feed position of the last change.
     *
     * @param basePosition the base snapshot's position
     * @return the position
     */
    public long position(long basePosition) {
        return segments.isEmpty() ? basePosition : segments.get(segments.size() - 1).position();
    }

    /**
     * Tells whether a blob is stored in one of the chain's segments.
     *
     * @param id the blob
     * @return true when it is
     */
    public boolean stores(BlobId id) {
        return blobs.containsKey(id);
    }

    void remember(String key, Segment.BlobRef ref) {
        blobs.putIfAbsent(ref.id(), new Location(key, ref));
    }

    Map<BlobId, Location> locations() {
        return blobs;
    }

    /**
     * Reads a file's content from the chain's segments or, for blobs it does not store, from
     * the repository's packs.
     *
     * @param engine the repository
     * @param ids the file's chunks
     * @param size its length
     * @return the content
     * @throws DrException {@code INTEGRITY} or {@code NOT_FOUND} naming the object at fault
     */
    public byte[] read(Engine engine, List<BlobId> ids, long size) {
        return read(engine, blobs, ids, size);
    }

    static byte[] read(Engine engine, Map<BlobId, Location> blobs, List<BlobId> ids, long size) {
        return read(engine, blobs, ids, size, Map.of());
    }

    /**
     * As {@link #read(Engine, List, long)}, taking a blob from a segment's bytes at hand instead
     * of reading its range from the store.
     *
     * @param engine the repository
     * @param blobs where the chain's blobs lie
     * @param ids the file's chunks
     * @param size its length
     * @param segments bytes of segments already read, by key
     * @return the content
     */
    static byte[] read(Engine engine, Map<BlobId, Location> blobs, List<BlobId> ids, long size,
            Map<String, byte[]> segments) {
        if (size > Integer.MAX_VALUE - 16) {
            throw new DrException(ErrorCode.UNSUPPORTED, "A journaled file of " + size + " bytes is too large", null);
        }
        byte[] out = new byte[(int) size];
        int at = 0;
        for (BlobId id : ids) {
            Location loc = blobs.get(id);
            byte[] part;
            if (loc != null) {
                Segment.BlobRef ref = loc.ref();
                byte[] whole = segments.get(loc.key());
                if (whole != null) {
                    part = engine.crypto().unpackBlob(whole, ref.offset(), ref.length(), ref.rawLength(), id,
                            loc.key());
                } else {
                    byte[] sealed = engine.store().get(loc.key(), ref.offset(), ref.length());
                    part = engine.crypto().unpackBlob(sealed, 0, sealed.length, ref.rawLength(), id, loc.key());
                }
            } else {
                part = engine.readBlob(id);
            }
            if (at + part.length > out.length) {
                throw new DrException(ErrorCode.INTEGRITY, "Journaled content is longer than its recorded size "
                        + size, id.hex());
            }
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        if (at != out.length) {
            throw new DrException(ErrorCode.INTEGRITY, "Journaled content is shorter than its recorded size " + size,
                    ids.isEmpty() ? null : ids.get(0).hex());
        }
        return out;
    }

    /**
     * Applies the chain's changes up to an instant.
     *
     * @param state the base snapshot's state, changed in place
     * @param until the last instant included, or {@code null} for all
     * @return how many changes were applied
     */
    public int replay(JournalState state, @Nullable Instant until) {
        int n = 0;
        for (Segment s : segments) {
            for (Segment.Entry e : s.changes()) {
                if (until != null && e.time().isAfter(until)) {
                    return n;
                }
                state.apply(e);
                n++;
            }
        }
        return n;
    }
}
