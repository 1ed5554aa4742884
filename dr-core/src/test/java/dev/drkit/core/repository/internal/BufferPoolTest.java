package dev.drkit.core.repository.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BufferPoolTest {
    @Test
    @DisplayName("arrays are powers of two of at least 4 KiB")
    void capacitiesArePowersOfTwo() {
        assertThat(BufferPool.capacityFor(1)).isEqualTo(4096);
        assertThat(BufferPool.capacityFor(4096)).isEqualTo(4096);
        assertThat(BufferPool.capacityFor(4097)).isEqualTo(8192);
        assertThat(BufferPool.capacityFor(300_000)).isEqualTo(512 * 1024);
        assertThat(new BufferPool(1 << 20).acquire(300_000)).hasSize(512 * 1024);
    }

    @Test
    @DisplayName("a released array is handed out again for a size of its class")
    void releasedArraysAreReused() {
        BufferPool pool = new BufferPool(1 << 20);
        byte[] a = pool.acquire(100_000);
        pool.release(a);
        assertThat(pool.acquire(70_000)).isSameAs(a);
        assertThat(pool.acquire(70_000)).isNotSameAs(a);
    }

    @Test
    @DisplayName("over its limit the pool drops idle arrays of other sizes first")
    void overTheLimitOtherSizesGoFirst() {
        BufferPool pool = new BufferPool(256 * 1024);
        byte[] large = pool.acquire(200_000);
        byte[] small1 = pool.acquire(10_000);
        byte[] small2 = pool.acquire(10_000);
        pool.release(large);
        pool.release(small1);
        pool.release(small2);
        assertThat(pool.acquire(10_000)).isIn(small1, small2);
        assertThat(pool.acquire(10_000)).isIn(small1, small2);
        assertThat(pool.acquire(200_000)).isNotSameAs(large);
    }

    @Test
    @DisplayName("arrays it did not hand out are not kept")
    void foreignArraysAreDropped() {
        BufferPool pool = new BufferPool(1 << 20);
        byte[] odd = new byte[5000];
        pool.release(odd);
        assertThat(pool.acquire(5000)).isNotSameAs(odd).hasSize(8192);
    }
}
