package dev.drkit.storage.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.SnapshotStoreProvider;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(AzuriteExtension.class)
class AzureStoreTest {
    private final AzuriteServer server;
    private AzureBlobStore store;

    AzureStoreTest(AzuriteServer server) {
        this.server = server;
    }

    @BeforeEach
    void open() {
        store = server.newStore();
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void anEndpointWithASharedKeyWorksLikeAConnectionString() {
        AzureBlobStoreConfig config = AzureBlobStoreConfig.fromUri(URI.create("azblob://" + AzuriteServer.CONTAINER
                + "/key-" + UUID.randomUUID() + "?endpoint=" + server.endpoint()),
                Map.of("AZURE_STORAGE_KEY", AzuriteServer.KEY));
        try (AzureBlobStore keyed = AzureBlobStore.open(config)) {
            keyed.put("hello", bytes("world"));
            assertThat(keyed.get("hello")).isEqualTo(bytes("world"));
            assertThat(keyed.describe()).doesNotContain(AzuriteServer.KEY);
        }
    }

    @Test
    void anUnknownHostIsAConfigurationErrorNamingIt() {
        AzureBlobStoreConfig config = AzureBlobStoreConfig.fromUri(URI.create("azblob://" + AzuriteServer.CONTAINER
                + "/uh?maxAttempts=5&endpoint=http://locahlost.invalid:10000/devstoreaccount1"),
                Map.of("AZURE_STORAGE_KEY", AzuriteServer.KEY));
        try (AzureBlobStore misspelt = AzureBlobStore.open(config)) {
            assertThatThrownBy(() -> misspelt.get("k"))
                    .isInstanceOfSatisfying(DrException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
                        assertThat(e.getMessage()).contains("Unknown host").contains("locahlost.invalid");
                    });
        }
    }

    @Test
    void aRefusedConnectionNamesTheAddress() throws Exception {
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        AzureBlobStoreConfig config = AzureBlobStoreConfig.fromUri(URI.create("azblob://" + AzuriteServer.CONTAINER
                + "/cr?maxAttempts=1&endpoint=http://127.0.0.1:" + port + "/devstoreaccount1"),
                Map.of("AZURE_STORAGE_KEY", AzuriteServer.KEY));
        try (AzureBlobStore closed = AzureBlobStore.open(config)) {
            assertThatThrownBy(() -> closed.get("k"))
                    .isInstanceOfSatisfying(DrException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                        assertThat(e.getMessage()).containsIgnoringCase("connection refused")
                                .endsWith("127.0.0.1:" + port);
                    });
        }
    }

    @Test
    void theServiceLoaderFindsTheAzblobScheme() {
        SnapshotStoreProvider provider = ServiceLoader.load(SnapshotStoreProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.schemes().contains("azblob"))
                .findFirst().orElseThrow();

        assertThat(provider).isInstanceOf(AzureSnapshotStoreProvider.class);
    }

    @Test
    void onlyOneProcessHoldsALeaseUntilItIsReleased() {
        try (AzureBlobStore other = AzureBlobStore.open(server.config(store.config().prefix()).build())) {
            BlobLease leader = store.tryAcquireLease("leases/compactor", Duration.ofSeconds(15)).orElseThrow();

            assertThat(other.tryAcquireLease("leases/compactor", Duration.ofSeconds(15))).isEmpty();
            assertThat(leader.renew()).isTrue();
            assertThat(leader.write(bytes("node-a term 1"))).isPresent();
            assertThat(other.get("leases/compactor")).isEqualTo(bytes("node-a term 1"));
            assertThatThrownBy(() -> other.put("leases/compactor", bytes("usurper")))
                    .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LOCKED));

            leader.release();
            assertThat(leader.renew()).isFalse();
            assertThat(leader.write(bytes("late"))).isEmpty();
            try (BlobLease next = other.tryAcquireLease("leases/compactor", Duration.ofSeconds(15)).orElseThrow()) {
                assertThat(next.leaseId()).isNotBlank();
                assertThat(store.tryAcquireLease("leases/compactor", Duration.ofSeconds(15))).isEmpty();
            }
            Optional<BlobLease> again = store.tryAcquireLease("leases/compactor", Duration.ofSeconds(20));
            assertThat(again).isPresent();
            again.get().close();
        }
    }

    @Test
    void leaseDurationsOutsideWhatAzureAllowsAreRefused() {
        assertThatThrownBy(() -> store.tryAcquireLease("leases/x", Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.getMessage())
                        .isEqualTo("duration must be between 15 and 60 seconds, but was PT5S"));
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
