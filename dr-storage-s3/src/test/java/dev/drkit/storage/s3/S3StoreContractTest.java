package dev.drkit.storage.s3;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.testkit.store.SnapshotStoreContract;
import org.junit.jupiter.api.extension.ExtendWith;

/** The S3 store keeps the store contract against a real S3 server (S3Proxy, in process). */
@ExtendWith(S3ProxyExtension.class)
class S3StoreContractTest extends SnapshotStoreContract {
    private final S3ProxyServer server;

    S3StoreContractTest(S3ProxyServer server) {
        this.server = server;
    }

    @Override
    protected SnapshotStore createStore() {
        return server.newStore();
    }

    /** S3 etags of single-part objects are the MD5 of their bytes. */
    @Override
    protected boolean etagChangesOnIdenticalRewrite() {
        return false;
    }

    @Override
    protected int propertyExamples() {
        return 25;
    }
}
