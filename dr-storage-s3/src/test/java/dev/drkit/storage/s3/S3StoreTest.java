package dev.drkit.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.health.HealthStatus;
import dev.drkit.api.health.ProbeResult;
import dev.drkit.api.store.ListPage;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.api.store.SnapshotStoreProvider;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

@ExtendWith(S3ProxyExtension.class)
class S3StoreTest {
    private final S3ProxyServer server;
    private S3Store store;

    S3StoreTest(S3ProxyServer server) {
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
    void storesAndReadsBackAnObject() {
        ObjectInfo written = store.put("snapshots/a", bytes("hello"));

        assertThat(store.get("snapshots/a")).isEqualTo(bytes("hello"));
        ObjectInfo stat = store.stat("snapshots/a").orElseThrow();
        assertThat(stat.size()).isEqualTo(5);
        assertThat(stat.etag()).isEqualTo(written.etag());
        assertThat(store.stat("snapshots/b")).isEmpty();
    }

    @Test
    void uploadsLargeObjectsInParallelPartsAndReadsThemBackWhole() {
        byte[] data = random(12 * 1024 * 1024 + 17, 1);
        try (S3Store multipart = S3Store.open(server.config(S3ProxyServer.BUCKET, "mp-" + UUID.randomUUID())
                .multipartThreshold(5 << 20).partSize(5 << 20).uploadConcurrency(3).build())) {
            ObjectInfo info = multipart.put("data/00/pack", data);

            assertThat(info.size()).isEqualTo(data.length);
            assertThat(multipart.get("data/00/pack")).isEqualTo(data);
            assertThat(multipart.stat("data/00/pack").orElseThrow().etag()).isEqualTo(info.etag());
            assertThat(multipart.get("data/00/pack", 5 << 20, 10))
                    .isEqualTo(java.util.Arrays.copyOfRange(data, 5 << 20, (5 << 20) + 10));
        }
    }

    @Test
    void conditionalWritesOfLargeObjectsUseTheMultipartPath() {
        byte[] data = random(11 << 20, 2);
        try (S3Store multipart = S3Store.open(server.config(S3ProxyServer.BUCKET, "mp-" + UUID.randomUUID())
                .multipartThreshold(5 << 20).partSize(5 << 20).build())) {
            ObjectInfo first = multipart.putIfAbsent("index/big", data).orElseThrow();
            assertThat(multipart.putIfAbsent("index/big", data)).isEmpty();

            byte[] next = random(11 << 20, 3);
            assertThat(multipart.replace("index/big", next, "\"stale\"")).isEmpty();
            ObjectInfo replaced = multipart.replace("index/big", next, first.etag()).orElseThrow();
            assertThat(replaced.etag()).isNotEqualTo(first.etag());
            assertThat(multipart.get("index/big")).isEqualTo(next);
        }
    }

    @Test
    void aPutFromPartOfAnArrayUploadsExactlyThatPartAlsoInParts() {
        byte[] data = random((12 << 20) + 40, 4);
        int offset = 13;
        int length = data.length - 40;
        try (S3Store multipart = S3Store.open(server.config(S3ProxyServer.BUCKET, "mp-" + UUID.randomUUID())
                .multipartThreshold(5 << 20).partSize(5 << 20).uploadConcurrency(3).build())) {
            ObjectInfo info = multipart.put("data/01/pack", data, offset, length);

            assertThat(info.size()).isEqualTo(length);
            assertThat(multipart.get("data/01/pack"))
                    .isEqualTo(java.util.Arrays.copyOfRange(data, offset, offset + length));
        }
    }

    @Test
    void readsRangesAndAnEmptyArrayPastTheEnd() {
        store.put("k", bytes("0123456789"));

        assertThat(store.get("k", 2, 3)).isEqualTo(bytes("234"));
        assertThat(store.get("k", 8, 100)).isEqualTo(bytes("89"));
        assertThat(store.get("k", 10, 5)).isEmpty();
        assertThat(store.get("k", 50, 5)).isEmpty();
        assertThat(store.get("k", 3, 0)).isEmpty();
        assertThatThrownBy(() -> store.get("missing", 0, 4))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThatThrownBy(() -> store.get("k", -1, 4))
                .isInstanceOfSatisfying(DrException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    }

    @Test
    void exactlyOneOfManyRacingWritersCreatesAKey() throws Exception {
        int writers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Callable<Optional<ObjectInfo>>> tasks = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                byte[] content = bytes("writer-" + i);
                tasks.add(() -> store.putIfAbsent("locks/exclusive", content));
            }
            List<Optional<ObjectInfo>> results = new ArrayList<>();
            for (Future<Optional<ObjectInfo>> f : pool.invokeAll(tasks)) {
                results.add(f.get());
            }

            assertThat(results).filteredOn(Optional::isPresent).hasSize(1);
            ObjectInfo winner = results.stream().flatMap(Optional::stream).findFirst().orElseThrow();
            assertThat(store.stat("locks/exclusive").orElseThrow().etag()).isEqualTo(winner.etag());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void replaceWritesOnlyOverTheExpectedVersion() {
        ObjectInfo v1 = store.put("config", bytes("v1"));
        ObjectInfo v2 = store.replace("config", bytes("v2"), v1.etag()).orElseThrow();

        assertThat(store.replace("config", bytes("v3"), v1.etag())).isEmpty();
        assertThat(store.get("config")).isEqualTo(bytes("v2"));
        assertThat(store.replace("absent", bytes("x"), v2.etag())).isEmpty();
        assertThat(store.stat("absent")).isEmpty();
    }

    @Test
    void listsPagesInAscendingKeyOrderAndOnlyUnderItsPrefix() {
        try (S3Store neighbour = S3Store.open(server.config(S3ProxyServer.BUCKET,
                store.config().prefix() + "x").build())) {
            neighbour.put("data/zz", bytes("not mine"));
            for (String key : List.of("data/c", "data/a", "data/e", "data/b", "data/d", "index/1")) {
                store.put(key, bytes(key));
            }

            List<String> keys = new ArrayList<>();
            String token = null;
            int pages = 0;
            do {
                ListPage page = store.list("data/", token, 2);
                page.objects().forEach(o -> keys.add(o.key()));
                token = page.nextToken();
                pages++;
            } while (token != null);

            assertThat(keys).containsExactly("data/a", "data/b", "data/c", "data/d", "data/e");
            assertThat(pages).isGreaterThanOrEqualTo(3);
            assertThat(store.list("").map(ObjectInfo::key).toList()).hasSize(6).isSorted();
            assertThat(store.list("data/c").map(ObjectInfo::key).toList()).containsExactly("data/c");
        }
    }

    @Test
    void deletingTwiceIsFine() {
        store.put("k", bytes("x"));
        store.delete("k");
        store.delete("k");

        assertThat(store.stat("k")).isEmpty();
        assertThatThrownBy(() -> store.get("k"))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }

    @Test
    void aMissingBucketIsNamedWithTheWayToCreateIt() throws Exception {
        String bucket = "missing-" + UUID.randomUUID().toString().substring(0, 8);
        try (S3Store missing = S3Store.open(server.config(bucket, "repo").maxAttempts(1).build())) {
            assertThatThrownBy(() -> missing.put("k", bytes("x")))
                    .isInstanceOfSatisfying(DrException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
                        assertThat(e.getMessage()).contains(bucket).contains("dr init");
                    });
            assertThat(missing.healthProbe().check().status()).isEqualTo(HealthStatus.DOWN);

            assertThat(missing.createBucketIfMissing()).isTrue();
            assertThat(missing.createBucketIfMissing()).isFalse();
            missing.put("k", bytes("x"));
            assertThat(missing.get("k")).isEqualTo(bytes("x"));
            assertThat(missing.healthProbe().check().status()).isEqualTo(HealthStatus.UP);
        }
    }

    @Test
    void refusedCredentialsAreAccessDeniedWithoutTheSecret() {
        S3StoreConfig config = S3StoreConfig.builder(S3ProxyServer.BUCKET).prefix("denied")
                .endpoint(server.endpoint()).region("us-east-1").pathStyle(true)
                .credentials(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        S3ProxyServer.ACCESS_KEY, "wrong-secret-value")))
                .build();
        try (S3Store denied = S3Store.open(config)) {
            assertThatThrownBy(() -> denied.put("k", bytes("x")))
                    .isInstanceOfSatisfying(DrException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.ACCESS_DENIED);
                        assertThat(e.getMessage()).doesNotContain("wrong-secret-value");
                    });
        }
    }

    @Test
    void conditionalWritesAreVerifiedOnAServerThatHonoursThem() {
        store.verifyConditionalWrites();

        assertThat(store.list("").toList()).as("the probe object is gone").isEmpty();
    }

    @Test
    void aServerThatIgnoresConditionalWritesIsCaught() throws Exception {
        try (S3ProxyServer careless = S3ProxyServer.start(false);
                S3Store store = S3Store.open(careless.config(S3ProxyServer.BUCKET, "p").build())) {
            assertThatThrownBy(store::verifyConditionalWrites)
                    .isInstanceOfSatisfying(DrException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED);
                        assertThat(e.getMessage()).contains("ignores If-None-Match");
                    });
            assertThat(store.list("").toList()).isEmpty();
        }
    }

    @Test
    void healthProbeIsUpForAReachableBucket() throws Exception {
        ProbeResult result = store.healthProbe().check();

        assertThat(result.status()).isEqualTo(HealthStatus.UP);
        assertThat(store.healthProbe().name()).isEqualTo("store:" + store.describe());
    }

    @Test
    void serviceLoaderOpensS3UrisWithCredentialsFromTheDefaultChain() {
        String prefix = "sl-" + UUID.randomUUID();
        URI uri = URI.create("s3://" + S3ProxyServer.BUCKET + "/" + prefix + "?endpoint=" + server.endpoint()
                + "&region=us-east-1&pathStyle=true&maxAttempts=2");
        SnapshotStoreProvider provider = ServiceLoader.load(SnapshotStoreProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.schemes().contains("s3"))
                .findFirst().orElseThrow();
        System.setProperty("aws.accessKeyId", S3ProxyServer.ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", S3ProxyServer.SECRET_KEY);
        try (SnapshotStore opened = provider.open(uri)) {
            opened.put("hello", bytes("world"));

            assertThat(opened.get("hello")).isEqualTo(bytes("world"));
            assertThat(opened.describe()).isEqualTo("s3://" + S3ProxyServer.BUCKET + "/" + prefix + "?endpoint="
                    + server.endpoint());
        } finally {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
        }
    }

    @Test
    void aClosedStoreRefusesWork() {
        store.close();
        store.close();

        assertThatThrownBy(() -> store.get("k"))
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
