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
