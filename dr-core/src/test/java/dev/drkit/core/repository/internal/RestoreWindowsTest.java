package dev.drkit.core.repository.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.store.SnapshotStores;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestoreWindowsTest {
    private final SnapshotStore store = SnapshotStores.memory();
    private final int windowSize = new RestoreRun.Windows(store).size();
    private final int windowCount = new RestoreRun.Windows(store).count();
    private final byte[] pack = new byte[3 * windowCount * windowSize + 12345];

    RestoreWindowsTest() {
        new Random(3).nextBytes(pack);
        store.put("data/pack", pack);
    }

    private void assertHolds(RestoreRun.Windows.Window w, int offset, int length) {
        int base = (int) w.start();
        byte[] held = new byte[length];
        w.data().get(offset - base, held);
        assertThat(held)
                .as("window at %d, range %d+%d", base, offset, length)
                .isEqualTo(Arrays.copyOfRange(pack, offset, offset + length));
    }

    @Test
    @DisplayName("a window in use keeps its bytes while others are loaded, evicted and reused")
    void aWindowInUseIsNeverReused() {
        RestoreRun.Windows windows = new RestoreRun.Windows(store);
        List<RestoreRun.Windows.Window> held = new ArrayList<>();
        for (int i = 0; i <= windowCount; i++) {
            held.add(windows.acquire("data/pack", i * windowSize + 10, 100));
        }
        for (int i = windowCount + 1; i < 3 * windowCount; i++) {
            RestoreRun.Windows.Window w = windows.acquire("data/pack", i * windowSize + windowSize / 2, windowSize / 2);
            assertHolds(w, i * windowSize + windowSize / 2, windowSize / 2);
            windows.release(w);
        }
        for (int i = 0; i < held.size(); i++) {
            assertHolds(held.get(i), i * windowSize + 10, 100);
            windows.release(held.get(i));
        }
        RestoreRun.Windows.Window last = windows.acquire("data/pack", pack.length - 5, 5);
        assertHolds(last, pack.length - 5, 5);
        assertThat(last.start() + last.length()).as("the last window ends where the pack does").isEqualTo(pack.length);
        windows.release(last);
    }

    private static final Object PASS = new Object();

    /** The memory store, behind {@code first}, which answers a call or returns {@link #PASS}. */
    private SnapshotStore wrapped(java.lang.reflect.InvocationHandler first) {
        return (SnapshotStore) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {SnapshotStore.class}, (proxy, method, args) -> {
                    Object answer = first.invoke(proxy, method, args);
                    if (answer != PASS) {
                        return answer;
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** The memory store, preferring reads of {@code size} bytes. */
    private SnapshotStore preferring(int size) {
        return wrapped((proxy, method, args) -> method.getName().equals("preferredReadSize") ? size : PASS);
    }

    @Test
    @DisplayName("windows are the store's preferred read size, within bounds, and their count keeps to the budget")
    void windowsFollowTheStoresPreferredReadSize() {
        assertThat(windowSize).isEqualTo(4 << 20);
        assertThat(windowCount).isEqualTo(8);
        RestoreRun.Windows remote = new RestoreRun.Windows(preferring(16 << 20));
        assertThat(remote.size()).isEqualTo(16 << 20);
        assertThat(remote.count()).isEqualTo(RestoreRun.Windows.MIN_COUNT);
        assertThat(new RestoreRun.Windows(preferring(1)).size()).isEqualTo(64 << 10);
        assertThat(new RestoreRun.Windows(preferring(Integer.MAX_VALUE)).size()).isEqualTo(64 << 20);
        assertThat(new RestoreRun.Windows(preferring(16 << 20), RestoreRun.Windows.SELECTED_MAX).size())
                .isEqualTo(RestoreRun.Windows.SELECTED_MAX);
        assertThat(new RestoreRun.Windows(preferring(1 << 20), RestoreRun.Windows.SELECTED_MAX).size())
                .isEqualTo(1 << 20);
        RestoreRun.Windows w = new RestoreRun.Windows(preferring(1 << 20));
        RestoreRun.Windows.Window window = w.acquire("data/pack", (1 << 20) + 5, 100);
        assertThat(window.start()).isEqualTo(1 << 20);
        assertThat(window.length()).as("a remote store's window reaches an eighth past its size")
                .isEqualTo((1 << 20) + (1 << 17));
        assertHolds(window, (1 << 20) + 5, 100);
        w.release(window);
    }

    @Test
    @DisplayName("a directory's windows are direct buffers the file system fills, up to a short last one")
    void aDirectoryStoreFillsDirectWindows(@TempDir Path dir) {
        SnapshotStore files = SnapshotStores.file(dir);
        files.put("data/pack", pack);
        RestoreRun.Windows windows = new RestoreRun.Windows(files);
        RestoreRun.Windows.Window first = windows.acquire("data/pack", 7, 1000);
        assertThat(first.data().isDirect()).isTrue();
        assertHolds(first, 7, 1000);
        RestoreRun.Windows.Window last = windows.acquire("data/pack", pack.length - 5, 5);
        assertHolds(last, pack.length - 5, 5);
        assertThat(last.length()).isEqualTo(pack.length % windowSize);
        windows.release(first);
        windows.release(last);
        ByteBuffer span = windows.spanBuffer(windowSize);
        assertThat(span.isDirect()).isTrue();
        assertThat(windows.read("data/pack", pack.length - 100, span, windowSize)).isEqualTo(100);
        byte[] read = new byte[100];
        span.get(0, read);
        assertThat(read).isEqualTo(Arrays.copyOfRange(pack, pack.length - 100, pack.length));
        assertThat(new RestoreRun.Windows(store).spanBuffer(10).isDirect()).as("the memory store's").isFalse();
    }

    @Test
    @DisplayName("a range across a window's end, or over half a window long, is not served by a window")
    void rangesThatDoNotFitHaveNoWindow(@TempDir Path dir) {
        RestoreRun.Windows windows = new RestoreRun.Windows(store);
        assertThat(windows.acquire("data/pack", windowSize - 10, windowSize / 8 + 20)).isNull();
        assertThat(windows.acquire("data/pack", 0, windowSize / 2 + 1)).isNull();
        SnapshotStore files = SnapshotStores.file(dir);
        files.put("data/pack", pack);
        assertThat(new RestoreRun.Windows(files).acquire("data/pack", windowSize - 10, 20))
                .as("a directory's windows end at their size").isNull();
    }

    @Test
    @DisplayName("a remote store's window serves the ranges up to an eighth past its size, its pack's tail")
    void aRemoteWindowServesTheRangesWithinItsReach() {
        RestoreRun.Windows windows = new RestoreRun.Windows(store);
        RestoreRun.Windows.Window first = windows.acquire("data/pack", 7, 1000);
        RestoreRun.Windows.Window across = windows.acquire("data/pack", windowSize - 10, 20);
        RestoreRun.Windows.Window after = windows.acquire("data/pack", windowSize + windowSize / 8 - 100, 100);
        assertThat(across).isSameAs(first);
        assertThat(after).isSameAs(first);
        assertHolds(across, windowSize - 10, 20);
        assertHolds(after, windowSize + windowSize / 8 - 100, 100);
        RestoreRun.Windows.Window next = windows.acquire("data/pack", windowSize + windowSize / 8, 100);
        assertThat(next).isNotSameAs(first);
        assertThat(next.start()).isEqualTo(windowSize);
        assertHolds(next, windowSize + windowSize / 8, 100);
        for (RestoreRun.Windows.Window w : List.of(first, across, after, next)) {
            windows.release(w);
        }
    }

    @Test
    @DisplayName("threads sharing the windows always read the bytes they asked for")
    void concurrentReadersSeeTheirBytes() throws Exception {
        RestoreRun.Windows windows = new RestoreRun.Windows(store);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                long seed = t;
                runs.add(pool.submit(() -> {
                    Random random = new Random(seed);
                    for (int i = 0; i < 300; i++) {
                        int index = random.nextInt(pack.length / windowSize);
                        int offset = index * windowSize + random.nextInt(windowSize / 2);
                        int length = 1 + random.nextInt(windowSize / 2 - 1);
                        RestoreRun.Windows.Window w = windows.acquire("data/pack", offset, length);
                        try {
                            Thread.yield();
                            assertHolds(w, offset, length);
                        } finally {
                            windows.release(w);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** The store, with its first reads failing with the given throwables, in order. */
    private SnapshotStore failingFirst(Throwable... failures) {
        AtomicInteger next = new AtomicInteger();
        return wrapped((proxy, method, args) -> {
            if (method.getName().equals("read")) {
                int n = next.getAndIncrement();
                if (n < failures.length) {
                    throw failures[n];
                }
            }
            return PASS;
        });
    }

    @Test
    @DisplayName("a failed load, even by an Error, is reported to its reader and tried again by the next one")
    void aFailedLoadIsNotKept() {
        RestoreRun.Windows windows = new RestoreRun.Windows(failingFirst(
                new DrException(ErrorCode.UNAVAILABLE, "Injected failure", "data/pack"), new StackOverflowError()));
        assertThatThrownBy(() -> windows.acquire("data/pack", 0, 10)).isInstanceOf(DrException.class)
                .extracting(e -> ((DrException) e).code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThatThrownBy(() -> windows.acquire("data/pack", 0, 10)).isInstanceOf(StackOverflowError.class);
        RestoreRun.Windows.Window w = windows.acquire("data/pack", 0, 10);
        assertHolds(w, 0, 10);
        windows.release(w);
    }
}
