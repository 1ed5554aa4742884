package dev.drkit.postgres.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.backup.BackupKind;
import dev.drkit.core.repository.BackupRequest;
import dev.drkit.core.repository.BackupResult;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.Snapshot;
import dev.drkit.postgres.Lsn;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Keeps WAL chunks as small tagged snapshots of a repository: one source {@code wal} with one
 * file, the tags saying which cluster, timeline and positions it holds. Each chunk is
 * committed as the repository commits any snapshot (packs, index, manifest last).
 */
public final class RepositoryWalSink implements WalSink {
    private static final String SOURCE = "wal";
    private static final String FILE = "wal";
    private final Repository repository;

    /**
     * Returns a sink in the repository.
     *
     * @param repository the repository
     */
    public RepositoryWalSink(Repository repository) {
        this.repository = repository;
    }

    @Override
    public WalChunk append(WalChunk chunk, byte[] bytes) {
        if (bytes.length != chunk.length()) {
            throw new DrException(ErrorCode.ILLEGAL_STATE, "A WAL chunk of " + chunk.length() + " bytes came with "
                    + bytes.length, chunk.start().toString());
        }
        BackupResult r = repository.backup(BackupRequest.builder()
                .source(new TextFilesSource(SOURCE, Map.of(FILE, bytes), chunk.received()))
                .tags(Tags.WAL, Tags.of(Tags.SYSTEM, chunk.systemId()), Tags.of(Tags.TIMELINE, chunk.timeline()),
                        Tags.of(Tags.SEGMENT_SIZE, chunk.segmentSize()), Tags.of(Tags.START, chunk.start()),
                        Tags.of(Tags.END, chunk.end()), Tags.of(Tags.END_TIME, chunk.received()))
                .kind(BackupKind.FULL)
                .build());
        return new WalChunk(r.snapshotId(), chunk.systemId(), chunk.timeline(), chunk.segmentSize(), chunk.start(),
                chunk.end(), chunk.received());
    }

    @Override
    public List<WalChunk> chunks(String systemId) {
        List<WalChunk> out = new ArrayList<>();
        for (Snapshot s : repository.snapshots()) {
            if (s.tags().contains(Tags.WAL) && systemId.equals(Tags.get(s, Tags.SYSTEM))) {
                out.add(new WalChunk(s.id(), systemId, Integer.parseInt(Tags.get(s, Tags.TIMELINE)),
                        Long.parseLong(Tags.get(s, Tags.SEGMENT_SIZE)), Lsn.parse(Tags.get(s, Tags.START)),
                        Lsn.parse(Tags.get(s, Tags.END)), Instant.parse(Tags.get(s, Tags.END_TIME))));
            }
        }
        out.sort(Comparator.comparing(WalChunk::start).thenComparing(WalChunk::end));
        return out;
    }

    @Override
    public byte[] read(WalChunk chunk) {
        try (InputStream in = repository.openEntry(chunk.id(), SOURCE + "/" + FILE)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new DrException(ErrorCode.IO_FAILURE, "Cannot read WAL chunk " + chunk.id(), chunk.id(), e);
        }
    }
}
