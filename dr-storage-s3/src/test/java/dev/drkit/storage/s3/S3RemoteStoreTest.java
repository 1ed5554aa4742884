package dev.drkit.storage.s3;

import dev.drkit.api.health.HealthProbe;
import dev.drkit.test.store.RemoteStoreContract;
import java.net.URI;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The S3 store keeps the remote store contract (store contract, faults, end to end) against a
 * real S3 server: S3Proxy, in process.
 */
@ExtendWith(S3ProxyExtension.class)
class S3RemoteStoreTest extends RemoteStoreContract<S3Store, S3StoreConfig.Builder> {
    private final S3ProxyServer server;

    S3RemoteStoreTest(S3ProxyServer server) {
        super(server);
        this.server = server;
    }

    @Override
    protected String container() {
        return S3ProxyServer.BUCKET;
    }

    @Override
    protected S3StoreConfig.Builder config(String bucket, String prefix, int port) {
        return server.config(bucket, prefix, URI.create("http://127.0.0.1:" + port));
    }

    @Override
    protected S3StoreConfig.Builder configWithSecret(String prefix, String secret) {
        return server.config(S3ProxyServer.BUCKET, prefix, server.endpoint(), secret);
    }

    @Override
    protected S3StoreConfig.Builder chunked(S3StoreConfig.Builder config, int chunk) {
        return config.multipartThreshold(chunk).partSize(chunk);
    }

    /** S3's smallest part. */
    @Override
    protected int smallestUploadChunk() {
        return S3StoreConfig.MIN_PART_SIZE;
    }

    @Override
    protected S3Store open(S3StoreConfig.Builder config) {
        return S3Store.open(config.build());
    }

    @Override
    protected boolean createContainerIfMissing(S3Store store) {
        return store.createBucketIfMissing();
    }

    @Override
    protected HealthProbe healthProbe(S3Store store) {
        return store.healthProbe();
    }

    @Override
    protected String storeTag() {
        return "s3";
    }

    @Override
    protected String secret() {
        return S3ProxyServer.SECRET_KEY;
    }

    /** S3 etags of single-part objects are the MD5 of their bytes. */
    @Override
    protected boolean etagChangesOnIdenticalRewrite() {
        return false;
    }
}
