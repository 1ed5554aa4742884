package dev.drkit.postgres.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.core.journal.RecordFeed;
import dev.drkit.core.repository.Journal;
import dev.drkit.core.repository.JournalOptions;
import dev.drkit.core.repository.JournalRecord;
import dev.drkit.core.repository.JournalView;
import dev.drkit.core.repository.Replication;
import dev.drkit.core.repository.Repository;
import dev.drkit.postgres.Lsn;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Keeps WAL chunks as records of the repository's change journal, one journaled source per
 * cluster, {@code _pgwal-<system id>} (private: a restore of every journaled source leaves it
 * out): each chunk is a record {@code <timeline>/<start>-<end>-<segment size>} (timeline and
 * positions in fixed-width hex), its modification time when the journal took it. A chunk is
 * durable once {@link #append} returns: it flushes the journal. The journal's own machinery
 * applies: segments chained to a base snapshot, compaction, shipping to secondaries, restore of
 * the source to any instant.
 *
 * <p>Reads also see the chunks that earlier versions kept as tagged snapshots
 * ({@link RepositoryWalSink}), so a repository streamed into before keeps its WAL.
 */
public final class JournalWalSink implements WalSink, AutoCloseable {
    /** The prefix of the journaled source that holds a cluster's WAL; the system id follows. */
    public static final String SOURCE_PREFIX = Journal.PRIVATE_SOURCE_PREFIX + "pgwal-";
    private static final String ID_PREFIX = "journal:";
    private static final HexFormat HEX = HexFormat.of();

    private final Repository repository;
    private final RepositoryWalSink snapshots;
    private final @Nullable String systemId;
    private final @Nullable RecordFeed feed;
    private final @Nullable Journal journal;
    private final Map<String, JournalView> views = new ConcurrentHashMap<>();
    private boolean closed;

    private JournalWalSink(Repository repository, @Nullable String systemId, @Nullable RecordFeed feed,
            @Nullable Journal journal) {
        this.repository = repository;
        this.snapshots = new RepositoryWalSink(repository);
        this.systemId = systemId;
        this.feed = feed;
        this.journal = journal;
    }

    /**
     * Returns the journaled source of a cluster's WAL.
     *
     * @param systemId the cluster's system identifier
     * @return the source's name
     */
    public static String source(String systemId) {
        return SOURCE_PREFIX + systemId;
    }

    /**
     * Returns a sink that only reads.
     *
     * @param repository the repository
     * @return the sink
     */
    public static JournalWalSink reading(Repository repository) {
        return new JournalWalSink(Objects.requireNonNull(repository, "repository"), null, null, null);
    }

    /**
     * Starts a cluster's WAL journal (resuming its chain) and returns a sink that appends to it.
     *
     * @param repository the repository
     * @param systemId the cluster's system identifier
     * @param options the journal's flush interval and compaction
     * @param clock the clock of the records' modification times
     * @return the sink, which the caller closes
     * @throws DrException as {@link Repository#journal}
     */
    public static JournalWalSink writing(Repository repository, String systemId, JournalOptions options,
            Clock clock) {
        RecordFeed feed = RecordFeed.named(source(systemId), clock);
        return new JournalWalSink(repository, systemId, feed, repository.journal(feed, options));
    }

    /**
     * Starts the WAL journal in a replication's primary, shipping each segment to its
     * secondaries as soon as it is durable, and returns a sink that appends to it.
     *
     * @param replication the primary and its secondaries
     * @param systemId the cluster's system identifier
     * @param options the journal's flush interval and compaction
     * @param clock the clock of the records' modification times
     * @return the sink, which the caller closes
     * @throws DrException as {@link Replication#journal}
     */
    public static JournalWalSink writing(Replication replication, String systemId, JournalOptions options,
            Clock clock) {
        RecordFeed feed = RecordFeed.named(source(systemId), clock);
        return new JournalWalSink(replication.primary(), systemId, feed, replication.journal(feed, options));
    }

    @Override
    public WalChunk append(WalChunk chunk, byte[] bytes) {
        RecordFeed feed = writingFeed();
        if (!chunk.systemId().equals(systemId)) {
            throw new DrException(ErrorCode.ILLEGAL_STATE, "This WAL sink journals cluster " + systemId + ", not "
                    + chunk.systemId(), chunk.systemId());
        }
        if (bytes.length != chunk.length()) {
            throw new DrException(ErrorCode.ILLEGAL_STATE, "A WAL chunk of " + chunk.length() + " bytes came with "
                    + bytes.length, chunk.start().toString());
        }
        String key = HEX.toHexDigits(chunk.timeline()) + "/" + HEX.toHexDigits(chunk.start().value()) + "-"
                + HEX.toHexDigits(chunk.end().value()) + "-" + chunk.segmentSize();
        feed.append(key, bytes);
        Objects.requireNonNull(journal).flush();
        return new WalChunk(ID_PREFIX + key, chunk.systemId(), chunk.timeline(), chunk.segmentSize(), chunk.start(),
                chunk.end(), chunk.received());
    }

    /**
     * Deletes from this cluster's WAL journal the chunks that end at or before a position: the
     * journal's state no longer holds them from the next segment on, and the repository frees
     * their space once retention has removed the older chains that still name them (forget,
     * then prune). Chunks kept as tagged snapshots by earlier versions are left to retention.
     *
     * @param before the position; chunks ending after it stay
     * @return how many chunks were deleted
     * @throws DrException {@code ILLEGAL_STATE} for a sink that only reads; a storage failure
     *     from the journal's flush
     */
    public int forgetBefore(Lsn before) {
        RecordFeed feed = writingFeed();
        String system = Objects.requireNonNull(systemId);
        int n = 0;
        for (JournalRecord r : repository.journalAt(source(system)).map(JournalView::records).orElse(List.of())) {
            if (parse(system, r).end().compareTo(before) <= 0) {
                feed.delete(r.path());
                n++;
            }
        }
        if (n > 0) {
            Objects.requireNonNull(journal).flush();
        }
        return n;
    }

    /** The feed of a writing sink; a sink that only reads refuses. */
    private RecordFeed writingFeed() {
        if (feed == null || journal == null) {
            throw new DrException(ErrorCode.ILLEGAL_STATE, "This WAL sink only reads", systemId);
        }
        return feed;
    }

    @Override
    public List<WalChunk> chunks(String systemId) {
        List<WalChunk> out = new ArrayList<>(snapshots.chunks(systemId));
        Optional<JournalView> latest = repository.journalAt(source(systemId));
        latest.ifPresent(v -> views.put(systemId, v));
        for (JournalRecord r : latest.map(JournalView::records).orElse(List.of())) {
            out.add(parse(systemId, r));
        }
        out.sort(Comparator.comparing(WalChunk::start).thenComparing(WalChunk::end));
        return out;
    }

    private static WalChunk parse(String systemId, JournalRecord r) {
        String[] parts = r.path().split("/");
        String[] range = parts.length == 2 ? parts[1].split("-") : new String[0];
        try {
            if (range.length != 3) {
                throw new IllegalArgumentException("not <timeline>/<start>-<end>-<segment size>");
            }
            WalChunk chunk = new WalChunk(ID_PREFIX + r.path(), systemId, (int) HEX.fromHexDigits(parts[0]),
                    Long.parseLong(range[2]), new Lsn(HEX.fromHexDigitsToLong(range[0])),
                    new Lsn(HEX.fromHexDigitsToLong(range[1])), r.modified());
            if (chunk.length() != r.size()) {
                throw new IllegalArgumentException("it names " + chunk.length() + " bytes but holds " + r.size());
            }
            return chunk;
        } catch (IllegalArgumentException e) {
            throw new DrException(ErrorCode.INTEGRITY, "WAL record '" + r.path() + "' of journal " + source(systemId)
                    + " is malformed: " + e.getMessage(), r.path(), e);
        }
    }

    @Override
    public byte[] read(WalChunk chunk) {
        if (!chunk.id().startsWith(ID_PREFIX)) {
            return snapshots.read(chunk);
        }
        String path = chunk.id().substring(ID_PREFIX.length());
        String source = source(chunk.systemId());
        JournalView v = views.get(chunk.systemId());
        if (v != null) {
            try {
                return v.read(path);
            } catch (DrException e) {
                if (e.code() != ErrorCode.NOT_FOUND) {
                    throw e;
                }
                // journaled after the view was taken: take a newer one
            }
        }
        v = repository.journalAt(source).orElseThrow(() -> new DrException(ErrorCode.NOT_FOUND,
                "The repository holds no WAL journal " + source, source));
        views.put(chunk.systemId(), v);
        return v.read(path);
    }

    /** Closes the journal, writing what it holds; a reading sink has nothing to close. Idempotent. */
    @Override
    public synchronized void close() {
        if (journal != null && !closed) {
            closed = true;
            journal.close();
        }
    }
}
