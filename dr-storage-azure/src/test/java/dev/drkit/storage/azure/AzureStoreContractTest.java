package dev.drkit.storage.azure;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.testkit.store.SnapshotStoreContract;
import org.junit.jupiter.api.extension.ExtendWith;

/** The Azure Blob store keeps the store contract against a real server (Azurite, a child process). */
@ExtendWith(AzuriteExtension.class)
class AzureStoreContractTest extends SnapshotStoreContract {
    private final AzuriteServer server;

    AzureStoreContractTest(AzuriteServer server) {
        this.server = server;
    }

    @Override
    protected SnapshotStore createStore() {
        return server.newStore();
    }

    @Override
    protected int propertyExamples() {
        return 25;
    }
}
