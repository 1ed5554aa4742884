package dev.drkit.postgres;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RestoreOptions;
import dev.drkit.core.repository.Snapshot;
import dev.drkit.postgres.internal.DataDirectoryOwner;
import dev.drkit.postgres.internal.JournalWalSink;
import dev.drkit.postgres.internal.Tags;
import dev.drkit.postgres.internal.WalChunk;
import dev.drkit.postgres.internal.WalScanner;
import dev.drkit.postgres.internal.WalSegments;
import dev.drkit.postgres.internal.WalSink;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Restores a PostgreSQL cluster from the repository to an instant: it lays out the base
 * backup that ended last before the instant, its {@code backup_label}, the WAL that follows
 * (in {@code pg_wal}) and the recovery settings ({@code recovery.signal},
 * {@code recovery_target_time}, promotion at the target). Started on that directory,
 * PostgreSQL replays the WAL and holds exactly the transactions committed at or before the
 * instant. Run as root, it gives the files it writes itself the owner and group of the
 * restored data directory, and PostgreSQL's modes ({@code 0600}, {@code 0700}), so that the
 * directory's owner can start PostgreSQL on it.
 *
 * <pre>{@code
 * RestoredCluster restored = PointInTimeRestore.of(repository).restore(instant, Path.of("/var/lib/pg-restored"));
 * // pg_ctl -D /var/lib/pg-restored start
 * }</pre>
 *
 * <p>When no transaction in the laid-out WAL ended after the instant, no target is written
 * and recovery replays all of it, since PostgreSQL refuses a time target it never passes.
 * Thread-safe.
 */
public final class PointInTimeRestore {
    /** How far past the instant WAL is laid out, so that the record that ends recovery is there. */
    static final Duration LAYOUT_MARGIN = Duration.ofSeconds(10);
    private static final DateTimeFormatter TARGET_FORMAT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS'+00'").withZone(ZoneOffset.UTC);

    private final Repository repository;
    private final WalSink sink;
    private final @Nullable String systemId;

    private PointInTimeRestore(Repository repository, WalSink sink, @Nullable String systemId) {
        this.repository = Objects.requireNonNull(repository, "repository");
        this.sink = sink;
        this.systemId = systemId;
    }

    /**
     * Returns restores of the cluster whose base backup is the latest in the repository.
     *
     * @param repository the repository
     * @return the restores
     */
    public static PointInTimeRestore of(Repository repository) {
        return new PointInTimeRestore(repository, JournalWalSink.reading(repository), null);
    }

    /**
     * Returns restores of another cluster in the same repository.
     *
     * @param id the cluster's system identifier
     * @return the restores
     */
    public PointInTimeRestore forSystem(String id) {
        return new PointInTimeRestore(repository, sink, Objects.requireNonNull(id, "id"));
    }

    /**
     * Returns the instants the cluster can be restored to.
     *
     * @return the range
     * @throws DrException {@code NOT_FOUND} when there is no base backup whose WAL is in the repository,
     *     or no base backup nor WAL of the cluster (the message names the clusters the repository holds)
     */
    public CoveredRange coveredRange() {
        List<Candidate> candidates = candidates();
        Candidate first = candidates.get(0);
        Candidate last = candidates.get(candidates.size() - 1);
        Instant to = candidates.stream().map(Candidate::endTime).max(Instant::compareTo).orElseThrow();
        return new CoveredRange(first.backup.systemId(), first.backup.stopTime(), to, last.end);
    }

    /**
     * Refuses an instant outside a covered range, naming it and the range; one after its end
     * says what to restore instead.
     *
     * @throws DrException {@code INVALID_ARGUMENT} naming {@code at}
     */
    static void requireCovered(CoveredRange range, Instant at) {
        if (at.isAfter(range.to())) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "at " + at + " is after the end of the range the "
                    + "repository covers for cluster " + range.systemId() + ": " + range.from() + " to " + range.to()
                    + ". The range ends when the last WAL arrived; if WAL streaming was running until " + at
                    + ", nothing was written after " + range.to() + " and a restore at " + range.to()
                    + " (or of the latest) holds the same data", "at");
        }
        if (!range.contains(at)) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "at " + at + " is outside the range the repository "
                    + "covers for cluster " + range.systemId() + ": " + range.from() + " to " + range.to(), "at");
        }
    }

    /**
     * Lays out the cluster as it was at an instant.
     *
     * @param at the instant; transactions committed at or before it are restored
     * @param target an empty or missing directory for the data directory
     * @return what was laid out
     * @throws DrException {@code INVALID_ARGUMENT} naming {@code at} when the instant lies
     *     outside the covered range (the message gives the range, and past its end says that a
     *     restore at its end holds the same data when WAL streaming ran until the instant);
     *     {@code ALREADY_EXISTS} naming {@code target} when it is not empty; {@code NOT_FOUND}
     *     when there is no base backup with its WAL, or no base backup nor WAL of the cluster
     *     (the message names the clusters the repository holds); {@code IO_FAILURE} when the
     *     directory cannot be written
     */
    public RestoredCluster restore(Instant at, Path target) {
        Objects.requireNonNull(at, "at");
        List<Candidate> candidates = candidates();
        CoveredRange range = coveredRange();
        requireCovered(range, at);
        Candidate chosen = null;
        for (Candidate c : candidates) {
            if (!c.backup.stopTime().isAfter(at) && !c.endTime.isBefore(at)) {
                chosen = c;
            }
        }
        if (chosen == null) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "at " + at + " falls in a gap of the WAL in the "
                    + "repository for cluster " + range.systemId() + " (no base backup before it has WAL reaching it)",
                    "at");
        }
        List<WalChunk> needed = new ArrayList<>();
        Instant limit = at.plus(LAYOUT_MARGIN);
        for (WalChunk c : chosen.chunks) {
            needed.add(c);
            if (c.received().isAfter(limit)) {
                break;
            }
        }
        return layOut(chosen, needed, at, target);
    }

    /**
     * Lays out the cluster as far as its WAL in the repository reaches.
     *
     * @param target an empty or missing directory for the data directory
     * @return what was laid out
     * @throws DrException as {@link #restore(Instant, Path)}
     */
    public RestoredCluster restoreLatest(Path target) {
        List<Candidate> candidates = candidates();
        Candidate chosen = candidates.get(candidates.size() - 1);
        return layOut(chosen, chosen.chunks, null, target);
    }

    private RestoredCluster layOut(Candidate chosen, List<WalChunk> chunks, @Nullable Instant at, Path target) {
        requireEmpty(target);
        BaseBackup backup = chosen.backup;
        try {
            repository.restore(backup.dataSnapshotId(), target, RestoreOptions.sourceIntoTarget(PostgresBackups.DATA_SOURCE));
            DataDirectoryOwner owner = DataDirectoryOwner.of(target);
            for (String name : List.of("backup_label", "tablespace_map")) {
                String path = PostgresBackups.LABEL_SOURCE + "/" + name;
                boolean present = repository.entries(backup.snapshotId()).stream().anyMatch(e -> e.path().equals(path));
                if (present) {
                    try (InputStream in = repository.openEntry(backup.snapshotId(), path)) {
                        Files.write(target.resolve(name), in.readAllBytes());
                    }
                }
            }
            Path walDir = Files.createDirectories(target.resolve("pg_wal"));
            long segmentSize = chunks.get(0).segmentSize();
            WalSegments segments = new WalSegments(walDir, backup.timeline(), segmentSize);
            Lsn first = backup.startLsn().segmentStart(segmentSize);
            Lsn end = first;
            for (WalChunk c : chunks) {
                byte[] bytes = sink.read(c);
                Lsn start = c.start();
                if (start.compareTo(first) < 0) {
                    bytes = Arrays.copyOfRange(bytes, (int) first.minus(start), bytes.length);
                    start = first;
                }
                segments.write(start, bytes);
                if (c.end().compareTo(end) > 0) {
                    end = c.end();
                }
            }
            segments.padAll();
            WalScanner.Result scan = WalScanner.scan(segments, first);
            Instant targetTime = null;
            Instant asOf = chunks.get(chunks.size() - 1).received();
            if (at != null) {
                Instant micros = at.truncatedTo(ChronoUnit.MICROS);
                Optional<Instant> latest = scan.latest();
                if (latest.isPresent() && latest.get().isAfter(micros)) {
                    targetTime = micros;
                }
                asOf = at;
            }
            writeRecoverySettings(target, targetTime);
            for (String written : List.of("backup_label", "tablespace_map", "pg_wal", "postgresql.auto.conf",
                    "recovery.signal")) {
                owner.own(target.resolve(written));
            }
            return new RestoredCluster(target, backup, targetTime, end, asOf);
        } catch (IOException e) {
            throw new DrException(ErrorCode.IO_FAILURE, "Cannot lay out the restored cluster in " + target + ": "
                    + e.getMessage(), target.toString(), e);
        }
    }

    private static void writeRecoverySettings(Path target, @Nullable Instant targetTime) throws IOException {
        StringBuilder conf = new StringBuilder("\n# point-in-time restore by DR Kit\n")
                .append("restore_command = 'false'\n")
                .append("recovery_target_timeline = 'current'\n");
        if (targetTime != null) {
            conf.append("recovery_target_time = '").append(TARGET_FORMAT.format(targetTime)).append("'\n")
                    .append("recovery_target_inclusive = on\n")
                    .append("recovery_target_action = 'promote'\n");
        }
        Files.writeString(target.resolve("postgresql.auto.conf"), conf.toString(), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Files.deleteIfExists(target.resolve("standby.signal"));
        Files.writeString(target.resolve("recovery.signal"), "");
    }

    private static void requireEmpty(Path target) {
        if (Files.isDirectory(target)) {
            try (Stream<Path> children = Files.list(target)) {
                if (children.findAny().isPresent()) {
                    throw new DrException(ErrorCode.ALREADY_EXISTS, "The target " + target
                            + " is not empty (setting: target)", "target");
                }
            } catch (IOException e) {
                throw new DrException(ErrorCode.IO_FAILURE, "Cannot read the target " + target, "target", e);
            }
        } else if (Files.exists(target)) {
            throw new DrException(ErrorCode.ALREADY_EXISTS, "The target " + target + " is not a directory (setting: "
                    + "target)", "target");
        }
    }

    /** The system identifiers of the clusters with a base backup or a WAL journal in the repository. */
    private Set<String> clusters(List<BaseBackup> backups) {
        Set<String> ids = new TreeSet<>();
        backups.forEach(b -> ids.add(b.systemId()));
        for (Snapshot s : repository.snapshots()) {
            Tags.find(s, Tags.SYSTEM).ifPresent(ids::add);
            for (String source : s.sources()) {
                if (source.startsWith(JournalWalSink.SOURCE_PREFIX)) {
                    ids.add(source.substring(JournalWalSink.SOURCE_PREFIX.length()));
                }
            }
        }
        return ids;
    }

    /** A base backup and the WAL that continues it without a gap. */
    private record Candidate(BaseBackup backup, List<WalChunk> chunks, Lsn end, Instant endTime) {
    }

    private List<Candidate> candidates() {
        List<BaseBackup> backups = PostgresBackups.list(repository);
        if (backups.isEmpty()) {
            throw new DrException(ErrorCode.NOT_FOUND, "The repository holds no PostgreSQL base backup", "repository");
        }
        String system = systemId != null ? systemId : backups.get(backups.size() - 1).systemId();
        List<WalChunk> all = sink.chunks(system);
        if (all.isEmpty() && backups.stream().noneMatch(b -> b.systemId().equals(system))) {
            throw new DrException(ErrorCode.NOT_FOUND, "No cluster " + system + " in the repository; it holds "
                    + "clusters: " + String.join(", ", clusters(backups)), system);
        }
        List<Candidate> out = new ArrayList<>();
        for (BaseBackup b : backups) {
            if (!b.systemId().equals(system) || all.isEmpty()) {
                continue;
            }
            long segmentSize = all.get(0).segmentSize();
            Lsn pos = b.startLsn().segmentStart(segmentSize);
            List<WalChunk> run = new ArrayList<>();
            Instant endTime = Instant.MIN;
            for (WalChunk c : all) {
                if (c.timeline() != b.timeline() || c.end().compareTo(pos) <= 0) {
                    continue;
                }
                if (c.start().compareTo(pos) > 0) {
                    break;
                }
                run.add(c);
                pos = c.end();
                if (c.received().isAfter(endTime)) {
                    endTime = c.received();
                }
            }
            if (!run.isEmpty() && pos.compareTo(b.stopLsn()) >= 0 && !endTime.isBefore(b.stopTime())) {
                out.add(new Candidate(b, run, pos, endTime));
            }
        }
        if (out.isEmpty()) {
            throw new DrException(ErrorCode.NOT_FOUND, "No base backup of cluster " + system + " has its WAL in the "
                    + "repository from its start to its end (is WAL streaming running?)", system);
        }
        return out;
    }
}
