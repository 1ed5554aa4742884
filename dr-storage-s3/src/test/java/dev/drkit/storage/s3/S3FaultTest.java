package dev.drkit.storage.s3;

import dev.drkit.test.fault.FaultProxy;
import static dev.drkit.storage.s3.S3StoreTest.bytes;
import static dev.drkit.storage.s3.S3StoreTest.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.health.HealthStatus;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The store against a real S3Proxy behind a proxy that injects faults. */
@ExtendWith(S3ProxyExtension.class)
class S3FaultTest {
    private final S3ProxyServer server;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private FaultProxy proxy;

    S3FaultTest(S3ProxyServer server) {
        this.server = server;
    }

    @BeforeEach
    void startProxy() throws Exception {
        proxy = new FaultProxy(server.port());
    }

    @AfterEach
    void stopProxy() {
        proxy.close();
    }

    private S3StoreConfig.Builder config() {
        return server.config(S3ProxyServer.BUCKET, "f-" + UUID.randomUUID(), proxy.endpoint()).meterRegistry(registry);
    }

    private double requests(String operation, String outcome) {
        var counter = registry.find("dr.store.requests")
                .tags("store", "s3", "operation", operation, "outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void injected503sAreRetriedUntilTheWriteGoesThroughAndAreCounted() {
        try (S3Store store = S3Store.open(config().maxAttempts(8).build())) {
            proxy.failNext(3);
            store.put("snapshots/1", bytes("manifest"));

            proxy.failNext(2);
            assertThat(store.get("snapshots/1")).isEqualTo(bytes("manifest"));
            assertThat(proxy.injected()).isEqualTo(5);
            assertThat(requests("put", "unavailable") + requests("get", "unavailable")).isGreaterThanOrEqualTo(5);
            assertThat(requests("put", "success")).isEqualTo(1);
            assertThat(registry.find("dr.store.retries").tags("operation", "put").counter().count())
                    .isGreaterThanOrEqualTo(3);
            assertThat(registry.find("dr.store.request.duration").tags("operation", "get").timers().stream()
                    .mapToLong(io.micrometer.core.instrument.Timer::count).sum()).isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void slowResponsesTimeOutAndTheRetryCompletes() {
        try (S3Store store = S3Store.open(config().attemptTimeout(Duration.ofMillis(700)).build())) {
            store.put("k", bytes("v"));
            proxy.delayNext(2, Duration.ofMillis(1500));

            assertThat(store.get("k")).isEqualTo(bytes("v"));
            assertThat(requests("get", "unavailable")).isGreaterThanOrEqualTo(1);
            assertThat(requests("get", "success")).isEqualTo(1);
        }
    }

    @Test
    void aServerLostInTheMiddleOfAnUploadFailsCleanlyAndARetrySucceeds() {
        byte[] data = random(15 << 20, 7);
        try (S3Store store = S3Store.open(config().maxAttempts(2).multipartThreshold(5 << 20).partSize(5 << 20)
                .uploadConcurrency(1).build())) {
            proxy.cutAfter(7 << 20);

            assertThatThrownBy(() -> store.putIfAbsent("data/pack", data))
                    .isInstanceOfSatisfying(DrException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                        assertThat(e.getMessage()).doesNotContain(S3ProxyServer.SECRET_KEY);
                    });
            proxy.up();
            assertThat(store.stat("data/pack")).as("no partial object is visible").isEmpty();

            assertThat(store.putIfAbsent("data/pack", data)).isPresent();
            assertThat(store.get("data/pack")).isEqualTo(data);
        }
    }

    @Test
    void aReadIntoAnArrayWhoseAnswerFailedOrWasLostFillsItOnTheRetry() {
        byte[] data = random(3 << 20, 9);
        try (S3Store store = S3Store.open(config().build())) {
            store.put("data/pack", data);
            byte[] into = new byte[(1 << 20) + 8];
            proxy.failNext(1);
            assertThat(store.read("data/pack", 4096, into, 8, 1 << 20)).isEqualTo(1 << 20);
            assertThat(Arrays.copyOfRange(into, 8, into.length))
                    .isEqualTo(Arrays.copyOfRange(data, 4096, 4096 + (1 << 20)));

            Arrays.fill(into, (byte) 0);
            proxy.loseNextAnswers(1);
            assertThat(store.read("data/pack", data.length - 100, into, 0, into.length)).isEqualTo(100);
            assertThat(Arrays.copyOf(into, 100)).isEqualTo(Arrays.copyOfRange(data, data.length - 100, data.length));
            assertThat(proxy.injected()).isEqualTo(2);
            assertThat(requests("getRange", "success")).isEqualTo(2);
        }
    }

    @Test
    void aPutFromPartOfAnArrayWhoseAnswerWasLostSendsThatPartAgain() {
        byte[] data = random(3 << 20, 8);
        try (S3Store store = S3Store.open(config().build())) {
            proxy.loseNextAnswers(1);
            store.put("data/pack", data, 1000, data.length - 2000);

            assertThat(store.get("data/pack")).isEqualTo(Arrays.copyOfRange(data, 1000, data.length - 1000));
            assertThat(proxy.injected()).isEqualTo(1);
            assertThat(requests("put", "success")).isEqualTo(1);
        }
    }

    @Test
    void aStoppedServerIsUnavailableAndWorkResumesWhenItIsBack() throws Exception {
        try (S3ProxyServer own = S3ProxyServer.start();
                S3Store store = S3Store.open(own.config(S3ProxyServer.BUCKET, "restart").maxAttempts(2).build())) {
            store.put("before", bytes("1"));
            own.stop();

            assertThatThrownBy(() -> store.get("before"))
                    .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
            assertThat(store.healthProbe().check().status()).isEqualTo(HealthStatus.DOWN);

            own.restart();
            assertThat(store.get("before")).isEqualTo(bytes("1"));
            store.put("after", bytes("2"));
            assertThat(store.healthProbe().check().status()).isEqualTo(HealthStatus.UP);
        }
    }

    @Test
    void theBreakerOpensAfterRepeatedFailuresAndTheProbeSaysDown() throws Exception {
        CircuitBreakerConfig breaker = CircuitBreakerConfig.custom()
                .slidingWindowSize(4).minimumNumberOfCalls(4).failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofMinutes(1)).build();
        try (S3Store store = S3Store.open(config().maxAttempts(2).circuitBreaker(breaker).build())) {
            proxy.down();
            for (int i = 0; i < 2; i++) {
                assertThatThrownBy(() -> store.get("k")).isInstanceOf(DrException.class);
            }

            assertThatThrownBy(() -> store.get("k"))
                    .isInstanceOfSatisfying(DrException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                        assertThat(e.getMessage()).contains("circuit breaker is open");
                    });
            assertThat(requests("get", "circuit-open")).isEqualTo(1);
            assertThat(store.healthProbe().check().status()).isEqualTo(HealthStatus.DOWN);
        }
    }
    @Test
    void aConditionalWriteWhoseAnswerWasLostIsStillReportedAsOurs() {
        try (S3Store store = S3Store.open(config().build())) {
            proxy.loseNextAnswers(1);
            assertThat(store.putIfAbsent("snapshots/lost", bytes("mine"))).as("created, though the answer was lost")
                    .isPresent();
            assertThat(store.putIfAbsent("snapshots/lost", bytes("mine"))).as("a second create loses").isEmpty();

            String etag = store.stat("snapshots/lost").orElseThrow().etag();
            proxy.loseNextAnswers(1);
            assertThat(store.replace("snapshots/lost", bytes("mine, updated"), etag)).isPresent();
            assertThat(store.get("snapshots/lost")).isEqualTo(bytes("mine, updated"));
            assertThat(proxy.injected()).isEqualTo(2);
        }
    }
    @Test
    void pooledConnectionsClosedByTheServerUseUpNoAttempts() throws Exception {
        try (S3Store store = S3Store.open(config().maxAttempts(1).build())) {
            store.put("k", bytes("v"));
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
            try {
                java.util.List<java.util.concurrent.Callable<byte[]>> reads = new java.util.ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    reads.add(() -> store.get("k"));
                }
                for (var read : pool.invokeAll(reads)) {
                    assertThat(read.get()).isEqualTo(bytes("v"));
                }
            } finally {
                pool.shutdownNow();
            }
            proxy.dropConnections();

            assertThat(store.get("k")).isEqualTo(bytes("v"));
            assertThat(store.stat("k")).isPresent();
            assertThat(requests("get", "unavailable") + requests("stat", "unavailable")).isZero();
        }
    }
}
