package dev.drkit.core.repository;

import java.time.Duration;
import java.util.Optional;

/**
 * How far a repository operation has come, as {@link Repository#progress()} reads it while the
 * operation runs on another thread: for a progress bar or a periodic line.
 *
 * @param operation {@code backup}, {@code restore}, {@code verify}, {@code copy} or {@code prune}
 * @param files files done (packs for verify and prune, blobs for copy)
 * @param filesTotal files to do, as far as known
 * @param bytes bytes done
 * @param bytesTotal bytes to do, as far as known
 * @param totalsFinal whether the totals were known at the start; a backup's grow as it scans
 * @param elapsed time since the operation started
 * @param finished whether the operation has ended
 */
public record Progress(String operation, long files, long filesTotal, long bytes, long bytesTotal,
        boolean totalsFinal, Duration elapsed, boolean finished) {

    /**
     * Returns the share done, by bytes when there are any, else by files.
     *
     * @return 0 to 1
     */
    public double fraction() {
        if (bytesTotal > 0) {
            return Math.min(1.0, (double) bytes / bytesTotal);
        }
        return filesTotal > 0 ? Math.min(1.0, (double) files / filesTotal) : 0.0;
    }

    /**
     * Returns the bytes done per second so far.
     *
     * @return the rate, 0 before any time passed
     */
    public double bytesPerSecond() {
        double s = elapsed.toNanos() / 1e9;
        return s <= 0 ? 0 : bytes / s;
    }

    /**
     * Returns the time left at the rate so far.
     *
     * @return the estimate, or empty when nothing is done yet or nothing is known to remain
     */
    public Optional<Duration> eta() {
        if (finished) {
            return Optional.of(Duration.ZERO);
        }
        double f = fraction();
        if (f <= 0 || elapsed.isZero()) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofNanos((long) (elapsed.toNanos() * (1 - f) / f)));
    }
}
