package dev.drkit.cli;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryStats;
import picocli.CommandLine.Command;

/** {@code dr stats}: how much the repository holds and how well it deduplicates and compresses. */
@Command(name = "stats", mixinStandardHelpOptions = true,
        description = "Show the repository's snapshots, packs, blobs and stored against raw bytes.")
final class StatsCommand extends RepositoryCommand {
    @Override
    int run(SnapshotStore store) {
        try (Repository repo = open(store)) {
            RepositoryStats s = repo.stats();
            if (json) {
                CliJson.print(out(), s);
            } else {
                out().printf("%s, %s, %s: %s of content stored in %s (%.2fx)%n", Counts.of(s.snapshots(), "snapshot"),
                        Counts.of(s.packs(), "pack"), Counts.of(s.blobs(), "blob"), size(s.rawBytes()), size(s.storedBytes()),
                        s.storedBytes() == 0 ? 1.0 : (double) s.rawBytes() / s.storedBytes());
            }
        }
        return DrCommand.EXIT_OK;
    }
}
