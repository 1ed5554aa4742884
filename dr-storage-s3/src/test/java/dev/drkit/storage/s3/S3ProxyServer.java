package dev.drkit.storage.s3;

import dev.drkit.test.server.ExternalServer;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.UUID;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * A real S3 server for the tests: S3Proxy in this JVM, on a free loopback port, keeping its
 * objects in a directory under {@code target/tmp} so that they survive a stop and start, with
 * {@link S3SemanticsBlobStore} giving its file-system back end the key space and atomic
 * conditional writes of S3 itself.
 */
public final class S3ProxyServer extends ExternalServer {
    /** The access key the server accepts. */
    public static final String ACCESS_KEY = "dr-test-access";
    /** The secret key the server accepts. */
    public static final String SECRET_KEY = "dr-test-secret-" + UUID.randomUUID();
    /** The bucket every test store lives in, each under a prefix of its own. */
    public static final String BUCKET = "dr-tests";

    private final boolean honourConditions;
    private S3Proxy proxy;

    private S3ProxyServer(boolean honourConditions) throws IOException {
        super("s3proxy");
        this.honourConditions = honourConditions;
    }

    /**
     * Starts a server with the test bucket.
     *
     * @return the running server
     * @throws Exception when it cannot start
     */
    public static S3ProxyServer start() throws Exception {
        return start(true);
    }

    /**
     * Starts a server with the test bucket that, when asked, ignores conditional writes as
     * some S3-compatible servers do.
     *
     * @param honourConditions false for a server that drops If-None-Match and If-Match
     * @return the running server
     * @throws Exception when it cannot start
     */
    public static S3ProxyServer start(boolean honourConditions) throws Exception {
        S3ProxyServer server = new S3ProxyServer(honourConditions);
        server.launch();
        try (S3Store store = S3Store.open(server.config(BUCKET, "").build())) {
            store.createBucketIfMissing();
        }
        return server;
    }

    @Override
    protected void launch() throws Exception {
        BlobStore backend = new S3SemanticsBlobStore(new FilesystemNio2BlobStore(directory().toString()));
        proxy = S3Proxy.builder()
                .blobStore(honourConditions ? backend : new ConditionsIgnoringBlobStore(backend))
                .endpoint(endpoint())
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        proxy.start();
        awaitReady("S3Proxy", Duration.ofSeconds(30), () -> "STARTED".equals(proxy.getState()));
    }

    @Override
    public void stop() throws Exception {
        proxy.stop();
    }

    /**
     * Returns the server's endpoint.
     *
     * @return such as {@code http://127.0.0.1:43121}
     */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port());
    }

    /**
     * Returns a store configuration for this server, with quick retries for tests.
     *
     * @param bucket the bucket
     * @param prefix the prefix, possibly empty
     * @return a builder with endpoint, region, path style and credentials set
     */
    public S3StoreConfig.Builder config(String bucket, String prefix) {
        return config(bucket, prefix, endpoint());
    }

    /**
     * Returns a store configuration for another endpoint in front of this server.
     *
     * @param bucket the bucket
     * @param prefix the prefix, possibly empty
     * @param endpoint the endpoint, such as a fault-injecting proxy's
     * @return a builder with endpoint, region, path style and credentials set
     */
    public S3StoreConfig.Builder config(String bucket, String prefix, URI endpoint) {
        return config(bucket, prefix, endpoint, SECRET_KEY);
    }

    /**
     * Returns a store configuration that signs in with the given secret key.
     *
     * @param bucket the bucket
     * @param prefix the prefix, possibly empty
     * @param endpoint the endpoint
     * @param secretKey the secret key, right or wrong
     * @return a builder with endpoint, region, path style and credentials set
     */
    public S3StoreConfig.Builder config(String bucket, String prefix, URI endpoint, String secretKey) {
        return S3StoreConfig.builder(bucket).prefix(prefix)
                .endpoint(endpoint)
                .region("us-east-1")
                .pathStyle(true)
                .credentials(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, secretKey)))
                .initialBackoff(Duration.ofMillis(20))
                .maxBackoff(Duration.ofMillis(200));
    }

    /**
     * Opens a fresh, empty store under a prefix of its own in the test bucket.
     *
     * @return the store
     */
    public S3Store newStore() {
        return S3Store.open(config(BUCKET, "t-" + UUID.randomUUID()).build());
    }
}
