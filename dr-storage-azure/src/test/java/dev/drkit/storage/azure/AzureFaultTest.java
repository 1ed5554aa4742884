package dev.drkit.storage.azure;

import static dev.drkit.storage.azure.AzureStoreTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.health.HealthStatus;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.test.fault.FaultProxy;
import dev.drkit.test.store.StoreFaultContract;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The store against a real Azurite behind a proxy that injects faults. */
@ExtendWith(AzuriteExtension.class)
class AzureFaultTest extends StoreFaultContract {
    private final AzuriteServer server;

    AzureFaultTest(AzuriteServer server) {
        this.server = server;
    }

    @Override
    protected int serverPort() {
        return server.port();
    }

    @Override
    protected SnapshotStore open(FaultProxy proxy, MeterRegistry registry, Settings settings) {
        AzureBlobStoreConfig.Builder config = server.config("f-" + UUID.randomUUID(), proxy.port())
                .meterRegistry(registry);
        if (settings.maxAttempts() > 0) {
            config.maxAttempts(settings.maxAttempts());
        }
        if (settings.attemptTimeout() != null) {
            config.attemptTimeout(settings.attemptTimeout());
        }
        if (settings.breaker() != null) {
            config.circuitBreaker(settings.breaker());
        }
        if (settings.uploadChunk() > 0) {
            config.singleUploadThreshold(settings.uploadChunk()).blockSize(settings.uploadChunk()).uploadConcurrency(1);
        }
        return AzureBlobStore.open(config.build());
    }

    @Override
    protected HealthProbe healthProbe(SnapshotStore store) {
        return ((AzureBlobStore) store).healthProbe();
    }

    @Override
    protected String storeTag() {
        return "azblob";
    }

    @Override
    protected int smallestUploadChunk() {
        return 1 << 20;
    }

    @Override
    protected String secret() {
        return AzuriteServer.KEY;
    }

    @Test
    void aStoppedServerIsUnavailableAndWorkResumesWhenItIsBack() throws Exception {
        try (AzureBlobStore store = AzureBlobStore.open(server.config("restart-" + UUID.randomUUID())
                .maxAttempts(2).build())) {
            store.put("before", bytes("1"));
            server.stop();
            try {
                assertThatThrownBy(() -> store.get("before"))
                        .isInstanceOfSatisfying(DrException.class,
                                e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
                assertThat(store.healthProbe().check().status()).isEqualTo(HealthStatus.DOWN);
            } finally {
                server.restart();
            }
            assertThat(store.get("before")).isEqualTo(bytes("1"));
            store.put("after", bytes("2"));
            assertThat(store.healthProbe().check().status()).isEqualTo(HealthStatus.UP);
        }
    }
}
