package dev.drkit.test.store;

import static dev.drkit.testkit.store.SnapshotStoreContract.bytes;
import static dev.drkit.testkit.store.SnapshotStoreContract.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.health.HealthStatus;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.test.fault.FaultProxy;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A remote store against its real server behind a {@link FaultProxy}: 503 answers and slow
 * responses are retried and counted, a server lost in the middle of an upload leaves nothing
 * visible, lost answers of reads and conditional writes are handled, the circuit breaker opens,
 * and connections the server closed cost no attempt. A store module subclasses it:
 *
 * <pre>{@code
 * class MyStoreFaultTest extends StoreFaultContract {
 *     protected int serverPort() { ... }
 *     protected SnapshotStore open(FaultProxy proxy, MeterRegistry registry, Settings settings) { ... }
 *     protected HealthProbe healthProbe(SnapshotStore store) { ... }
 *     protected String storeTag() { return "my"; }
 *     protected int smallestUploadChunk() { return 1 << 20; }
 *     protected String secret() { ... }
 * }
 * }</pre>
 */
public abstract class StoreFaultContract {
    /** The proxy in front of the server, new for each test. */
    protected FaultProxy proxy;

    /** Where the store's {@code dr.store.*} meters go, new for each test. */
    protected final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    /**
     * What a test asks of the store; zero or null leaves the store's default.
     *
     * @param maxAttempts how many times a request is tried in all
     * @param attemptTimeout how long one attempt may take
     * @param breaker the circuit breaker's configuration
     * @param uploadChunk upload in chunks (parts, blocks) of this size, one at a time, above it
     */
    protected record Settings(int maxAttempts, @Nullable Duration attemptTimeout,
            @Nullable CircuitBreakerConfig breaker, int uploadChunk) {
        /** The store's defaults. */
        public static final Settings DEFAULTS = new Settings(0, null, null, 0);

        /** Returns these with another attempt count. @param n attempts @return the settings */
        public Settings attempts(int n) {
            return new Settings(n, attemptTimeout, breaker, uploadChunk);
        }

        /** Returns these with another attempt timeout. @param timeout the timeout @return the settings */
        public Settings timeout(Duration timeout) {
            return new Settings(maxAttempts, timeout, breaker, uploadChunk);
        }

        /** Returns these with a circuit breaker. @param config the breaker @return the settings */
        public Settings circuitBreaker(CircuitBreakerConfig config) {
            return new Settings(maxAttempts, attemptTimeout, config, uploadChunk);
        }

        /** Returns these with chunked uploads. @param size the chunk size @return the settings */
        public Settings chunks(int size) {
            return new Settings(maxAttempts, attemptTimeout, breaker, size);
        }
    }

    /**
     * Returns the server's loopback port.
     *
     * @return the port
     */
    protected abstract int serverPort();

    /**
     * Opens a store on a fresh prefix of the server, through the proxy.
     *
     * @param proxy the proxy
     * @param registry where its meters go
     * @param settings what the test asks of it
     * @return the store; the test closes it
     */
    protected abstract SnapshotStore open(FaultProxy proxy, MeterRegistry registry, Settings settings);

    /**
     * Returns the store's health probe.
     *
     * @param store a store from {@link #open}
     * @return its probe
     */
    protected abstract HealthProbe healthProbe(SnapshotStore store);

    /**
     * Returns the store's {@code store} tag in the {@code dr.store.*} meters.
     *
     * @return the tag
     */
    protected abstract String storeTag();

    /**
     * Returns the smallest upload chunk the store accepts; an upload of three is cut in the
     * second.
     *
     * @return bytes
     */
    protected abstract int smallestUploadChunk();

    /**
     * Returns a secret of the store's configuration, which no error message may show.
     *
     * @return the secret
     */
    protected abstract String secret();

    @BeforeEach
    void startProxy() throws IOException {
        proxy = new FaultProxy(serverPort());
    }

    @AfterEach
    void stopProxy() {
        proxy.close();
    }

    private SnapshotStore open(Settings settings) {
        return open(proxy, registry, settings);
    }

    private double requests(String operation, String outcome) {
        var counter = registry.find("dr.store.requests")
                .tags("store", storeTag(), "operation", operation, "outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void injected503sAreRetriedUntilTheWriteGoesThroughAndAreCounted() {
        try (SnapshotStore store = open(Settings.DEFAULTS.attempts(8))) {
            proxy.failNext(3);
            store.put("snapshots/1", bytes("manifest"));

            proxy.failNext(2);
            assertThat(store.get("snapshots/1")).isEqualTo(bytes("manifest"));
            assertThat(proxy.injected()).isEqualTo(5);
            assertThat(requests("put", "unavailable") + requests("get", "unavailable")).isGreaterThanOrEqualTo(5);
            assertThat(requests("put", "success")).isEqualTo(1);
            assertThat(registry.find("dr.store.retries").tags("store", storeTag(), "operation", "put").counter().count())
                    .isGreaterThanOrEqualTo(3);
            assertThat(registry.find("dr.store.request.duration").tags("store", storeTag(), "operation", "get")
                    .timers().stream().mapToLong(Timer::count).sum()).isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void slowResponsesTimeOutAndTheRetryCompletes() {
        try (SnapshotStore store = open(Settings.DEFAULTS.timeout(Duration.ofMillis(700)))) {
            store.put("k", bytes("v"));
            proxy.delayNext(2, Duration.ofMillis(1500));

            assertThat(store.get("k")).isEqualTo(bytes("v"));
            assertThat(requests("get", "unavailable")).isGreaterThanOrEqualTo(1);
            assertThat(requests("get", "success")).isEqualTo(1);
        }
    }

    @Test
    void aServerLostInTheMiddleOfAnUploadFailsCleanlyAndARetrySucceeds() {
        int chunk = smallestUploadChunk();
        byte[] data = randomBytes(3 * chunk, 7);
        try (SnapshotStore store = open(Settings.DEFAULTS.attempts(2).chunks(chunk))) {
            proxy.cutAfter(chunk * 7L / 5);

            assertThatThrownBy(() -> store.putIfAbsent("data/pack", data),
                    "putIfAbsent(\"data/pack\") with the server lost mid-upload must throw DrException with "
                            + "code UNAVAILABLE and no secret in its message")
                    .isInstanceOfSatisfying(DrException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                        assertThat(e.getMessage()).doesNotContain(secret());
                    });
            proxy.up();
            assertThat(store.stat("data/pack")).as("no partial object is visible").isEmpty();

            assertThat(store.putIfAbsent("data/pack", data)).isPresent();
            assertThat(store.get("data/pack")).isEqualTo(data);
        }
    }

    @Test
    void aReadIntoAnArrayWhoseAnswerFailedOrWasLostFillsItOnTheRetry() {
        byte[] data = randomBytes(3 << 20, 9);
        try (SnapshotStore store = open(Settings.DEFAULTS)) {
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
        byte[] data = randomBytes(3 << 20, 8);
        try (SnapshotStore store = open(Settings.DEFAULTS)) {
            proxy.loseNextAnswers(1);
            store.put("data/pack", data, 1000, data.length - 2000);

            assertThat(store.get("data/pack")).isEqualTo(Arrays.copyOfRange(data, 1000, data.length - 1000));
            assertThat(proxy.injected()).isEqualTo(1);
            assertThat(requests("put", "success")).isEqualTo(1);
        }
    }

    @Test
    void theBreakerOpensAfterRepeatedFailuresAndTheProbeSaysDown() throws Exception {
        CircuitBreakerConfig breaker = CircuitBreakerConfig.custom()
                .slidingWindowSize(4).minimumNumberOfCalls(4).failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofMinutes(1)).build();
        try (SnapshotStore store = open(Settings.DEFAULTS.attempts(2).circuitBreaker(breaker))) {
            proxy.down();
            // The breaker counts calls, each once after all its attempts: four failed calls open it.
            for (int i = 0; i < 4; i++) {
                assertThatThrownBy(() -> store.get("k"),
                        "get(\"k\") number %d with the server down must throw DrException with code UNAVAILABLE", i + 1)
                        .isInstanceOfSatisfying(DrException.class,
                                e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
            }

            assertThatThrownBy(() -> store.get("k"),
                    "get(\"k\") after repeated failures must throw DrException with code UNAVAILABLE saying "
                            + "the circuit breaker is open")
                    .isInstanceOfSatisfying(DrException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                        assertThat(e.getMessage()).contains("circuit breaker is open").contains("; the last: ");
                        assertThat(e.getCause()).as("the last real failure").isInstanceOf(DrException.class);
                    });
            assertThat(requests("get", "circuit-open")).isEqualTo(1);
            assertThat(healthProbe(store).check().status()).isEqualTo(HealthStatus.DOWN);
        }
    }

    @Test
    void aConditionalWriteWhoseAnswerWasLostIsStillReportedAsOurs() {
        try (SnapshotStore store = open(Settings.DEFAULTS)) {
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
        try (SnapshotStore store = open(Settings.DEFAULTS.attempts(1))) {
            store.put("k", bytes("v"));
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Callable<byte[]>> reads = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    reads.add(() -> store.get("k"));
                }
                for (Future<byte[]> read : pool.invokeAll(reads)) {
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
