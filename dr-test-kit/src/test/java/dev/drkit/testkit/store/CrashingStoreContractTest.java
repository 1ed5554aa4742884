package dev.drkit.testkit.store;

import dev.drkit.api.store.SnapshotStore;

/** A crashing wrapper whose process never stops keeps the store contract: it forwards every call faithfully. */
class CrashingStoreContractTest extends SnapshotStoreContract {
    @Override
    protected SnapshotStore createStore() {
        return new CrashingStore(new InMemoryStore(), CrashPoint.never());
    }
}
