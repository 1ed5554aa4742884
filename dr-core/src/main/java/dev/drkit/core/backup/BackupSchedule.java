package dev.drkit.core.backup;

import dev.drkit.api.DrException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** When scheduled backups run: the next run after a given instant. */
@FunctionalInterface
public interface BackupSchedule {

    /**
     * Returns when the next backup runs.
     *
     * @param now the start of the schedule, or the end of the previous backup
     * @return the next run, or empty when the schedule has no more runs
     */
    Optional<Instant> next(Instant now);

    /**
     * Returns a schedule that runs a backup a fixed time after the previous one ended.
     *
     * @param interval the time between backups, > 0
     * @return the schedule
     * @throws DrException {@code INVALID_ARGUMENT} for an interval that is not positive
     */
    static BackupSchedule every(Duration interval) {
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw DrException.invalidArgument("interval", "must be > 0", interval);
        }
        return now -> Optional.of(now.plus(interval));
    }
}
