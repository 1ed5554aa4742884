package dev.drkit.storage.s3;

import static dev.drkit.storage.s3.S3StoreTest.bytes;
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

/** The store against a real S3Proxy behind a proxy that injects faults. */
@ExtendWith(S3ProxyExtension.class)
class S3FaultTest extends StoreFaultContract {
    private final S3ProxyServer server;

    S3FaultTest(S3ProxyServer server) {
        this.server = server;
    }

    @Override
    protected int serverPort() {
        return server.port();
    }

    @Override
    protected SnapshotStore open(FaultProxy proxy, MeterRegistry registry, Settings settings) {
        S3StoreConfig.Builder config = server.config(S3ProxyServer.BUCKET, "f-" + UUID.randomUUID(), proxy.endpoint())
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
            config.multipartThreshold(settings.uploadChunk()).partSize(settings.uploadChunk()).uploadConcurrency(1);
        }
        return S3Store.open(config.build());
    }

    @Override
    protected HealthProbe healthProbe(SnapshotStore store) {
        return ((S3Store) store).healthProbe();
    }

    @Override
    protected String storeTag() {
        return "s3";
    }

    @Override
    protected int smallestUploadChunk() {
        return 5 << 20; // S3's smallest part
    }

    @Override
    protected String secret() {
        return S3ProxyServer.SECRET_KEY;
    }

    @Test
    void aStoppedServerIsUnavailableAndWorkResumesWhenItIsBack() throws Exception {
        try (S3ProxyServer own = S3ProxyServer.start();
                S3Store store = S3Store.open(own.config(S3ProxyServer.BUCKET, "restart").maxAttempts(2).build())) {
            store.put("before", bytes("1"));
            own.stop();

            assertThatThrownBy(() -> store.get("before"))
                    .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
            assertThat(store.healthProbe().check().status()).isEqualTo(HealthStatus.DOWN);

            own.restart();
            assertThat(store.get("before")).isEqualTo(bytes("1"));
            store.put("after", bytes("2"));
            assertThat(store.healthProbe().check().status()).isEqualTo(HealthStatus.UP);
        }
    }
}
