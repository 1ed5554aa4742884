package dev.drkit.storage.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.health.HealthStatus;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStoreProvider;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
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

    private AzureBlobStore blockStore() {
        return AzureBlobStore.open(server.config("blocks-" + UUID.randomUUID())
                .singleUploadThreshold(1 << 20).blockSize(256 << 10).uploadConcurrency(4).build());
    }

    @Test
    void uploadsLargeBlobsAsParallelBlocksAndReadsThemBack() {
        byte[] data = random((3 << 20) + 11, 1);
        try (AzureBlobStore blocks = blockStore()) {
            ObjectInfo info = blocks.put("data/00/pack", data);

            assertThat(info.size()).isEqualTo(data.length);
            assertThat(blocks.get("data/00/pack")).isEqualTo(data);
            assertThat(blocks.stat("data/00/pack").orElseThrow().etag()).isEqualTo(info.etag());
            assertThat(blocks.get("data/00/pack", 1 << 20, 100))
                    .isEqualTo(Arrays.copyOfRange(data, 1 << 20, (1 << 20) + 100));
        }
    }

    @Test
    void conditionalWritesOfLargeBlobsCommitTheirBlocksConditionally() {
        byte[] first = random(2 << 20, 2);
        byte[] second = random(2 << 20, 3);
        try (AzureBlobStore blocks = blockStore()) {
            ObjectInfo created = blocks.putIfAbsent("index/big", first).orElseThrow();
            assertThat(blocks.putIfAbsent("index/big", second)).isEmpty();

            assertThat(blocks.replace("index/big", second, "\"0x0\"")).isEmpty();
            ObjectInfo replaced = blocks.replace("index/big", second, created.etag()).orElseThrow();
            assertThat(replaced.etag()).isNotEqualTo(created.etag());
            assertThat(blocks.get("index/big")).isEqualTo(second);
        }
    }

    @Test
    void aPutFromPartOfAnArrayUploadsExactlyThatPartAlsoInBlocks() {
        byte[] data = random((3 << 20) + 40, 4);
        int offset = 13;
        int length = data.length - 40;
        try (AzureBlobStore blocks = blockStore()) {
            ObjectInfo info = blocks.put("data/01/pack", data, offset, length);

            assertThat(info.size()).isEqualTo(length);
            assertThat(blocks.get("data/01/pack")).isEqualTo(Arrays.copyOfRange(data, offset, offset + length));
        }
    }

    @Test
    void aMissingContainerIsNamedWithTheWayToCreateIt() throws Exception {
        String name = "missing-" + UUID.randomUUID().toString().substring(0, 8);
        AzureBlobStoreConfig config = AzureBlobStoreConfig.builder(name).prefix("repo")
                .connectionString(AzuriteServer.connectionString(server.port())).maxAttempts(1).build();
        try (AzureBlobStore missing = AzureBlobStore.open(config)) {
            assertThatThrownBy(() -> missing.put("k", bytes("x")))
                    .isInstanceOfSatisfying(DrException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
                        assertThat(e.getMessage()).contains(name).contains("dr init");
                    });
            assertThat(missing.healthProbe().check().status()).isEqualTo(HealthStatus.DOWN);

            assertThat(missing.createContainerIfMissing()).isTrue();
            assertThat(missing.createContainerIfMissing()).isFalse();
            missing.put("k", bytes("x"));
            assertThat(missing.get("k")).isEqualTo(bytes("x"));
            assertThat(missing.healthProbe().check().status()).isEqualTo(HealthStatus.UP);
        }
    }

    @Test
    void aWrongAccountKeyIsAccessDeniedWithoutTheKey() {
        String wrongKey = java.util.Base64.getEncoder().encodeToString(random(64, 9));
        AzureBlobStoreConfig config = AzureBlobStoreConfig.builder(AzuriteServer.CONTAINER).prefix("denied")
                .endpoint(server.endpoint()).sharedKey(AzuriteServer.ACCOUNT, wrongKey).maxAttempts(1).build();
        try (AzureBlobStore denied = AzureBlobStore.open(config)) {
            assertThatThrownBy(() -> denied.put("k", bytes("x")))
                    .isInstanceOfSatisfying(DrException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.ACCESS_DENIED);
                        assertThat(e.getMessage()).doesNotContain(wrongKey);
                    });
        }
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

    @Test
    void aClosedStoreRefusesWork() {
        store.close();
        store.close();

        assertThatThrownBy(() -> store.stat("k"))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ILLEGAL_STATE));
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }
}
