package dev.drkit.cli;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.config.DurationText;
import dev.drkit.core.repository.PruneOptions;
import dev.drkit.core.repository.PruneResult;
import dev.drkit.core.repository.Repository;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dr prune}: deletes data no snapshot uses, under an exclusive lock. */
@Command(name = "prune", mixinStandardHelpOptions = true,
        description = "Delete data no snapshot uses and repack partly used packs, under an exclusive lock. Packs no "
                + "index lists (left by an interrupted backup) are deleted once older than --grace, and temporary "
                + "files of interrupted writes in a directory repository once older than an hour or --grace, whichever is longer.")
final class PruneCommand extends RepositoryCommand {
    @Option(names = "--grace", paramLabel = "DURATION",
            description = "Never delete packs younger than this (in-flight backups): " + DurationText.FORMS
                    + "; default ${DEFAULT-VALUE}.")
    Duration grace = PruneOptions.DEFAULT.gracePeriod();

    @Option(names = "--repack-threshold", paramLabel = "FRACTION",
            description = "Repack packs whose unused share exceeds this; default ${DEFAULT-VALUE}.")
    double repackThreshold = PruneOptions.DEFAULT.repackThreshold();

    @Option(names = {"-n", "--dry-run"}, description = "Only say what would be deleted.")
    boolean dryRun;

    private PruneOptions options = PruneOptions.DEFAULT;

    @Override
    void check() {
        options = OptionNames.named(Map.of("gracePeriod", "--grace", "repackThreshold", "--repack-threshold"),
                () -> new PruneOptions(grace, repackThreshold, dryRun));
    }

    @Override
    int run(SnapshotStore store) {
        try (Repository repo = open(store)) {
            PruneResult r;
            try (ProgressDisplay shown = showProgress(repo)) {
                r = repo.prune(options);
            }
            if (json) {
                CliJson.print(out(), r);
            } else {
                print(out(), r);
            }
        }
        return DrCommand.EXIT_OK;
    }

    static void print(PrintWriter out, PruneResult r) {
        out.printf("%s %s, %s %d, kept %s, %s %s%s%n", r.dryRun() ? "would delete" : "deleted",
                Counts.of(r.packsDeleted(), "pack"), r.dryRun() ? "would repack" : "repacked", r.packsRepacked(),
                Counts.of(r.packsKeptYoung(), "young pack"), size(r.bytesFreed()), r.dryRun() ? "to free" : "freed",
                r.temporaryFilesDeleted() == 0 ? "" : ", "
                        + Counts.of(r.temporaryFilesDeleted(), "temporary file") + " of interrupted writes "
                        + (r.dryRun() ? "to delete" : "deleted"));
    }
}
