package dev.drkit.cli;

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
 * in JSON, {@code unreadable} and {@code unreadablePaths}).
 */
@Command(name = "snapshots", mixinStandardHelpOptions = true, description = "List the snapshots, newest first.")
final class SnapshotsCommand extends RepositoryCommand {
    @Override
    int run(SnapshotStore store) {
        try (Repository repo = open(store)) {
            List<Snapshot> snapshots = new ArrayList<>(repo.snapshots()); // oldest first
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

    private static String time(Instant t) {
        return t.toString().replace('T', ' ').replaceAll("\\.\\d+Z$", "Z");
    }
}
