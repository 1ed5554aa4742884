package dev.drkit.core.repository.internal;

import dev.drkit.core.repository.Progress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * Counts the work of the repository operation running now (files and bytes done, and the
 * totals as far as they are known), for {@code Repository.progress()}: the engine's runs add
 * to it from any thread; readers take a consistent-enough {@link Progress} at any time.
 */
public final class ProgressTracker {
    /** The counters of one operation; replaced as a whole when the next starts. */
    private static final class Work {
        final String operation;
        final long startNanos = System.nanoTime();
        final LongAdder files = new LongAdder();
        final LongAdder bytes = new LongAdder();
        final LongAdder filesTotal = new LongAdder();
        final LongAdder bytesTotal = new LongAdder();
        final boolean totalsKnown;
        volatile long endNanos;

        Work(String operation, boolean totalsKnown) {
            this.operation = operation;
            this.totalsKnown = totalsKnown;
        }
    }

    private volatile @Nullable Work current;

    /**
     * Starts counting an operation whose totals are known.
     *
     * @param operation {@code backup}, {@code restore}, {@code verify}, {@code copy}, {@code prune}
     * @param filesTotal the files (or packs, or blobs) it will handle
     * @param bytesTotal the bytes it will handle
     */
    public void start(String operation, long filesTotal, long bytesTotal) {
        Work w = new Work(operation, true);
        w.filesTotal.add(filesTotal);
        w.bytesTotal.add(bytesTotal);
        current = w;
    }

    /**
     * Starts counting an operation whose totals grow as it discovers its work (a backup's scan).
     *
     * @param operation the operation's name
     */
    public void startGrowing(String operation) {
        current = new Work(operation, false);
    }

    /**
     * Adds work found to the totals of a growing operation.
     *
     * @param files files found
     * @param bytes bytes found
     */
    public void found(long files, long bytes) {
        Work w = current;
        if (w != null) {
            w.filesTotal.add(files);
            w.bytesTotal.add(bytes);
        }
    }

    /**
     * Adds work done.
     *
     * @param files files done
     * @param bytes bytes done
     */
    public void done(long files, long bytes) {
        Work w = current;
        if (w != null) {
            w.files.add(files);
            w.bytes.add(bytes);
        }
    }

    /** Marks the operation finished; its progress stays readable. */
    public void finish() {
        Work w = current;
        if (w != null && w.endNanos == 0) {
            w.endNanos = System.nanoTime();
        }
    }

    /**
     * Returns the progress of the operation running now, or of the last one.
     *
     * @return the progress, or empty before the first operation
     */
    public Optional<Progress> snapshot() {
        Work w = current;
        if (w == null) {
            return Optional.empty();
        }
        long end = w.endNanos != 0 ? w.endNanos : System.nanoTime();
        return Optional.of(new Progress(w.operation, w.files.sum(), w.filesTotal.sum(), w.bytes.sum(),
                w.bytesTotal.sum(), w.totalsKnown, Duration.ofNanos(end - w.startNanos), w.endNanos != 0));
    }
}
