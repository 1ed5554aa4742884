package dev.drkit.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.testkit.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FaultInjectingStoreTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void itFailsAndDelaysAtItsRatesReplayablyBySeed() {
        InMemoryStore real = new InMemoryStore();
        real.put("k", bytes("hello"));
        ManualClock clock = ManualClock.at(T0);
        FaultInjectingStore a = FaultInjectingStore.wrap(real).errors(0.3).latency(Duration.ofSeconds(2), 0.5)
                .latencyOn(clock).seed(7).build();
        FaultInjectingStore b = FaultInjectingStore.wrap(real).errors(0.3).latency(Duration.ofSeconds(2), 0.5)
                .latencyOn(ManualClock.at(Instant.EPOCH)).seed(7).build();
        StringBuilder ra = new StringBuilder();
        StringBuilder rb = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            ra.append(attempt(a));
            rb.append(attempt(b));
        }
        assertThat(ra.toString()).isEqualTo(rb.toString());
        assertThat(a.injectedErrors()).isBetween(30L, 90L);
        assertThat(a.injectedDelays()).isBetween(60L, 140L);
        assertThat(clock.instant()).isEqualTo(T0.plus(Duration.ofSeconds(2 * a.injectedDelays())));
    }

    private static char attempt(SnapshotStore s) {
        try {
            s.get("k");
            return '.';
        } catch (DrException e) {
            return 'x';
        }
    }

    @Test
    void corruptionChangesWhatIsReadButNotWhatIsStored() {
        InMemoryStore real = new InMemoryStore();
        byte[] data = bytes("the orders");
        real.put("k", data);
        FaultInjectingStore s = FaultInjectingStore.wrap(real).corruption(1.0).build();
        assertThat(s.get("k")).isNotEqualTo(data).hasSameSizeAs(data);
        assertThat(real.get("k")).isEqualTo(data);
        assertThat(s.injectedCorruptions()).isEqualTo(1);
    }

    @Test
    void ratesOutsideZeroToOneAreRefusedByName() {
        InMemoryStore real = new InMemoryStore();
        assertThatThrownBy(() -> FaultInjectingStore.wrap(real).errors(1.5)).hasMessageContaining("errorRate must be in [0, 1]");
        assertThatThrownBy(() -> FaultInjectingStore.wrap(real).corruption(-0.1))
                .hasMessageContaining("corruptionRate must be in [0, 1]");
        assertThatThrownBy(() -> FaultInjectingStore.wrap(real).latency(Duration.ofSeconds(-1), 0.5))
                .hasMessageContaining("delay must be >= 0");
    }

    @Test
    void aStoreTakenDownFailsEveryCallUntilBroughtUp() {
        InMemoryStore real = new InMemoryStore();
        real.put("k", bytes("v"));
        FaultInjectingStore s = FaultInjectingStore.wrap(real).build();
        s.takeDown();
        assertThatThrownBy(() -> s.get("k")).isInstanceOfSatisfying(DrException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE)).hasMessageContaining("down");
        assertThatThrownBy(() -> s.put("k2", bytes("v"))).isInstanceOf(DrException.class);
        assertThatThrownBy(() -> s.list("", null, 10)).isInstanceOf(DrException.class);
        assertThat(real.stat("k2")).isEmpty();
        assertThat(s.writes()).as("calls refused while down are not writes").isZero();
        s.bringUp();
        assertThat(s.get("k")).isEqualTo(bytes("v"));
    }

    @Test
    void failWriteAfterFailsExactlyTheChosenWriteBeforeItReachesTheStore() {
        InMemoryStore real = new InMemoryStore();
        FaultInjectingStore s = FaultInjectingStore.wrap(real).build();
        s.put("w/1", bytes("1"));
        s.failWriteAfter(3);
        s.putIfAbsent("w/2", bytes("2"));
        s.get("w/1");
        String etag = s.stat("w/1").orElseThrow().etag();
        assertThat(s.replace("w/1", bytes("1b"), etag)).isPresent();
        assertThatThrownBy(() -> s.put("w/3", bytes("3"))).isInstanceOfSatisfying(DrException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE)).hasMessageContaining("write 4 (put w/3)");
        assertThat(real.stat("w/3")).isEmpty();
        s.put("w/3", bytes("3"));
        assertThat(real.get("w/3")).isEqualTo(bytes("3"));
        assertThat(s.writes()).isEqualTo(5);
        assertThatThrownBy(() -> s.failWriteAfter(0)).hasMessageContaining("n must be >= 1, but was 0");
    }
}
