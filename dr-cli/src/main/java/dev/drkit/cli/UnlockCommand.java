package dev.drkit.cli;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.LockInfo;
import dev.drkit.core.repository.Repository;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dr unlock}: removes the locks no running process holds, or with {@code --remove-all}
 * every lock; says which it removed and which live ones it kept, naming journal writer locks
 * ({@code journal-locks/<source>}) as such, in text and in the JSON's {@code kind}.
 */
@Command(name = "unlock", mixinStandardHelpOptions = true,
        description = {"Remove the locks no running process holds: expired ones (their holder stopped refreshing "
                + "them: a repository lock, locks/<id>, expires 30 minutes after its last refresh; a journal "
                + "writer lock, journal-locks/<source>, which a dr watch or an application's journal holds, "
                + "5 minutes after), unreadable ones, and those a process of this host took that no longer runs "
                + "(a backup or watch killed with kill -9). Live locks are kept and listed.",
                "A lock is this host's when the host name in it equals this one's ($HOSTNAME, else the machine's "
                        + "name): containers that share a repository need host names of their own, or one's live "
                        + "lock looks like a gone process to another.",
                "Taking a repository lock removes by itself the locks this host's gone processes left; "
                        + "any other unexpired repository lock blocks prune, forget and repair, and a journal "
                        + "writer lock the next journal of its source, until it expires or this command removes "
                        + "it."})
final class UnlockCommand extends RepositoryCommand {
    @Option(names = "--remove-all",
            description = "DANGER: remove EVERY lock, live ones too. Only after checking that NO dr process "
                    + "(backup, restore, copy, forget, prune, watch, or an application using the repository) runs "
                    + "on ANY host: a live lock removed lets a prune delete the data a running backup is writing.")
    boolean removeAll;

    @Override
    int run(SnapshotStore store) {
        try (Repository repo = open(store)) {
            List<LockInfo> removed = removeAll ? repo.unlockAll() : repo.unlock();
            List<LockInfo> kept = repo.locks();
            if (json) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("removed", removed.stream().map(UnlockCommand::json).toList());
                result.put("kept", kept.stream().map(UnlockCommand::json).toList());
                CliJson.print(out(), result);
                return DrCommand.EXIT_OK;
            }
            for (LockInfo lock : removed) {
                out().println("removed " + describe(lock));
            }
            for (LockInfo lock : kept) {
                out().println("kept " + describe(lock));
            }
            out().println("removed " + removed.size() + " lock" + (removed.size() == 1 ? "" : "s") + ", kept "
                    + kept.size() + (kept.isEmpty() ? "" : " (" + (removeAll
                            ? "taken meanwhile"
                            : "live: they expire unless refreshed, or 'dr unlock --remove-all' removes them once "
                                    + "no dr process runs anywhere") + ")"));
        }
        return DrCommand.EXIT_OK;
    }

    /** A lock as JSON: its fields, with its kind after its key. */
    private static Map<String, Object> json(LockInfo lock) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key", lock.key());
        m.put("kind", lock.journalWriter() ? "journal-writer" : "repository");
        m.put("owner", lock.owner());
        m.put("host", lock.host());
        m.put("pid", lock.pid());
        m.put("exclusive", lock.exclusive());
        m.put("expires", lock.expires());
        m.put("state", lock.state());
        return m;
    }

    private static String describe(LockInfo lock) {
        String why = switch (lock.state()) {
            case LIVE -> "live, until " + lock.expires();
            case EXPIRED -> "expired at " + lock.expires();
            case PROCESS_GONE -> "its process is gone";
            case UNREADABLE -> "unreadable";
        };
        if (lock.state() == LockInfo.State.UNREADABLE) {
            return TerminalText.escape(lock.key()) + " (" + why + ")";
        }
        String kind = lock.journalWriter() ? "journal writer" : lock.exclusive() ? "exclusive" : "shared";
        return TerminalText.escape(lock.key()) + ": " + kind + " lock of "
                + TerminalText.escape(lock.owner()) + " on " + TerminalText.escape(lock.host()) + " (pid " + lock.pid()
                + ", " + why + ")";
    }
}
