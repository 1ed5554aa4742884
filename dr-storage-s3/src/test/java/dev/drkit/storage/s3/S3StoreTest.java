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
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;

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
                    + server.endpoint() + "&region=us-east-1&pathStyle=true");
        } finally {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
        }
    }

    @Test
    void missingCredentialsAreAConfigurationErrorThatIsNotRetried() {
        AtomicInteger asked = new AtomicInteger();
        AwsCredentialsProvider none = () -> {
            asked.incrementAndGet();
            throw SdkClientException.create("Unable to load credentials from any of the providers in the chain");
        };
        try (S3Store noCredentials = S3Store.open(S3StoreConfig.builder(S3ProxyServer.BUCKET).prefix("nc")
                .endpoint(server.endpoint()).region("us-east-1").pathStyle(true).credentials(none)
                .maxAttempts(5).build())) {
            assertThatThrownBy(() -> noCredentials.get("k"))
                    .isInstanceOfSatisfying(DrException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
                        assertThat(e.getMessage()).contains("Unable to load credentials")
                                .contains("AWS_ACCESS_KEY_ID").contains("&pathStyle=true");
                    });
            assertThat(asked).hasValueLessThan(5);
        }
    }

    @Test
    void anUnknownHostIsAConfigurationErrorNamingIt() {
        try (S3Store misspelt = S3Store.open(server.config(S3ProxyServer.BUCKET, "uh",
                URI.create("http://locahlost.invalid:9000")).maxAttempts(5).build())) {
            assertThatThrownBy(() -> misspelt.get("k"))
                    .isInstanceOfSatisfying(DrException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
                        assertThat(e.getMessage()).contains("Unknown host 'locahlost.invalid'");
                    });
        }
    }

    @Test
    void aRefusedConnectionIsRetriedAndNamedEvenOnceTheBreakerOpens() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (S3Store closed = S3Store.open(server.config(S3ProxyServer.BUCKET, "cr",
                URI.create("http://127.0.0.1:" + port)).maxAttempts(2)
                .circuitBreaker(CircuitBreakerConfig.custom().slidingWindowSize(2).minimumNumberOfCalls(2).build())
                .build())) {
            for (int i = 0; i < 3; i++) {
                assertThatThrownBy(() -> closed.get("k"))
                        .isInstanceOfSatisfying(DrException.class, e -> {
                            assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                            assertThat(e.getMessage()).contains("127.0.0.1:" + port).contains("Connection refused");
                        });
            }
            assertThat(closed.healthProbe().check().status()).isNotEqualTo(HealthStatus.UP);
        }
    }

    @Test
    void anObjectListedWithoutAnETagIsAnErrorNamingItsKey() throws Exception {
        store.put("a", bytes("with"));
        // A file put beside the server's (S3SemanticsBlobStore's suffix included) has no ETag, listed or not.
        Path file = server.directory().resolve(S3ProxyServer.BUCKET).resolve(store.config().prefix())
                .resolve("b\u0001");
        Files.write(file, bytes("written around the server"));

        assertThatThrownBy(() -> store.list("", null, 100))
                .isInstanceOfSatisfying(DrException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.IO_FAILURE);
                    assertThat(e.getMessage()).contains("list of 'b'").contains("without an ETag");
                });
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
