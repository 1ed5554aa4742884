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
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Keeps WAL chunks as records of the repository's change journal, source {@value #SOURCE}:
 * each chunk is a record {@code <system id>/<timeline>/<start>-<end>-<segment size>} (timeline
 * and positions in fixed-width hex), its modification time when the journal took it. A chunk
 * is durable once {@link #append} returns: it flushes the journal. The journal's own machinery
 * applies: segments chained to a base snapshot, compaction, shipping to secondaries, restore
 * of the source to any instant.
 *
 * <p>Reads also see the chunks that earlier versions kept as tagged snapshots
 * ({@link RepositoryWalSink}), so a repository streamed into before keeps its WAL.
 */
public final class JournalWalSink implements WalSink, AutoCloseable {
    /** The journaled source that holds the WAL. */
    public static final String SOURCE = "pgwal";
    private static final String ID_PREFIX = "journal:";
    private static final HexFormat HEX = HexFormat.of();

    private final Repository repository;
    private final RepositoryWalSink snapshots;
    private final @Nullable RecordFeed feed;
    private final @Nullable Journal journal;
    private volatile @Nullable JournalView view;

    private JournalWalSink(Repository repository, @Nullable RecordFeed feed, @Nullable Journal journal) {
        this.repository = repository;
        this.snapshots = new RepositoryWalSink(repository);
        this.feed = feed;
        this.journal = journal;
    }

    /**
     * Returns a sink that only reads.
     *
     * @param repository the repository
     * @return the sink
     */
    public static JournalWalSink reading(Repository repository) {
        return new JournalWalSink(Objects.requireNonNull(repository, "repository"), null, null);
    }

    /**
     * Starts the WAL journal (resuming its chain) and returns a sink that appends to it.
     *
     * @param repository the repository
     * @param options the journal's flush interval and compaction
     * @param clock the clock of the records' modification times
     * @return the sink, which the caller closes
     * @throws DrException as {@link Repository#journal}
     */
    public static JournalWalSink writing(Repository repository, JournalOptions options, Clock clock) {
        RecordFeed feed = RecordFeed.named(SOURCE, clock);
        return new JournalWalSink(repository, feed, repository.journal(feed, options));
    }

    /**
     * Starts the WAL journal in a replication's primary, shipping each segment to its
     * secondaries as soon as it is durable, and returns a sink that appends to it.
     *
     * @param replication the primary and its secondaries
     * @param options the journal's flush interval and compaction
     * @param clock the clock of the records' modification times
     * @return the sink, which the caller closes
     * @throws DrException as {@link Replication#journal}
     */
    public static JournalWalSink writing(Replication replication, JournalOptions options, Clock clock) {
        RecordFeed feed = RecordFeed.named(SOURCE, clock);
        return new JournalWalSink(replication.primary(), feed, replication.journal(feed, options));
    }

    @Override
    public WalChunk append(WalChunk chunk, byte[] bytes) {
        if (feed == null || journal == null) {
            throw new DrException(ErrorCode.ILLEGAL_STATE, "This WAL sink only reads", SOURCE);
        }
        if (bytes.length != chunk.length()) {
            throw new DrException(ErrorCode.ILLEGAL_STATE, "A WAL chunk of " + chunk.length() + " bytes came with "
                    + bytes.length, chunk.start().toString());
        }
        String key = chunk.systemId() + "/" + HEX.toHexDigits(chunk.timeline()) + "/"
                + HEX.toHexDigits(chunk.start().value()) + "-" + HEX.toHexDigits(chunk.end().value()) + "-"
                + chunk.segmentSize();
        feed.append(key, bytes);
        journal.flush();
        return new WalChunk(ID_PREFIX + key, chunk.systemId(), chunk.timeline(), chunk.segmentSize(), chunk.start(),
                chunk.end(), chunk.received());
    }

    @Override
    public List<WalChunk> chunks(String systemId) {
        List<WalChunk> out = new ArrayList<>(snapshots.chunks(systemId));
        Optional<JournalView> latest = repository.journalAt(SOURCE);
        view = latest.orElse(null);
        String prefix = systemId + "/";
        for (JournalRecord r : latest.map(JournalView::records).orElse(List.of())) {
            if (r.path().startsWith(prefix)) {
                out.add(parse(systemId, r));
            }
        }
        out.sort(Comparator.comparing(WalChunk::start).thenComparing(WalChunk::end));
        return out;
    }

    private static WalChunk parse(String systemId, JournalRecord r) {
        String[] parts = r.path().split("/");
        String[] range = parts.length == 3 ? parts[2].split("-") : new String[0];
        try {
            if (range.length != 3) {
                throw new IllegalArgumentException("not <timeline>/<start>-<end>-<segment size>");
            }
            WalChunk chunk = new WalChunk(ID_PREFIX + r.path(), systemId, (int) HEX.fromHexDigits(parts[1]),
                    Long.parseLong(range[2]), new Lsn(HEX.fromHexDigitsToLong(range[0])),
                    new Lsn(HEX.fromHexDigitsToLong(range[1])), r.modified());
            if (chunk.length() != r.size()) {
                throw new IllegalArgumentException("it names " + chunk.length() + " bytes but holds " + r.size());
            }
            return chunk;
        } catch (IllegalArgumentException e) {
            throw new DrException(ErrorCode.INTEGRITY, "WAL record '" + r.path() + "' of journal " + SOURCE
                    + " is malformed: " + e.getMessage(), r.path(), e);
        }
    }

    @Override
    public byte[] read(WalChunk chunk) {
        if (!chunk.id().startsWith(ID_PREFIX)) {
            return snapshots.read(chunk);
        }
        String path = chunk.id().substring(ID_PREFIX.length());
        JournalView v = view;
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
        v = repository.journalAt(SOURCE).orElseThrow(() -> new DrException(ErrorCode.NOT_FOUND,
                "The repository holds no WAL journal (" + SOURCE + ")", SOURCE));
        view = v;
        return v.read(path);
    }

    /** Closes the journal, writing what it holds; a reading sink has nothing to close. */
    @Override
    public void close() {
        if (journal != null) {
            journal.close();
        }
    }
}
