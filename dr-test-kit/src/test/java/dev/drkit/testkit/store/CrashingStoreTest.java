package dev.drkit.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CrashingStoreTest {
    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aCrashBeforeAMutationLeavesItUnmadeAndRefusesEveryCallAfter() {
        InMemoryStore real = new InMemoryStore();
        CrashPoint point = CrashPoint.beforeMutation(3);
        CrashingStore store = new CrashingStore(real, point);
        store.put("a", bytes("1"));
        store.putIfAbsent("b", bytes("2"));
        assertThat(store.get("a")).isEqualTo(bytes("1"));
        assertThatThrownBy(() -> store.delete("a")).isInstanceOf(SimulatedCrash.class)
                .hasMessageContaining("before mutation 3: delete a");
        assertThat(point.crashed()).isTrue();
        assertThat(real.keys("")).containsExactly("a", "b");
        assertThatThrownBy(() -> store.get("a")).isInstanceOf(SimulatedCrash.class);
        assertThatThrownBy(() -> store.stat("a")).isInstanceOf(SimulatedCrash.class);
        assertThatThrownBy(() -> store.list("").toList()).isInstanceOf(SimulatedCrash.class);
        assertThatThrownBy(() -> store.put("c", bytes("3"))).isInstanceOf(SimulatedCrash.class);
        assertThat(real.keys("")).containsExactly("a", "b");
        assertThat(point.mutations()).isEqualTo(3);
    }

    @Test
    void aCrashAfterAMutationMakesItAndThenStops() {
        InMemoryStore real = new InMemoryStore();
        real.put("a", bytes("old"));
        String etag = real.stat("a").orElseThrow().etag();
        CrashPoint point = CrashPoint.afterMutation(1);
        CrashingStore store = new CrashingStore(real, point);
        assertThatThrownBy(() -> store.replace("a", bytes("new"), etag)).isInstanceOf(SimulatedCrash.class)
                .hasMessageContaining("after mutation 1: replace a");
        assertThat(real.get("a")).isEqualTo(bytes("new"));
        assertThatThrownBy(() -> store.putIfAbsent("b", bytes("2"))).isInstanceOf(SimulatedCrash.class);
        assertThat(real.keys("")).containsExactly("a");
    }

    @Test
    void storesSharingAPointCountTheirMutationsTogether() {
        InMemoryStore first = new InMemoryStore();
        InMemoryStore second = new InMemoryStore();
        CrashPoint point = CrashPoint.beforeMutation(2);
        CrashingStore a = new CrashingStore(first, point);
        CrashingStore b = new CrashingStore(second, point);
        a.put("x", bytes("1"));
        assertThatThrownBy(() -> b.put("y", bytes("2"))).isInstanceOf(SimulatedCrash.class);
        assertThatThrownBy(() -> a.get("x")).isInstanceOf(SimulatedCrash.class);
        assertThat(second.keys("")).isEmpty();
    }

    @Test
    void aPointThatNeverStopsCountsMutationsOnly() {
        CrashPoint point = CrashPoint.never();
        CrashingStore store = new CrashingStore(new InMemoryStore(), point);
        store.put("a", bytes("1"));
        store.get("a");
        store.list("").toList();
        store.delete("a");
        assertThat(point.mutations()).isEqualTo(2);
        assertThat(point.crashed()).isFalse();
        assertThatThrownBy(() -> CrashPoint.beforeMutation(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mutation must be >= 1, but was 0");
    }
}
