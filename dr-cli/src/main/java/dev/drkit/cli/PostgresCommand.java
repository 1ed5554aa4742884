package dev.drkit.cli;

import dev.drkit.api.DrException;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.Repository;
import dev.drkit.postgres.CoveredRange;
import dev.drkit.postgres.PointInTimeRestore;
import dev.drkit.postgres.RestoredCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dr postgres}: what the repository holds of a PostgreSQL cluster, and point-in-time restores of it. */
@Command(name = "postgres", mixinStandardHelpOptions = true,
        description = "Restore a PostgreSQL cluster from its base backups and streamed WAL to any instant.",
        subcommands = {PostgresCommand.Range.class, PostgresCommand.Restore.class})
final class PostgresCommand {
    private static final Pattern PORT_SETTING = Pattern.compile("\\s*port\\s*=?\\s*'?(\\d+)'?\\s*(#.*)?");

    /** {@code dr postgres range}: the instants the repository can restore a cluster to. */
    @Command(name = "range", mixinStandardHelpOptions = true,
            description = "Print the instants the cluster can be restored to.")
    static final class Range extends RepositoryCommand {
        @Option(names = "--system", paramLabel = "ID", description = "The cluster's system identifier; by default "
                + "the cluster of the latest base backup.")
        String system;

        @Override
        int run(SnapshotStore store) {
            try (Repository repo = open(store)) {
                CoveredRange range = restores(repo, system).coveredRange();
                if (json) {
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("system", range.systemId());
                    out.put("from", range.from().toString());
                    out.put("to", range.to().toString());
                    out.put("walEnd", range.walEnd().toString());
                    CliJson.print(out(), out);
                } else {
                    out().printf("cluster %s restores to any instant from %s to %s (WAL to %s)%n",
                            TerminalText.escape(String.valueOf(range.systemId())),
                            range.from(), range.to(), range.walEnd());
                }
            }
            return DrCommand.EXIT_OK;
        }
    }

    /** {@code dr postgres restore}: lays out a data directory that recovers to an instant. */
    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = "Lay out a data directory that recovers to TIME when PostgreSQL starts on it: the base "
                    + "backup, the WAL after it and the recovery settings.")
    static final class Restore extends RepositoryCommand {
        @Option(names = "--at", required = true, paramLabel = "TIME",
                description = InstantText.FORMS + ", or 'latest'; the restored cluster holds the transactions "
                        + "committed at or before it.")
        PointInTime at;

        @Option(names = {"-t", "--target"}, required = true, paramLabel = "DIR",
                description = "The data directory to create; it must be missing or empty.")
        Path target;

        @Option(names = "--system", paramLabel = "ID", description = "The cluster's system identifier; by default "
                + "the cluster of the latest base backup.")
        String system;

        @Override
        int run(SnapshotStore store) {
            try (Repository repo = open(store)) {
                PointInTimeRestore restores = restores(repo, system);
                progress("laying out the cluster as of " + at + " in "
                        + TerminalText.escape(target.toString()) + " ...");
                RestoredCluster r;
                try {
                    r = at.latest() ? restores.restoreLatest(target) : restores.restore(at.at(), target);
                } catch (DrException e) {
                    throw afterTheRange(e, at, restores);
                }
                if (json) {
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("target", r.dataDirectory().toString());
                    out.put("baseBackup", r.baseBackup().snapshotId());
                    out.put("recoveryTargetTime", r.recoveryTargetTime() == null ? null : r.recoveryTargetTime().toString());
                    out.put("walEnd", r.walEnd().toString());
                    out.put("dataAsOf", r.dataAsOf().toString());
                    CliJson.print(out(), out);
                } else {
                    out().printf("laid out base backup %s and WAL to %s in %s; %s%n", r.baseBackup().snapshotId()
                            .substring(0, 8), r.walEnd(), TerminalText.escape(target.toString()), r.recoveryTargetTime() == null
                            ? "recovery replays all of it" : "recovery stops at " + r.recoveryTargetTime());
                    Optional<String> port = configuredPort(target);
                    out().printf("start it with: pg_ctl -D %s -o '-p PORT' start (as the data directory's owner)%n",
                            TerminalText.escape(target.toString()));
                    out().printf("the restored cluster keeps the original's port%s: while the original runs on this "
                            + "host, give it another PORT; else leave out -o '-p PORT'%n",
                            port.map(p -> ", " + TerminalText.escape(p)).orElse(""));
                }
            }
            return DrCommand.EXIT_OK;
        }
    }

    /**
     * Adds the options that restore the same data to a refusal of an instant after the covered
     * range: {@code --at} its end, or {@code --at latest}.
     */
    private static DrException afterTheRange(DrException e, PointInTime at, PointInTimeRestore restores) {
        if (!"at".equals(e.input()) || at.latest()) {
            return e;
        }
        CoveredRange range = restores.coveredRange();
        if (!at.at().isAfter(range.to())) {
            return e;
        }
        return new DrException(e.code(), e.getMessage() + ": run with --at " + range.to() + " or --at latest",
                "at", e);
    }

    /**
     * Reads the port a restored data directory's {@code postgresql.auto.conf} or
     * {@code postgresql.conf} sets (the last setting wins, the first file over the second).
     *
     * @param dataDirectory the restored data directory
     * @return the port and the file that sets it, such as {@code 5433 (postgresql.conf)}, or empty
     *     when neither file sets one that can be read
     */
    static Optional<String> configuredPort(Path dataDirectory) {
        for (String file : List.of("postgresql.auto.conf", "postgresql.conf")) {
            try {
                String port = null;
                for (String line : Files.readAllLines(dataDirectory.resolve(file), StandardCharsets.UTF_8)) {
                    Matcher m = PORT_SETTING.matcher(line);
                    if (m.matches()) {
                        port = m.group(1);
                    }
                }
                if (port != null) {
                    return Optional.of(port + " (" + file + ")");
                }
            } catch (IOException e) {
                // not there or not readable: the other file, or "the original's port"
            }
        }
        return Optional.empty();
    }

    static PointInTimeRestore restores(Repository repo, String system) {
        PointInTimeRestore restores = PointInTimeRestore.of(repo);
        return system == null ? restores : restores.forSystem(system);
    }
}
