package dev.drkit.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.testkit.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InMemoryStoreTest {
    static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void itCountsTheWritesThatChangedItAndTheRangedReads() {
        InMemoryStore store = new InMemoryStore();
        ObjectInfo a = store.put("a", bytes("1"));
        store.putIfAbsent("a", bytes("lost"));
        store.putIfAbsent("b", bytes("2"));
        store.replace("a", bytes("stale"), "no-such-etag");
        store.replace("a", bytes("3"), a.etag());
        assertThat(store.writes()).isEqualTo(3);

        store.get("a");
        store.get("b", 0, 100);
        store.get("b", 5, 7);
        assertThat(store.rangedReads()).isEqualTo(2);
        assertThat(store.rangedBytesAsked()).isEqualTo(107);
    }

    @Test
    void objectsDescribesWhatIsStoredAndIsEqualWhileNothingChanges() {
        InMemoryStore store = new InMemoryStore();
        store.put("data/1", bytes("one"));
        store.put("index/1", bytes("i"));
        store.put("data/2", bytes("two!"));
        Map<String, ObjectInfo> before = store.objects();
        assertThat(before.keySet()).containsExactly("data/1", "data/2", "index/1");
        assertThat(store.keys("data/")).containsExactly("data/1", "data/2");
        assertThat(store.totalBytes()).isEqualTo(8);
        store.get("data/1");
        assertThat(store.objects()).isEqualTo(before);
        store.put("data/1", bytes("one"));
        assertThat(store.objects()).isNotEqualTo(before);
    }

    @Test
    void aFlippedByteChangesTheContentAndTheEtagButNotTheTime() {
        ManualClock clock = ManualClock.at(T0);
        InMemoryStore store = new InMemoryStore("mem:flip", clock);
        ObjectInfo written = store.put("k", bytes("abc"));
        clock.advance(Duration.ofHours(1));
        store.flipByte("k", 1);
        assertThat(store.get("k")).isNotEqualTo(bytes("abc")).hasSize(3).startsWith(bytes("a")).endsWith(bytes("c"));
        ObjectInfo flipped = store.stat("k").orElseThrow();
        assertThat(flipped.etag()).isNotEqualTo(written.etag());
        assertThat(flipped.lastModified()).isEqualTo(T0);
        assertThatThrownBy(() -> store.flipByte("k", 3)).isInstanceOf(DrException.class)
                .hasMessageContaining("offset must be in [0, 3), but was 3");
        assertThatThrownBy(() -> store.flipByte("missing", 0)).isInstanceOfSatisfying(DrException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }

    @Test
    void modificationTimesComeFromItsClockAndThePreferredReadSizeIsSettable() {
        InMemoryStore store = new InMemoryStore("mem:t", ManualClock.at(T0));
        assertThat(store.put("a", bytes("x")).lastModified()).isEqualTo(T0);
        store.setClock(ManualClock.at(T0.plusSeconds(60)));
        assertThat(store.put("b", bytes("x")).lastModified()).isEqualTo(T0.plusSeconds(60));
        assertThat(store.preferredReadSize()).isEqualTo(4 << 20);
        store.setPreferredReadSize(16 << 20);
        assertThat(store.preferredReadSize()).isEqualTo(16 << 20);
        assertThatThrownBy(() -> store.setPreferredReadSize(0)).hasMessageContaining("bytes must be >= 1, but was 0");
        assertThat(store.describe()).isEqualTo("mem:t");
    }
}
