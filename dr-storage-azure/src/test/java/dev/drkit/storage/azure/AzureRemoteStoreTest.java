package dev.drkit.storage.azure;

import dev.drkit.api.health.HealthProbe;
import dev.drkit.test.store.RemoteStoreContract;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Azure Blob store keeps the remote store contract (store contract, faults, end to end)
 * against a real server: Azurite, a child process.
 */
@ExtendWith(AzuriteExtension.class)
class AzureRemoteStoreTest extends RemoteStoreContract<AzureBlobStore, AzureBlobStoreConfig.Builder> {
    private final AzuriteServer server;

    AzureRemoteStoreTest(AzuriteServer server) {
        super(server);
        this.server = server;
    }

    @Override
    protected String container() {
        return AzuriteServer.CONTAINER;
    }

    @Override
    protected AzureBlobStoreConfig.Builder config(String container, String prefix, int port) {
        return server.config(container, prefix, port);
    }

    @Override
    protected AzureBlobStoreConfig.Builder configWithSecret(String prefix, String secret) {
        return AzureBlobStoreConfig.builder(AzuriteServer.CONTAINER).prefix(prefix).endpoint(server.endpoint())
                .sharedKey(AzuriteServer.ACCOUNT, secret);
    }

    @Override
    protected AzureBlobStoreConfig.Builder chunked(AzureBlobStoreConfig.Builder config, int chunk) {
        return config.singleUploadThreshold(chunk).blockSize(chunk);
    }

    /** The smallest threshold above which blobs go up in blocks. */
    @Override
    protected int smallestUploadChunk() {
        return 1 << 20;
    }

    @Override
    protected AzureBlobStore open(AzureBlobStoreConfig.Builder config) {
        return AzureBlobStore.open(config.build());
    }

    @Override
    protected boolean createContainerIfMissing(AzureBlobStore store) {
        return store.createContainerIfMissing();
    }

    @Override
    protected HealthProbe healthProbe(AzureBlobStore store) {
        return store.healthProbe();
    }

    @Override
    protected String storeTag() {
        return "azblob";
    }

    @Override
    protected String secret() {
        return AzuriteServer.KEY;
    }
}
