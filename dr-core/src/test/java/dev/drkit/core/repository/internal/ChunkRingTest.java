package dev.drkit.core.repository.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ChunkRingTest {
    @Test
    @DisplayName("slices in use never overlap, whatever their sizes and the order they come back in")
    void slicesInUseNeverOverlap() throws Exception {
        ChunkRing ring = new ChunkRing(64 * 1024);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                byte mark = (byte) (t + 1);
                long seed = t;
                runs.add(pool.submit(() -> {
                    Random random = new Random(seed);
                    for (int i = 0; i < 2_000; i++) {
                        ChunkRing.Slice slice = ring.acquire(random.nextInt(64 * 1024 / 3) + 1);
                        byte[] data = slice.array();
                        Arrays.fill(data, slice.offset(), slice.offset() + slice.length(), mark);
                        Thread.yield();
                        for (int k = slice.offset(); k < slice.offset() + slice.length(); k++) {
                            assertThat(data[k]).as("byte %d of a slice of thread %d", k, mark).isEqualTo(mark);
                        }
                        ring.release(slice);
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @DisplayName("a full ring makes the taker wait until the oldest slice comes back")
    void aFullRingWaitsForTheOldestSlice() throws Exception {
        ChunkRing ring = new ChunkRing(300);
        ChunkRing.Slice a = ring.acquire(100);
        ChunkRing.Slice b = ring.acquire(100);
        ChunkRing.Slice c = ring.acquire(100);
        ExecutorService taker = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<ChunkRing.Slice> waiting = CompletableFuture.supplyAsync(() -> ring.acquire(100), taker);
            awaitUntil(ring::hasWaiters, "the taker waits for room");
            ring.release(b);
            ring.release(c);
            // each release wakes the taker; it either takes a slice or waits again
            awaitUntil(() -> ring.hasWaiters() || waiting.isDone(), "the taker looks again");
            assertThat(waiting).as("b and c are free, but a still holds the ring's start").isNotDone();
            ring.release(a);
            ChunkRing.Slice d = waiting.get(30, TimeUnit.SECONDS);
            assertThat(d.offset()).isZero();
            assertThat(d.length()).isEqualTo(100);
        } finally {
            taker.shutdownNow();
        }
    }

    @Test
    @DisplayName("a slice that does not fit before the end starts again at the beginning")
    void aSliceWrapsToTheBeginning() {
        ChunkRing ring = new ChunkRing(300);
        ChunkRing.Slice a = ring.acquire(100);
        ChunkRing.Slice b = ring.acquire(100);
        ChunkRing.Slice c = ring.acquire(60);
        ring.release(a);
        ChunkRing.Slice d = ring.acquire(90);
        assertThat(d.offset()).as("only 40 bytes are left after c").isZero();
        ring.release(b);
        ring.release(c);
        assertThat(ring.acquire(100).offset()).isEqualTo(90);
    }

    @Test
    @DisplayName("an empty slice or one larger than a third of the ring is refused; an interrupted wait is a cancellation")
    void badRequestsAndInterrupts() throws Exception {
        ChunkRing ring = new ChunkRing(300);
        assertThatThrownBy(() -> ring.acquire(101)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("101 bytes");
        assertThatThrownBy(() -> ring.acquire(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0 bytes");
        ring.acquire(100);
        ring.acquire(100);
        ring.acquire(100);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread taker = new Thread(() -> {
            try {
                ring.acquire(50);
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        taker.start();
        awaitUntil(ring::hasWaiters, "the taker waits for room");
        taker.interrupt();
        taker.join(30_000);
        assertThat(taker.isAlive()).as("the interrupted taker returned").isFalse();
        assertThat(failure.get()).isInstanceOf(DrException.class)
                .extracting(e -> ((DrException) e).code()).isEqualTo(ErrorCode.CANCELLED);
    }

    @Test
    @DisplayName("a ring that starts small doubles when a slice does not fit, up to its size, and its old slices stay intact")
    void aSmallRingGrowsUpToItsSize() throws Exception {
        ChunkRing ring = new ChunkRing(100, 800);
        ChunkRing.Slice a = ring.acquire(30);
        Arrays.fill(a.array(), a.offset(), a.offset() + 30, (byte) 7);
        assertThat(a.array()).hasSize(100);
        ChunkRing.Slice b = ring.acquire(80);
        assertThat(b.array()).as("a and b do not fit in 100 bytes: doubled, and room for three such slices")
                .isNotSameAs(a.array()).hasSize(240);
        ChunkRing.Slice c = ring.acquire(250);
        assertThat(c.array()).as("three slices of 250 bytes").hasSize(750);
        ChunkRing.Slice d = ring.acquire(250);
        ChunkRing.Slice e = ring.acquire(240);
        assertThat(List.of(d.array(), e.array())).allSatisfy(array -> assertThat(array).isSameAs(c.array()));
        ChunkRing.Slice f = ring.acquire(260);
        assertThat(f.array()).as("grown to the size, not to twice 750").hasSize(800);
        ChunkRing.Slice g = ring.acquire(260);
        ChunkRing.Slice h = ring.acquire(260);
        assertThat(List.of(g.array(), h.array())).allSatisfy(array -> assertThat(array).isSameAs(f.array()));
        assertThat(Arrays.copyOfRange(a.array(), 0, 30)).as("a's bytes were not reused").containsOnly((byte) 7);
        ExecutorService taker = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<ChunkRing.Slice> waiting = CompletableFuture.supplyAsync(() -> ring.acquire(100), taker);
            awaitUntil(ring::hasWaiters, "at its size, the full ring makes the taker wait");
            for (ChunkRing.Slice old : List.of(a, b, c, d, e)) {
                ring.release(old);
            }
            awaitUntil(() -> ring.hasWaiters() || waiting.isDone(), "the taker looks again");
            assertThat(waiting).as("slices of older arrays free no room in the new one").isNotDone();
            ring.release(f);
            ChunkRing.Slice i = waiting.get(30, TimeUnit.SECONDS);
            assertThat(i.array()).isSameAs(f.array());
            assertThat(i.offset()).isZero();
        } finally {
            taker.shutdownNow();
        }
        assertThatThrownBy(() -> new ChunkRing(900, 800)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("900");
    }

    @Test
    @DisplayName("a small ring full of many slices waits for them rather than grow")
    void aRingFullOfManySlicesWaits() throws Exception {
        ChunkRing ring = new ChunkRing(100, 800);
        List<ChunkRing.Slice> small = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            small.add(ring.acquire(2));
        }
        ExecutorService taker = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<ChunkRing.Slice> waiting = CompletableFuture.supplyAsync(() -> ring.acquire(30), taker);
            awaitUntil(ring::hasWaiters, "the taker waits for room");
            // the first 15 come back: room for 30 bytes at the start, and still more than
            // GROW_BELOW slices in use all along
            assertThat(50 - 15).isGreaterThanOrEqualTo(ChunkRing.GROW_BELOW);
            for (int i = 0; i < 15; i++) {
                ring.release(small.get(i));
            }
            ChunkRing.Slice next = waiting.get(30, TimeUnit.SECONDS);
            assertThat(next.array()).as("the same 100 bytes").isSameAs(small.get(0).array()).hasSize(100);
            assertThat(next.offset()).isZero();
        } finally {
            taker.shutdownNow();
        }
    }

    /** Waits, without a fixed sleep, until another thread has reached a state; fails after 30 s. */
    private static void awaitUntil(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("waiting until %s", what).isNegative();
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}
