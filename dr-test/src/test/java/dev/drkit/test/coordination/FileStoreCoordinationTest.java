package dev.drkit.test.coordination;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.store.SnapshotStores;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.io.TempDir;

/** The store-backed coordinator keeps the coordinator contract on the {@code file:} store. */
class FileStoreCoordinationTest extends StoreCoordinationContract {
    @TempDir
    static Path base;

    @Override
    protected SnapshotStore createStore() {
        return SnapshotStores.file(base.resolve(UUID.randomUUID().toString()));
    }
}
