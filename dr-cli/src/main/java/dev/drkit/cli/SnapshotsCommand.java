package dev.drkit.cli;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.Coverage;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.Snapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

/**
 * {@code dr snapshots}: lists the committed snapshots, newest first, in the order of the
 * actuator endpoint's {@code /actuator/dr/snapshots/all} (text and JSON alike); the text names the
 * time range each journal base snapshot covers, and marks a snapshot whose backup left out
 * entries it could not read with how many ({@code incomplete: N unreadable entries left out};
 * in JSON, {@code unreadable} and {@code unreadablePaths}). A snapshot the history records but
 * the listing lacks (its manifest deleted or unreadable) is named in a warning on stderr; stdout
 * and the exit code (0) stay as they are, and {@code dr verify} is the check that exits 3.
 */
@Command(name = "snapshots", mixinStandardHelpOptions = true, description = "List the snapshots, newest first.")
final class SnapshotsCommand extends RepositoryCommand {
    @Override
    int run(SnapshotStore store) {
        try (Repository repo = open(store)) {
            List<Snapshot> snapshots = new ArrayList<>(repo.snapshots()); // oldest first
            warnOfUnlisted(repo, snapshots);
            Collections.reverse(snapshots);
            if (json) {
                CliJson.print(out(), snapshots);
                return DrCommand.EXIT_OK;
            }
            Map<String, Coverage> covered = new HashMap<>();
            for (Coverage c : repo.coverage(snapshots)) {
                covered.put(c.snapshotId(), c);
            }
            out().printf("%-10s %-20s %-16s %-20s %10s %12s%n", "ID", "TIME", "HOST", "SOURCES", "FILES", "SIZE");
            for (Snapshot s : snapshots) {
                Coverage c = covered.get(s.id());
                out().printf("%-10s %-20s %-16s %-20s %10d %12s%s%s%s%n", s.shortId(), time(s.time()), TerminalText.escape(s.host()),
                        TerminalText.escape(String.join(",", s.sources())), s.files(), size(s.bytes()),
                        s.complete() ? "" : "  incomplete: " + s.unreadable() + " unreadable "
                                + (s.unreadable() == 1 ? "entry" : "entries") + " left out",
                        s.tags().isEmpty() ? "" : "  tags: " + TerminalText.escape(String.join(",", s.tags())),
                        c == null ? "" : "  journal: " + time(c.from()) + " .. " + time(c.to()) + " ("
                                + c.segments() + " segment" + (c.segments() == 1 ? "" : "s") + ")");
            }
            out().println(snapshots.size() + " snapshot" + (snapshots.size() == 1 ? "" : "s"));
        }
        return DrCommand.EXIT_OK;
    }

    /**
     * Warns on stderr, without changing stdout or the exit code, of the snapshots the history
     * records that the listing lacks (a manifest deleted or unreadable): the listing alone would
     * hide that they are lost.
     */
    private void warnOfUnlisted(Repository repo, List<Snapshot> listed) {
        List<String> unlisted;
        try {
            unlisted = repo.unlistedSnapshots(listed);
        } catch (DrException e) {
            if (e.code() != ErrorCode.INTEGRITY) {
                throw e;
            }
            // The history's own errors name their remedy (dr verify, dr repair history).
            err().println("warning: cannot check the listing against the snapshot history: "
                    + TerminalText.escape(e.getMessage()) + (e.getMessage().contains("dr verify") ? "" : "; run dr verify"));
            return;
        }
        if (!unlisted.isEmpty()) {
            err().println("warning: the history records " + unlisted.size() + " snapshot"
                    + (unlisted.size() == 1 ? "" : "s") + " not listed, " + (unlisted.size() == 1 ? "its manifest" : "their manifests")
                    + " deleted or unreadable: " + String.join(", ", unlisted) + "; run dr verify, then put "
                    + (unlisted.size() == 1 ? "it" : "them") + " back from a copy or give "
                    + (unlisted.size() == 1 ? "it" : "them") + " up with dr forget ID");
        }
    }

    private static String time(Instant t) {
        return t.toString().replace('T', ' ').replaceAll("\\.\\d+Z$", "Z");
    }
}
