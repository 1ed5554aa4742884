package dev.drkit.test.coordination;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.store.SnapshotStores;

/** The store-backed coordinator keeps the coordinator contract on the {@code mem:} store. */
class MemoryStoreCoordinationTest extends StoreCoordinationContract {
    @Override
    protected SnapshotStore createStore() {
        return SnapshotStores.memory();
    }
}
