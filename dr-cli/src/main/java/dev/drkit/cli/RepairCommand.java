package dev.drkit.cli;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.HistoryRepairResult;
import dev.drkit.core.repository.IndexRepairResult;
import dev.drkit.core.repository.Repository;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dr repair}: puts a damaged repository back in working order, deleting nothing it can still use. */
@Command(name = "repair", mixinStandardHelpOptions = true,
        description = "Put a damaged repository back in working order.", subcommands = {RepairCommand.IndexCommand.class, RepairCommand.HistoryCommand.class})
final class RepairCommand {

    /** {@code dr repair history}: rebuilds the history's head from its archived entries. */
    @Command(name = "history", mixinStandardHelpOptions = true,
            description = {"Rebuild the snapshot history's head (history/head) from the archived entries "
                    + "(history/entries/<seq>) when it is missing or damaged, under an exclusive lock: the chain is "
                    + "verified from its first entry, and nothing is written when an entry is missing or altered. "
                    + "A sound head is left alone.",
                    "The head is the anchor that detects a deleted, replayed or rolled-back history: a change only "
                    + "the lost head held, or entries deleted together with it, cannot be detected afterwards. "
                    + "Compare the digest printed with one kept out of band (dr verify --expect-head)."})
    static final class HistoryCommand extends RepositoryCommand {
        @Override
        int run(SnapshotStore store) {
            try (Repository repo = open(store)) {
                HistoryRepairResult r = repo.repairHistory();
                if (json) {
                    CliJson.print(out(), r);
                } else if (!r.changed()) {
                    out().printf("history/head verifies (entry %d, %d snapshot%s): nothing to repair%n",
                            r.rebuiltFromEntry(), r.snapshots(), plural(r.snapshots()));
                } else {
                    out().printf("rebuilt history/head (it was %s) from the archived entries 1 to %d, verified as "
                            + "a chain: %d snapshot%s recorded; head digest %s%n", TerminalText.escape(r.before()),
                            r.rebuiltFromEntry(), r.snapshots(), plural(r.snapshots()), r.headDigest());
                    err().printf("warning: anything the lost head alone recorded after entry %d, or entries deleted "
                            + "with it, cannot be detected: compare the digest with one kept out of band "
                            + "(dr verify --expect-head SEQ:HASH), then run dr verify%n", r.rebuiltFromEntry());
                    err().flush();
                }
            }
            return DrCommand.EXIT_OK;
        }
    }

    /** {@code dr repair index}: rebuilds the index from what can be read. */
    @Command(name = "index", mixinStandardHelpOptions = true,
            description = {"Rebuild the index from the index files that can be read and the headers of the packs "
                    + "none lists, dropping packs the store no longer holds, under an exclusive lock.",
                    "Run it when verify or prune names an index file that cannot be read, or verify names one "
                    + "that is missing (the history then records it as removed). With --read-data every "
                    + "pack is read and a blob whose data is damaged leaves the index (its pack is rewritten "
                    + "without it), so that the next backup stores that content again instead of reusing the "
                    + "damaged copy."})
    static final class IndexCommand extends RepositoryCommand {
        @Option(names = "--read-data", description = "Read every pack and drop the blobs whose data is damaged.")
        boolean readData;

        @Override
        int run(SnapshotStore store) {
            try (Repository repo = open(store)) {
                IndexRepairResult r;
                try (ProgressDisplay shown = showProgress(repo)) {
                    r = repo.repairIndex(readData);
                }
                if (json) {
                    CliJson.print(out(), r);
                } else if (!r.changed()) {
                    out().println("the index is complete: nothing to repair");
                } else {
                    out().printf("wrote a new index in place of %d file%s (%d damaged, %d missing): %d pack%s "
                            + "listed again, %d missing pack%s dropped, %d damaged blob%s dropped (%d pack%s "
                            + "rewritten without them)%n", r.indexFilesReplaced(), plural(r.indexFilesReplaced()),
                            r.indexFilesDamaged(), r.indexFilesMissing(), r.packsAdded(), plural(r.packsAdded()),
                            r.packsMissing(),
                            plural(r.packsMissing()), r.blobsDropped(), plural(r.blobsDropped()), r.packsRewritten(),
                            plural(r.packsRewritten()));
                }
                for (String pack : r.unreadablePacks()) {
                    err().println("dr: left out " + pack + ": its header cannot be read (the pack is kept)");
                }
            }
            return DrCommand.EXIT_OK;
        }

    }

    private static String plural(int n) {
        return n == 1 ? "" : "s";
    }
}
