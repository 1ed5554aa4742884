package dev.drkit.core.repository.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.backup.RetentionPolicy;
import dev.drkit.api.journal.ChangeKind;
import dev.drkit.core.repository.Snapshot;
import dev.drkit.core.repository.VerifyReport;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/** What verify, forget, prune and copy do with journal chains. */
public final class Journals {
    private Journals() {
    }

    /**
     * Checks every chain: its base snapshot, its numbering (gaps named), each segment's seal and
     * hash link, and that every chunk a change uses is stored in the chain or indexed.
     *
     * @param engine the repository, its index loaded
     * @param readData whether every stored blob is decrypted and re-hashed
     * @param problems receives damage
     * @param notes receives what is not damage: a chain whose base was forgotten and awaits prune
     * @return how many segments were read
     */
    public static int verify(Engine engine, boolean readData, Consumer<VerifyReport.Problem> problems,
            Consumer<VerifyReport.Problem> notes) {
        Map<String, List<String>> chains = Chain.list(engine.store());
        int read = 0;
        for (Map.Entry<String, List<String>> c : chains.entrySet()) {
            String base = c.getKey();
            Snapshot snapshot;
            try {
                snapshot = Engine.toSnapshot(base, engine.readManifestFromStore(base));
            } catch (DrException e) {
                if (e.code() == ErrorCode.NOT_FOUND) {
                    notes.accept(new VerifyReport.Problem(Segment.chainPrefix(base), c.getValue().size()
                            + " journal segments of forgotten snapshot " + base + "; prune removes them"));
                } else {
                    problems.accept(new VerifyReport.Problem(Segment.chainPrefix(base), "the base snapshot of "
                            + "these journal segments cannot be read: " + e.getMessage()));
                }
                continue;
            }
            if (!JournalWriter.isBase(snapshot)) {
                problems.accept(new VerifyReport.Problem(Segment.chainPrefix(base), "journal segments chain to "
                        + "snapshot " + base + ", which is not a journal base"));
                continue;
            }
            Chain chain = Chain.load(engine, base, snapshot.sources().get(0), problems, readData);
            read += chain.segments().size();
            Index index = engine.index();
            Set<BlobId> reported = new HashSet<>();
            for (int i = 0; i < chain.segments().size(); i++) {
                for (Segment.Entry e : chain.segments().get(i).changes()) {
                    if (e.kind() != ChangeKind.PUT) {
                        continue;
                    }
                    for (BlobId id : e.blobs()) {
                        if (!chain.stores(id) && !index.contains(id) && reported.add(id)) {
                            problems.accept(new VerifyReport.Problem(chain.keys().get(i), "change of '" + e.path()
                                    + "' uses blob " + id.hex() + ", which neither the chain nor the index holds"));
                        }
                    }
                }
            }
        }
        return read;
    }

    /**
     * Returns the snapshots a forget must keep for the journal: every source's newest base (its
     * journal continues from it) and, under {@code keepWithin}, every base whose chain covers part
     * of the window, so that any instant in it stays restorable.
     *
     * @param engine the repository
     * @param snapshots the snapshots
     * @param policy the policy
     * @return ids to keep
     */
    public static Set<String> protectedBases(Engine engine, List<Snapshot> snapshots, RetentionPolicy policy) {
        Map<String, Snapshot> newest = new HashMap<>();
        Map<String, Instant> ends = new HashMap<>();
        Instant latest = Instant.MIN;
        for (Snapshot s : snapshots) {
            if (s.time().isAfter(latest)) {
                latest = s.time();
            }
            if (JournalWriter.isBase(s)) {
                newest.merge(s.sources().get(0), s, (a, b) -> b.time().isAfter(a.time()) ? b : a);
                Chain chain = Chain.load(engine, s.id(), s.sources().get(0), p -> { }, false);
                Instant end = chain.end(s.time());
                ends.put(s.id(), end);
                if (end.isAfter(latest)) {
                    latest = end;
                }
            }
        }
        Set<String> keep = new HashSet<>();
        newest.values().forEach(s -> keep.add(s.id()));
        if (!policy.keepWithin().isZero()) {
            Instant limit = latest.minus(policy.keepWithin());
            ends.forEach((id, end) -> {
                if (!end.isBefore(limit)) {
                    keep.add(id);
                }
            });
        }
        return keep;
    }

    /**
     * Lists the segments of chains whose base snapshot was forgotten: compacted or expired
     * journal that no restore can use.
     *
     * @param engine the repository
     * @return their keys
     */
    public static List<String> orphanedSegments(Engine engine) {
        Set<String> ids = new HashSet<>();
        for (Snapshot s : engine.snapshots()) {
            ids.add(s.id());
        }
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, List<String>> c : Chain.list(engine.store()).entrySet()) {
            if (!ids.contains(c.getKey())) {
                out.addAll(c.getValue());
            }
        }
        return out;
    }

    /**
     * Copies the chains of journal bases the destination holds: each segment the destination
     * lacks is read, re-chunked and sealed with the destination's keys, and linked to the
     * destination's previous segment, so the copy verifies on its own.
     *
     * @param source the repository to read
     * @param destination the repository to write, holding the base snapshots under the same ids
     * @param bases the base snapshots whose chains to copy
     * @return how many segments were written
     */
    public static int copy(Engine source, Engine destination, List<Snapshot> bases) {
        int written = 0;
        for (Snapshot base : bases) {
            if (JournalWriter.isBase(base)) {
                ChainCopy chain = ChainCopy.open(source, destination, base.id(), base.sources().get(0));
                written += chain.advance(0);
            }
        }
        return written;
    }
}
