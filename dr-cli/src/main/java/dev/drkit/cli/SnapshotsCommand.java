package dev.drkit.cli;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.Snapshot;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import picocli.CommandLine.Command;

/**
 * {@code dr snapshots}: lists the committed snapshots, newest first, in the order of the
 * actuator endpoint's {@code /actuator/dr/snapshots/all} (text and JSON alike).
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
            out().printf("%-10s %-20s %-16s %-20s %10s %12s%n", "ID", "TIME", "HOST", "SOURCES", "FILES", "SIZE");
            for (Snapshot s : snapshots) {
                out().printf("%-10s %-20s %-16s %-20s %10d %12s%s%n", s.shortId(),
                        s.time().toString().replace('T', ' ').replaceAll("\\.\\d+Z$", "Z"), s.host(),
                        String.join(",", s.sources()), s.files(), size(s.bytes()),
                        s.tags().isEmpty() ? "" : "  tags: " + String.join(",", s.tags()));
            }
            out().println(snapshots.size() + " snapshot" + (snapshots.size() == 1 ? "" : "s"));
        }
        return DrCommand.EXIT_OK;
    }
}
