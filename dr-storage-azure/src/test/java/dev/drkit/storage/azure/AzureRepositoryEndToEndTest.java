package dev.drkit.storage.azure;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.test.fault.FaultProxy;
import dev.drkit.test.store.RepositoryEndToEndContract;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.extension.ExtendWith;

/** The backup engine end to end on an Azure Blob repository served by Azurite. */
@ExtendWith(AzuriteExtension.class)
class AzureRepositoryEndToEndTest extends RepositoryEndToEndContract {
    private final AzuriteServer server;

    AzureRepositoryEndToEndTest(AzuriteServer server) {
        this.server = server;
    }

    @Override
    protected SnapshotStore newStore() {
        return server.newStore();
    }

    @Override
    protected int serverPort() {
        return server.port();
    }

    @Override
    protected SnapshotStore openThrough(FaultProxy proxy, String prefix, int maxAttempts, MeterRegistry registry) {
        return AzureBlobStore.open(server.config(prefix, proxy.port()).maxAttempts(maxAttempts)
                .meterRegistry(registry).build());
    }
}
