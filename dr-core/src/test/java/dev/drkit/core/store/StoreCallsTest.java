package dev.drkit.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class StoreCallsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final StoreCalls calls = new StoreCalls("test", "test://store", 1, Duration.ofMillis(1),
            Duration.ofMillis(2), CircuitBreakerConfig.ofDefaults(), registry);

    private static DrException unavailable(Throwable cause) {
        return new DrException(ErrorCode.UNAVAILABLE, "request failed", "k", cause);
    }

    private double requests(String outcome) {
        var counter = registry.find("dr.store.requests").tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    @DisplayName("connections closed before use are skipped without using up the only attempt")
    void closedConnectionsUseUpNoAttempt() {
        Throwable[] closed = {
            new SocketException("Broken pipe"),
            new SocketException("Connection reset"),
            new IOException("Error while acquiring from reactor.netty.internal.shaded.reactor.pool.SimpleDequePool@1"),
        };
        AtomicInteger attempts = new AtomicInteger();
        String result = calls.call("get", n -> {
            int i = attempts.getAndIncrement();
            if (i < closed.length) {
                throw unavailable(closed[i]);
            }
            return "v" + n;
        });
        assertThat(result).isEqualTo("v4");
        assertThat(requests("connection-closed")).isEqualTo(3);
        assertThat(requests("success")).isEqualTo(1);
    }

    @Test
    @DisplayName("other transient failures use up attempts, and the last one is thrown")
    void otherFailuresUseUpAttempts() {
        DrException refused = unavailable(new java.net.ConnectException("Connection refused"));
        assertThatThrownBy(() -> calls.call("get", n -> {
            throw refused;
        })).isSameAs(refused);
        assertThat(requests("connection-closed")).isZero();
    }

    @Test
    @DisplayName("an open breaker does not cut short the attempts of a call it let through")
    void theBreakerDoesNotCutShortACallsAttempts() {
        StoreCalls patient = new StoreCalls("test", "test://store", 10, Duration.ofMillis(1), Duration.ofMillis(2),
                CircuitBreakerConfig.custom().slidingWindowSize(2).minimumNumberOfCalls(2).build(), registry);
        AtomicInteger attempts = new AtomicInteger();
        String result = patient.call("get", n -> {
            if (attempts.incrementAndGet() < 8) {
                throw unavailable(new java.net.ConnectException("Connection refused"));
            }
            return "v" + n;
        });
        assertThat(result).isEqualTo("v8");
        assertThat(patient.breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    @DisplayName("a call the open breaker refuses carries the last real failure")
    void theOpenBreakerNamesTheLastFailure() {
        StoreCalls calls = new StoreCalls("test", "test://store", 2, Duration.ofMillis(1), Duration.ofMillis(2),
                CircuitBreakerConfig.custom().slidingWindowSize(2).minimumNumberOfCalls(2).build(), registry);
        DrException refused = new DrException(ErrorCode.UNAVAILABLE, "Could not get test://store: connection "
                + "refused to 127.0.0.1:45418", "k", new java.net.ConnectException("Connection refused"));
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> calls.call("get", n -> {
                throw refused;
            })).isSameAs(refused);
        }
        assertThat(calls.breaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThatThrownBy(() -> calls.call("get", n -> "never"))
                .isInstanceOfSatisfying(DrException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                    assertThat(e.getMessage()).contains("circuit breaker is open")
                            .contains("connection refused to 127.0.0.1:45418");
                    assertThat(e.getCause()).isSameAs(refused);
                });
        assertThat(requests("circuit-open")).isEqualTo(1);
    }
}
