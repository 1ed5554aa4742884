package dev.drkit.testkit.store;

import dev.drkit.api.store.SnapshotStore;

/** A fault-injecting wrapper told to inject nothing keeps the store contract: it forwards every call faithfully. */
class FaultInjectingStoreContractTest extends SnapshotStoreContract {
    @Override
    protected SnapshotStore createStore() {
        return FaultInjectingStore.wrap(new InMemoryStore()).build();
    }
}
