package dev.drkit.storage.s3;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.test.fault.FaultProxy;
import dev.drkit.test.store.RepositoryEndToEndContract;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.extension.ExtendWith;

/** The backup engine end to end on an S3 repository served by S3Proxy. */
@ExtendWith(S3ProxyExtension.class)
class S3RepositoryEndToEndTest extends RepositoryEndToEndContract {
    private final S3ProxyServer server;

    S3RepositoryEndToEndTest(S3ProxyServer server) {
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
        return S3Store.open(server.config(S3ProxyServer.BUCKET, prefix, proxy.endpoint()).maxAttempts(maxAttempts)
                .meterRegistry(registry).build());
    }
}
