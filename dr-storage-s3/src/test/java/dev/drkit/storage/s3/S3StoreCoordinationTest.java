package dev.drkit.storage.s3;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.test.coordination.StoreCoordinationContract;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The store-backed coordinator keeps the coordinator contract on S3 (S3Proxy, in process):
 * leases by {@code If-None-Match} creates and {@code If-Match} replaces.
 */
@ExtendWith(S3ProxyExtension.class)
class S3StoreCoordinationTest extends StoreCoordinationContract {
    private final S3ProxyServer server;

    S3StoreCoordinationTest(S3ProxyServer server) {
        this.server = server;
    }

    @Override
    protected SnapshotStore createStore() {
        return server.newStore();
    }
}
