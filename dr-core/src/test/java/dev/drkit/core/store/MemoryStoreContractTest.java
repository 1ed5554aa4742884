package dev.drkit.core.store;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.testkit.store.SnapshotStoreContract;

/** The {@code mem:} store keeps the store contract. */
class MemoryStoreContractTest extends SnapshotStoreContract {
    @Override
    protected SnapshotStore createStore() {
        return SnapshotStores.open("mem:contract");
    }
}
