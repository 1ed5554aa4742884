package dev.drkit.core.repository;

import dev.drkit.api.backup.BackupKind;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.core.store.SnapshotStores;
import java.nio.file.Path;

/** Backs up a directory again and again until killed; run in a child JVM by {@link CrashConsistencyTest}. */
public final class CrashChild {
    private CrashChild() {
    }

    /**
     * Runs the backups.
     *
     * @param args the repository directory and the source directory
     */
    public static void main(String[] args) {
        try (SnapshotStore store = SnapshotStores.file(Path.of(args[0]));
                Repository repo = Repository.open(store, CrashConsistencyTest.PASSWORD,
                        RepositoryTest.fastOptions().build())) {
            System.out.println("started");
            System.out.flush();
            for (int i = 0; ; i++) {
                repo.backup(BackupRequest.builder().source(DirectorySource.of("src", Path.of(args[1])))
                        .kind(BackupKind.FULL).tags("child-" + i).build());
            }
        }
    }
}
