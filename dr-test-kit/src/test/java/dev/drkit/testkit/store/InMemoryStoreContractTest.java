package dev.drkit.testkit.store;

import dev.drkit.api.store.SnapshotStore;

/** The kit's in-memory store keeps the store contract. */
class InMemoryStoreContractTest extends SnapshotStoreContract {
    @Override
    protected SnapshotStore createStore() {
        return new InMemoryStore();
    }
}
