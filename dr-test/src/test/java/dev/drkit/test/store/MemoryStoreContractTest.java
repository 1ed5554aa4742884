package dev.drkit.test.store;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.store.SnapshotStores;

/** The {@code mem:} store keeps the store contract. */
class MemoryStoreContractTest extends SnapshotStoreContract {
    @Override
    protected SnapshotStore createStore() {
        return SnapshotStores.open("mem:contract");
    }
}
