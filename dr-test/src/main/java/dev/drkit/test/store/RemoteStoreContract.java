package dev.drkit.test.store;

import static dev.drkit.testkit.store.SnapshotStoreContract.bytes;
import static dev.drkit.testkit.store.SnapshotStoreContract.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.health.HealthStatus;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.store.remote.RemoteStoreBuilder;
import dev.drkit.test.fault.FaultProxy;
import dev.drkit.test.server.ExternalServer;
import dev.drkit.testkit.store.SnapshotStoreContract;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Arrays;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Everything a remote store (S3, Azure Blob, ...) keeps against its real server: the
 * {@link SnapshotStoreContract}, the {@link StoreFaultContract} behind a {@link FaultProxy},
 * the {@link RepositoryEndToEndContract}, and what every remote store does besides: chunked
 * parallel uploads (plain, conditional and from part of an array), a missing container named
 * with the way to create it, refused credentials that stay secret, a stopped server that is
 * unavailable until it is back, and a closed store that refuses work.
 *
 * <p>A store module subclasses it once, with the store-specific bits only:
 *
 * <pre>{@code
 * @ExtendWith(MyServerExtension.class)
 * class MyRemoteStoreTest extends RemoteStoreContract<MyStore, MyStoreConfig.Builder> {
 *     MyRemoteStoreTest(MyServer server) { super(server); }
 *     protected String container() { return MyServer.CONTAINER; }
 *     protected MyStoreConfig.Builder config(String container, String prefix, int port) { ... }
 *     protected MyStoreConfig.Builder configWithSecret(String prefix, String secret) { ... }
 *     protected MyStoreConfig.Builder chunked(MyStoreConfig.Builder config, int chunk) { ... }
 *     protected int smallestUploadChunk() { return 1 << 20; }
 *     protected MyStore open(MyStoreConfig.Builder config) { return MyStore.open(config.build()); }
 *     protected boolean createContainerIfMissing(MyStore store) { ... }
 *     protected HealthProbe healthProbe(MyStore store) { return store.healthProbe(); }
 *     protected String storeTag() { return "my"; }
 *     protected String secret() { return MyServer.KEY; }
 * }
 * }</pre>
 *
 * @param <S> the store
 * @param <B> the builder of its configuration
 */
public abstract class RemoteStoreContract<S extends SnapshotStore, B extends RemoteStoreBuilder<B>> {
    private final ExternalServer server;

    /**
     * Runs the contract against a server, which must hold {@link #container()}.
     *
     * @param server the running server, shared by the whole run
     */
    protected RemoteStoreContract(ExternalServer server) {
        this.server = server;
    }

    /**
     * Returns the container (or bucket) the server was started with.
     *
     * @return its name
     */
    protected abstract String container();

    /**
     * Returns a configuration for a prefix of a container on the server, with the server's
     * credentials and quick retries (tens of milliseconds).
     *
     * @param container the container, which may be missing
     * @param prefix the prefix
     * @param port the port to connect to: the server's or a fault proxy's in front of it
     * @return a builder on which the contract may still set the shared settings
     */
    protected abstract B config(String container, String prefix, int port);

    /**
     * Returns a configuration for a prefix of {@link #container()} whose secret (key,
     * password) is the one given, and wrong.
     *
     * @param prefix the prefix
     * @param secret the secret to sign in with
     * @return the builder
     */
    protected abstract B configWithSecret(String prefix, String secret);

    /**
     * Makes a configuration upload objects larger than {@code chunk} in chunks (parts, blocks)
     * of {@code chunk} bytes.
     *
     * @param config the configuration
     * @param chunk at least {@link #smallestUploadChunk()}
     * @return {@code config}
     */
    protected abstract B chunked(B config, int chunk);

    /**
     * Returns the smallest upload chunk (and chunked-upload threshold) the store accepts.
     *
     * @return bytes
     */
    protected abstract int smallestUploadChunk();

    /**
     * Opens a store.
     *
     * @param config the configuration
     * @return the store; the test closes it
     */
    protected abstract S open(B config);

    /**
     * Creates the store's container (or bucket) unless it exists.
     *
     * @param store the store
     * @return true when it was created
     */
    protected abstract boolean createContainerIfMissing(S store);

    /**
     * Returns the store's health probe.
     *
     * @param store the store
     * @return its probe
     */
    protected abstract HealthProbe healthProbe(S store);

    /**
     * Returns the store's {@code store} tag in the {@code dr.store.*} meters.
     *
     * @return the tag
     */
    protected abstract String storeTag();

    /**
     * Returns the secret of the server's credentials, which no error message may show.
     *
     * @return the secret
     */
    protected abstract String secret();

    /**
     * Tells whether rewriting an object with the same bytes gives it a new etag.
     *
     * @return true unless etags are content digests
     * @see SnapshotStoreContract#etagChangesOnIdenticalRewrite()
     */
    protected boolean etagChangesOnIdenticalRewrite() {
        return true;
    }

    /**
     * Opens a fresh, empty store under a prefix of its own in {@link #container()}.
     *
     * @return the store; the test closes it
     */
    protected final S newStore() {
        return open(config(container(), "t-" + UUID.randomUUID(), server.port()));
    }

    private S chunkedStore() {
        int chunk = smallestUploadChunk();
        return open(chunked(config(container(), "chunks-" + UUID.randomUUID(), server.port()), chunk)
                .uploadConcurrency(3));
    }

    @Test
    void largeObjectsGoUpInParallelChunksAndReadBackWholeAndInRanges() {
        int chunk = smallestUploadChunk();
        byte[] data = randomBytes(2 * chunk + chunk / 2 + 17, 1);
        try (S store = chunkedStore()) {
            ObjectInfo info = store.put("data/00/pack", data);

            assertThat(info.size()).isEqualTo(data.length);
            assertThat(store.get("data/00/pack")).isEqualTo(data);
            assertThat(store.stat("data/00/pack").orElseThrow().etag()).isEqualTo(info.etag());
            assertThat(store.get("data/00/pack", chunk - 5, 10))
                    .isEqualTo(Arrays.copyOfRange(data, chunk - 5, chunk + 5));
        }
    }

    @Test
    void conditionalWritesOfLargeObjectsGoUpInChunksConditionally() {
        int chunk = smallestUploadChunk();
        byte[] first = randomBytes(2 * chunk + chunk / 5, 2);
        byte[] next = randomBytes(2 * chunk + chunk / 5, 3);
        try (S store = chunkedStore()) {
            ObjectInfo created = store.putIfAbsent("index/big", first).orElseThrow();
            assertThat(store.putIfAbsent("index/big", next)).isEmpty();

            assertThat(store.replace("index/big", next, "\"0x0\"")).isEmpty();
            ObjectInfo replaced = store.replace("index/big", next, created.etag()).orElseThrow();
            assertThat(replaced.etag()).isNotEqualTo(created.etag());
            assertThat(store.get("index/big")).isEqualTo(next);
        }
    }

    @Test
    void aPutFromPartOfAnArrayUploadsExactlyThatPartAlsoInChunks() {
        int chunk = smallestUploadChunk();
        byte[] data = randomBytes(2 * chunk + chunk / 2 + 40, 4);
        int offset = 13;
        int length = data.length - 40;
        try (S store = chunkedStore()) {
            ObjectInfo info = store.put("data/01/pack", data, offset, length);

            assertThat(info.size()).isEqualTo(length);
            assertThat(store.get("data/01/pack")).isEqualTo(Arrays.copyOfRange(data, offset, offset + length));
        }
    }

    @Test
    void aMissingContainerIsNamedWithTheWayToCreateIt() throws Exception {
        String name = "missing-" + UUID.randomUUID().toString().substring(0, 8);
        try (S missing = open(config(name, "repo", server.port()).maxAttempts(1))) {
            assertThatThrownBy(() -> missing.put("k", bytes("x")),
                    "put(\"k\") into the missing container %s must throw DrException with code NOT_FOUND naming it "
                            + "and dr init", name)
                    .isInstanceOfSatisfying(DrException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
                        assertThat(e.getMessage()).contains(name).contains("dr init");
                    });
            assertThat(healthProbe(missing).check().status()).isEqualTo(HealthStatus.DOWN);

            assertThat(createContainerIfMissing(missing)).isTrue();
            assertThat(createContainerIfMissing(missing)).isFalse();
            missing.put("k", bytes("x"));
            assertThat(missing.get("k")).isEqualTo(bytes("x"));
            assertThat(healthProbe(missing).check().status()).isEqualTo(HealthStatus.UP);
        }
    }

    @Test
    void refusedCredentialsAreAccessDeniedWithoutTheSecret() {
        String wrong = Base64.getEncoder().encodeToString(randomBytes(64, 9));
        try (S denied = open(configWithSecret("denied-" + UUID.randomUUID(), wrong).maxAttempts(1))) {
            assertThatThrownBy(() -> denied.put("k", bytes("x")),
                    "put(\"k\") with refused credentials must throw DrException with code ACCESS_DENIED without "
                            + "the secret")
                    .isInstanceOfSatisfying(DrException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.ACCESS_DENIED);
                        assertThat(e.getMessage()).doesNotContain(wrong);
                    });
        }
    }

    @Test
    void aStoppedServerIsUnavailableAndWorkResumesWhenItIsBack() throws Exception {
        try (S store = open(config(container(), "restart-" + UUID.randomUUID(), server.port()).maxAttempts(2))) {
            store.put("before", bytes("1"));
            server.stop();
            try {
                assertThatThrownBy(() -> store.get("before"),
                        "get(\"before\") with the server stopped must throw DrException with code UNAVAILABLE")
                        .isInstanceOfSatisfying(DrException.class,
                                e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
                assertThat(healthProbe(store).check().status()).isEqualTo(HealthStatus.DOWN);
            } finally {
                server.restart();
            }
            assertThat(store.get("before")).isEqualTo(bytes("1"));
            store.put("after", bytes("2"));
            assertThat(healthProbe(store).check().status()).isEqualTo(HealthStatus.UP);
        }
    }

    @Test
    void aClosedStoreRefusesWork() {
        S store = newStore();
        store.close();
        store.close();

        assertThatThrownBy(() -> store.get("k"),
                "get(\"k\") on a closed store must throw DrException with code ILLEGAL_STATE")
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ILLEGAL_STATE));
        assertThatThrownBy(() -> store.stat("k"),
                "stat(\"k\") on a closed store must throw DrException with code ILLEGAL_STATE")
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ILLEGAL_STATE));
    }

    /** The {@link SnapshotStoreContract} on fresh prefixes of the server. */
    @Nested
    class Contract extends SnapshotStoreContract {
        @Override
        protected SnapshotStore createStore() {
            return newStore();
        }

        @Override
        protected boolean etagChangesOnIdenticalRewrite() {
            return RemoteStoreContract.this.etagChangesOnIdenticalRewrite();
        }

        @Override
        protected int propertyExamples() {
            return 25;
        }
    }

    /** The {@link StoreFaultContract} through a fault proxy in front of the server. */
    @Nested
    class Faults extends StoreFaultContract {
        @Override
        protected int serverPort() {
            return server.port();
        }

        @Override
        protected SnapshotStore open(FaultProxy proxy, MeterRegistry registry, Settings settings) {
            B config = config(container(), "f-" + UUID.randomUUID(), proxy.port()).meterRegistry(registry);
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
                chunked(config, settings.uploadChunk()).uploadConcurrency(1);
            }
            return RemoteStoreContract.this.open(config);
        }

        @Override
        @SuppressWarnings("unchecked")
        protected HealthProbe healthProbe(SnapshotStore store) {
            return RemoteStoreContract.this.healthProbe((S) store);
        }

        @Override
        protected String storeTag() {
            return RemoteStoreContract.this.storeTag();
        }

        @Override
        protected int smallestUploadChunk() {
            return RemoteStoreContract.this.smallestUploadChunk();
        }

        @Override
        protected String secret() {
            return RemoteStoreContract.this.secret();
        }
    }

    /** The {@link RepositoryEndToEndContract} on the server, directly and through fault proxies. */
    @Nested
    class EndToEnd extends RepositoryEndToEndContract {
        @Override
        protected SnapshotStore newStore() {
            return RemoteStoreContract.this.newStore();
        }

        @Override
        protected int serverPort() {
            return server.port();
        }

        @Override
        protected SnapshotStore openThrough(FaultProxy proxy, String prefix, int maxAttempts, MeterRegistry registry) {
            return open(config(container(), prefix, proxy.port()).maxAttempts(maxAttempts).meterRegistry(registry));
        }
    }
}
