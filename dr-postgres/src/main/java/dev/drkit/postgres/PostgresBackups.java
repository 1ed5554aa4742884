package dev.drkit.postgres;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.backup.BackupKind;
import dev.drkit.core.repository.BackupRequest;
import dev.drkit.core.repository.BackupResult;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.Snapshot;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.postgres.internal.Server;
import dev.drkit.postgres.internal.Tags;
import dev.drkit.postgres.internal.TextFilesSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Takes base backups of a running PostgreSQL cluster into a repository, with the
 * non-exclusive {@code pg_backup_start} / {@code pg_backup_stop} protocol, and lists them.
 *
 * <p>The data directory is read from the local file system (the service runs beside its
 * database, or the directory is mounted), while the cluster keeps serving. Every file is
 * read and stored by content, so blocks that did not change since an earlier base backup
 * are stored once. The {@code backup_label} that {@code pg_backup_stop} returns is stored in
 * a second snapshot, written last: the base backup exists once that snapshot is committed.
 *
 * <pre>{@code
 * PostgresBackups backups = PostgresBackups.of(repository, new PostgresConnection(url, user, password));
 * BaseBackup base = backups.baseBackup();
 * }</pre>
 *
 * <p>Thread-safe; base backups of one cluster may not overlap in time (PostgreSQL allows it,
 * but there is no need).
 */
public final class PostgresBackups {
    /** The source name of the data directory in a base backup's data snapshot. */
    public static final String DATA_SOURCE = "pgdata";
    /** The source name of the label files in a base backup's committing snapshot. */
    public static final String LABEL_SOURCE = "pglabel";

    /** What a base backup leaves out of the data directory, as PostgreSQL's documentation lists it. */
    static final List<String> EXCLUDES = List.of("postmaster.pid", "postmaster.opts", "pg_wal/**",
            "pg_replslot/**", "pg_dynshmem/**", "pg_notify/**", "pg_serial/**", "pg_snapshots/**", "pg_stat_tmp/**",
            "pg_subtrans/**", "pgsql_tmp*", "pg_internal.init", "backup_label", "tablespace_map", "backup_manifest",
            "recovery.signal", "standby.signal", "postgresql.auto.conf.tmp");

    private final Repository repository;
    private final PostgresConnection connection;
    private final @Nullable Path dataDirectory;

    private PostgresBackups(Repository repository, PostgresConnection connection, @Nullable Path dataDirectory) {
        this.repository = Objects.requireNonNull(repository, "repository");
        this.connection = Objects.requireNonNull(connection, "connection");
        this.dataDirectory = dataDirectory;
    }

    /**
     * Returns base backups of the cluster at {@code connection}, whose data directory is the
     * one the server reports ({@code SHOW data_directory}).
     *
     * @param repository where base backups go
     * @param connection a role that may run {@code pg_backup_start} and {@code pg_backup_stop}
     * @return the base backups
     */
    public static PostgresBackups of(Repository repository, PostgresConnection connection) {
        return new PostgresBackups(repository, connection, null);
    }

    /**
     * Returns these base backups reading the data directory at {@code path}, for a server that
     * sees its directory under another name (a container's mount).
     *
     * @param path the data directory as this process sees it
     * @return the base backups
     */
    public PostgresBackups withDataDirectory(Path path) {
        return new PostgresBackups(repository, connection, path.toAbsolutePath().normalize());
    }

    /**
     * Takes a base backup now.
     *
     * @return the base backup
     * @throws DrException {@code ACCESS_DENIED} naming the password, user or
     *     {@code pg_backup_start} when the server refuses; {@code INVALID_CONFIG} naming
     *     {@code wal_level} when it is {@code minimal}; {@code NOT_FOUND} naming
     *     {@code dataDirectory} when the directory cannot be read; {@code UNAVAILABLE} when the
     *     server fails
     */
    public BaseBackup baseBackup() {
        try (Connection sql = Server.open(connection)) {
            Server.requireWalLevel(sql);
            String systemId = Server.systemIdentifier(sql);
            Path dir = dataDirectory != null ? dataDirectory : serverDataDirectory(sql);
            if (!Files.isDirectory(dir.resolve("global"))) {
                throw new DrException(ErrorCode.NOT_FOUND, "The data directory " + dir
                        + " is not readable here (setting: dataDirectory)", "dataDirectory");
            }
            Lsn start = startBackup(sql);
            Instant startTime = serverNow(sql);
            int timeline = Server.timeline(sql);
            BackupResult data = repository.backup(BackupRequest.builder()
                    .source(DirectorySource.of(DATA_SOURCE, dir, EXCLUDES.toArray(String[]::new)))
                    .tags(Tags.BASE_DATA, Tags.of(Tags.SYSTEM, systemId))
                    .kind(BackupKind.FULL)
                    .build());
            Map<String, byte[]> labels = new LinkedHashMap<>();
            Lsn stop;
            try (Statement st = sql.createStatement();
                 ResultSet rs = st.executeQuery("SELECT lsn::text, labelfile, spcmapfile FROM pg_backup_stop(false)")) {
                rs.next();
                stop = Lsn.parse(rs.getString(1));
                labels.put("backup_label", rs.getString(2).getBytes(StandardCharsets.UTF_8));
                String spcmap = rs.getString(3);
                if (spcmap != null && !spcmap.isEmpty()) {
                    labels.put("tablespace_map", spcmap.getBytes(StandardCharsets.UTF_8));
                }
            }
            Instant stopTime = serverNow(sql);
            BackupResult label = repository.backup(BackupRequest.builder()
                    .source(new TextFilesSource(LABEL_SOURCE, labels, stopTime))
                    .tags(Tags.BASE, Tags.of(Tags.SYSTEM, systemId), Tags.of(Tags.TIMELINE, timeline),
                            Tags.of(Tags.DATA, data.snapshotId()), Tags.of(Tags.START, start), Tags.of(Tags.END, stop),
                            Tags.of(Tags.START_TIME, startTime), Tags.of(Tags.END_TIME, stopTime))
                    .kind(BackupKind.FULL)
                    .build());
            return new BaseBackup(label.snapshotId(), data.snapshotId(), systemId, timeline, start, stop, startTime,
                    stopTime);
        } catch (SQLException e) {
            throw Server.failed(e, "take a base backup");
        }
    }

    /**
     * Lists the base backups in the repository, oldest first.
     *
     * @return the base backups of every cluster
     */
    public List<BaseBackup> baseBackups() {
        return list(repository);
    }

    static List<BaseBackup> list(Repository repository) {
        List<BaseBackup> out = new ArrayList<>();
        for (Snapshot s : repository.snapshots()) {
            if (s.tags().contains(Tags.BASE)) {
                out.add(new BaseBackup(s.id(), Tags.get(s, Tags.DATA), Tags.get(s, Tags.SYSTEM),
                        Integer.parseInt(Tags.get(s, Tags.TIMELINE)), Lsn.parse(Tags.get(s, Tags.START)),
                        Lsn.parse(Tags.get(s, Tags.END)), Instant.parse(Tags.get(s, Tags.START_TIME)),
                        Instant.parse(Tags.get(s, Tags.END_TIME))));
            }
        }
        out.sort(Comparator.comparing(BaseBackup::stopTime));
        return out;
    }

    private static Lsn startBackup(Connection sql) {
        try (PreparedStatement st = sql.prepareStatement("SELECT pg_backup_start(?, true)::text")) {
            st.setString(1, "dr-postgres " + Instant.now());
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return Lsn.parse(rs.getString(1));
            }
        } catch (SQLException e) {
            if ("42501".equals(e.getSQLState())) {
                throw new DrException(ErrorCode.ACCESS_DENIED, "The role may not run pg_backup_start (setting: user; "
                        + "GRANT EXECUTE ON FUNCTION pg_backup_start, pg_backup_stop to it): " + e.getMessage(),
                        "pg_backup_start", e);
            }
            throw Server.failed(e, "start a base backup");
        }
    }

    private static Path serverDataDirectory(Connection sql) {
        try {
            return Path.of(Server.setting(sql, "data_directory"));
        } catch (DrException e) {
            throw new DrException(ErrorCode.ACCESS_DENIED, "The server does not tell this role its data directory "
                    + "(setting: dataDirectory; set it, or grant pg_read_all_settings)", "dataDirectory", e);
        }
    }

    static Instant serverNow(Connection sql) throws SQLException {
        try (Statement st = sql.createStatement(); ResultSet rs = st.executeQuery("SELECT clock_timestamp()")) {
            rs.next();
            return rs.getObject(1, OffsetDateTime.class).toInstant();
        }
    }
}
