package dev.drkit.core.store;

import dev.drkit.api.store.SnapshotStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A child process for the cross-process race: tries to create one key and says whether it won. */
public final class PutIfAbsentChild {
    private PutIfAbsentChild() {
    }

    /**
     * Races for a key.
     *
     * @param args root directory, key, writer name
     */
    public static void main(String[] args) {
        try (SnapshotStore store = SnapshotStores.file(Path.of(args[0]))) {
            boolean won = store.putIfAbsent(args[1], args[2].getBytes(StandardCharsets.UTF_8)).isPresent();
            System.out.println(args[2] + (won ? " won" : " lost"));
        }
    }
}
