package dev.drkit.cli;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RestoreOptions;
import dev.drkit.core.repository.RestoreResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dr restore}: restores a snapshot, or some of its paths, into a directory. */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = "Restore a snapshot into a directory; each source becomes a directory of the target.")
final class RestoreCommand extends RepositoryCommand {
    @Parameters(index = "0", paramLabel = "SNAPSHOT", description = "A snapshot id, a unique prefix, or 'latest'.")
    String snapshot;

    @Option(names = {"-t", "--target"}, required = true, paramLabel = "DIR", description = "Where to restore.")
    Path target;

    @Option(names = "--include", paramLabel = "PATH",
            description = "Restore only this path of the snapshot, as source/dir/file (repeatable).")
    List<String> include = new ArrayList<>();

    @Option(names = "--overwrite", description = "Replace files that already exist in the target.")
    boolean overwrite;

    @Option(names = "--allow-unverified-history",
            description = "Restore even when the snapshot history does not verify (a deleted, replaced or "
                    + "replayed snapshot, a missing or stale head); run verify first and read what it names.")
    boolean allowUnverifiedHistory;

    @Override
    int run(SnapshotStore store) {
        try (Repository repo = open(store)) {
            String id = repo.snapshot(snapshot).id();
            progress("restoring " + id.substring(0, 8) + " to " + target + " ...");
            RestoreResult r;
            try (ProgressDisplay shown = showProgress(repo)) {
                r = repo.restore(snapshot.equals("latest") ? snapshot : id, target,
                        new RestoreOptions(include, overwrite, false, allowUnverifiedHistory));
            }
            if (json) {
                CliJson.print(out(), r);
            } else {
                out().printf("restored %d files, %d directories, %d links (%s) to %s in %.2f s%n", r.files(),
                        r.directories(), r.symlinks(), size(r.bytes()), target, r.duration().toMillis() / 1000.0);
            }
        }
        return DrCommand.EXIT_OK;
    }
}
