package dev.drkit.cli;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.SnapshotEntry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code dr diff}: what changed between two snapshots, entry by entry. */
@Command(name = "diff", mixinStandardHelpOptions = true,
        description = {"Show the entries added (+), removed (-) and modified (M) between two snapshots.",
                "Control characters in names print escaped (\\n, \\t, \\x1b, a backslash as \\\\); --json keeps names exact."})
final class DiffCommand extends RepositoryCommand {
    @Parameters(index = "0", paramLabel = "FROM", description = "The older snapshot: id, prefix or 'latest'.")
    String from;

    @Parameters(index = "1", paramLabel = "TO", description = "The newer snapshot: id, prefix or 'latest'.")
    String to;

    /** One difference between the snapshots. */
    record Change(String change, String path, String type, long sizeBefore, long sizeAfter) {
    }

    @Override
    int run(SnapshotStore store) {
        try (Repository repo = open(store)) {
            Map<String, SnapshotEntry> before = byPath(repo.entries(repo.snapshot(from).id()));
            Map<String, SnapshotEntry> after = byPath(repo.entries(repo.snapshot(to).id()));
            List<Change> changes = new ArrayList<>();
            TreeMap<String, Boolean> paths = new TreeMap<>();
            before.keySet().forEach(p -> paths.put(p, true));
            after.keySet().forEach(p -> paths.put(p, true));
            for (String path : paths.keySet()) {
                SnapshotEntry b = before.get(path);
                SnapshotEntry a = after.get(path);
                if (b == null) {
                    changes.add(new Change("+", path, a.type().name(), 0, a.size()));
                } else if (a == null) {
                    changes.add(new Change("-", path, b.type().name(), b.size(), 0));
                } else if (modified(b, a)) {
                    changes.add(new Change("M", path, a.type().name(), b.size(), a.size()));
                }
            }
            if (json) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("from", from);
                result.put("to", to);
                result.put("changes", changes);
                CliJson.print(out(), result);
            } else {
                changes.forEach(c -> out().println(c.change() + " " + TerminalText.escape(c.path())));
                long added = changes.stream().filter(c -> c.change().equals("+")).count();
                long removed = changes.stream().filter(c -> c.change().equals("-")).count();
                out().printf("%d added, %d removed, %d modified%n", added, removed, changes.size() - added - removed);
            }
        }
        return DrCommand.EXIT_OK;
    }

    private static boolean modified(SnapshotEntry b, SnapshotEntry a) {
        return b.type() != a.type() || b.size() != a.size() || b.mode() != a.mode()
                || !Objects.equals(b.target(), a.target()) || !Objects.equals(b.contentId(), a.contentId());
    }

    private static Map<String, SnapshotEntry> byPath(List<SnapshotEntry> entries) {
        Map<String, SnapshotEntry> map = new LinkedHashMap<>();
        entries.forEach(e -> map.put(e.path(), e));
        return map;
    }
}
