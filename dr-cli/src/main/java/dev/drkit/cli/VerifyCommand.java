package dev.drkit.cli;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.VerifyOptions;
import dev.drkit.core.repository.VerifyReport;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dr verify}: checks structure, and data when asked; exit 3 names every problem found. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Check the repository's structure (each pack's size included), and with --read-data or "
                + "--read-data-subset its data. Exit 3 when a problem is found. Packs no index lists and "
                + "temporary files, left by an interrupted backup or prune, are counted in a note, not a problem: "
                + "dr prune removes them, unless an index file is damaged or missing: then they may be "
                + "its packs, and the note says to run dr repair index first.")
final class VerifyCommand extends RepositoryCommand {
    @Option(names = "--read-data",
            description = "Download, decrypt and re-hash every pack. Not with --read-data-subset.")
    boolean readData;

    @Option(names = "--read-data-subset", paramLabel = "FRACTION",
            description = "Check the data of ceil(FRACTION x packs) of the packs, FRACTION in (0, 1]: at least one "
                    + "pack of a repository that has packs, chosen by --seed. Not with --read-data, which reads all.")
    Double subset;

    @Option(names = "--seed", description = "Chooses the packs of --read-data-subset: the same seed reads the same "
            + "packs while the repository holds the same ones (default: random).")
    Long seed;

    @Option(names = "--expect-head", paramLabel = "DIGEST",
            description = "A history head digest printed by an earlier verify and kept elsewhere: "
                    + "fail unless the snapshot history still contains it (catches a history rolled back).")
    String expectHead;

    private VerifyOptions options = VerifyOptions.structure();

    @Override
    void check() {
        if (readData && subset != null) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "--read-data reads every pack and --read-data-subset "
                    + "a share of them: give one of the two", "--read-data-subset=" + subset);
        }
        if (seed != null && subset == null) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "--seed chooses the packs of --read-data-subset and "
                    + "needs it", "--seed=" + seed);
        }
        if (subset != null && !(subset > 0 && subset <= 1)) {
            throw DrException.invalidArgument("--read-data-subset", "must be a fraction of the packs within (0, 1]",
                    subset);
        }
        options = subset != null
                ? VerifyOptions.readDataSample(subset, seed != null ? seed : System.nanoTime())
                : readData ? VerifyOptions.readAllData() : VerifyOptions.structure();
        if (expectHead != null) {
            VerifyOptions unchecked = options;
            options = OptionNames.named(Map.of("expectedHead", "--expect-head"),
                    () -> unchecked.withExpectedHead(expectHead));
        }
    }

    @Override
    int run(SnapshotStore store) {
        try (Repository repo = open(store)) {
            progress("verifying " + (options.readData() ? "structure and data" : "structure") + " ...");
            VerifyReport report;
            try (ProgressDisplay shown = showProgress(repo)) {
                report = repo.verify(options);
            }
            if (json) {
                CliJson.print(out(), report);
            } else {
                report.problems().forEach(p -> out().println("problem: " + TerminalText.escape(p.key() + ": " + p.message())));
                report.notes().forEach(n -> out().println("note: " + TerminalText.escape(n.key() + ": " + n.message())));
                if (subset != null && seed == null) {
                    out().println("packs chosen with seed " + options.seed() + " (--seed " + options.seed()
                            + " reads the same ones again)");
                }
                String leftovers = leftovers(report);
                if (leftovers != null) {
                    out().println(leftovers);
                }
                if (report.historyHead() != null) {
                    out().println("history head: " + report.historyHead());
                }
                out().printf("%s: %s, %s, %s read, %s checked, %s%n", report.ok() ? "ok" : "FAILED",
                        Counts.of(report.snapshots(), "snapshot"), Counts.of(report.packs(), "pack"),
                        Counts.of(report.packsRead(), "pack"), Counts.of(report.blobsRead(), "blob"),
                        Counts.of(report.problems().size(), "problem"));
            }
            return report.ok() ? DrCommand.EXIT_OK : DrCommand.EXIT_INTEGRITY;
        }
    }

    /**
     * The line about what interrupted writers left (packs no index lists, temporary files), which
     * is not a problem and does not change the exit code, or null when there is nothing. When an
     * index file is damaged or missing, the packs may be its own: the line says to repair the
     * index instead of advising prune.
     */
    static @Nullable String leftovers(VerifyReport report) {
        int packs = report.unindexedPacks();
        int temporary = report.temporaryFiles();
        if (packs == 0 && temporary == 0) {
            return null;
        }
        String what = packs == 0 ? count(temporary, "temporary file")
                : temporary == 0 ? count(packs, "pack") + " that no index lists"
                : count(packs, "pack") + " that no index lists and " + count(temporary, "temporary file");
        String them = packs + temporary == 1 ? "it" : "them";
        if (packs > 0 && report.indexFileDamaged()) {
            return "note: " + what + ": an index file is damaged or missing (see the problems above), and "
                    + (packs == 1 ? "this pack" : "these packs") + " may be the ones it listed, holding the only "
                    + "copy of their data: run dr repair index first, not dr prune (which would delete "
                    + them + ")";
        }
        return "note: " + what + ", left by an interrupted backup or prune (or a backup running now): run dr "
                + "prune to remove "
                + them + " (it removes " + (packs + temporary == 1 ? "one" : "those") + " older than an hour)";
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
