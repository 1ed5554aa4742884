package dev.drkit.cli;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.VerifyOptions;
import dev.drkit.core.repository.VerifyReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dr verify}: checks structure, and data when asked; exit 3 names every problem found. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Check the repository's structure, and with --read-data its data. Exit 3 when a problem is found.")
final class VerifyCommand extends RepositoryCommand {
    @Option(names = "--read-data", description = "Download, decrypt and re-hash every pack.")
    boolean readData;

    @Option(names = "--read-data-subset", paramLabel = "FRACTION",
            description = "Read a random fraction (0..1] of the packs.")
    Double subset;

    @Option(names = "--seed", description = "Seed for --read-data-subset (default: random).")
    Long seed;

    @Option(names = "--expect-head", paramLabel = "DIGEST",
            description = "A history head digest printed by an earlier verify and kept elsewhere: "
                    + "fail unless the snapshot history still contains it (catches a history rolled back).")
    String expectHead;

    @Override
    int run(SnapshotStore store) {
        VerifyOptions options = subset != null
                ? VerifyOptions.readDataSample(subset, seed != null ? seed : System.nanoTime())
                : readData ? VerifyOptions.readAllData() : VerifyOptions.structure();
        if (expectHead != null) {
            options = options.withExpectedHead(expectHead);
        }
        try (Repository repo = open(store)) {
            progress("verifying " + (options.readData() ? "structure and data" : "structure") + " ...");
            VerifyReport report;
            try (ProgressDisplay shown = showProgress(repo)) {
                report = repo.verify(options);
            }
            if (json) {
                CliJson.print(out(), report);
            } else {
                report.problems().forEach(p -> out().println("problem: " + p.key() + ": " + p.message()));
                report.notes().forEach(n -> out().println("note: " + n.key() + ": " + n.message()));
                if (report.historyHead() != null) {
                    out().println("history head: " + report.historyHead());
                }
                out().printf("%s: %d snapshots, %d packs, %d packs read, %d blobs checked, %d problem%s%n",
                        report.ok() ? "ok" : "FAILED", report.snapshots(), report.packs(), report.packsRead(),
                        report.blobsRead(), report.problems().size(), report.problems().size() == 1 ? "" : "s");
            }
            return report.ok() ? DrCommand.EXIT_OK : DrCommand.EXIT_INTEGRITY;
        }
    }
}
