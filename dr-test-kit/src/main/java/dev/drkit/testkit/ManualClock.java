package dev.drkit.testkit;

import dev.drkit.api.DrException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/** A clock that moves only when told to: timeouts, escalations and RTOs become deterministic. Thread-safe. */
public final class ManualClock extends Clock {
    private final AtomicReference<Instant> now;
    private final ZoneId zone;

    private ManualClock(AtomicReference<Instant> now, ZoneId zone) {
        this.now = now;
        this.zone = zone;
    }

    /**
     * Returns a clock at an instant, in UTC.
     *
     * @param start the initial time
     * @return the clock
     */
    public static ManualClock at(Instant start) {
        return new ManualClock(new AtomicReference<>(Objects.requireNonNull(start, "start")), ZoneOffset.UTC);
    }

    /**
     * Moves the clock forward.
     *
     * @param d how far, {@code >= 0}
     * @return the new time
     * @throws DrException {@code INVALID_ARGUMENT} for a negative duration
     */
    public Instant advance(Duration d) {
        if (d.isNegative()) {
            throw DrException.invalidArgument("d", "must be >= 0", d);
        }
        return now.updateAndGet(t -> t.plus(d));
    }

    /**
     * Sets the time; it may not go backwards.
     *
     * @param t the new time
     * @throws DrException {@code INVALID_ARGUMENT} when {@code t} is before the current time
     */
    public void set(Instant t) {
        now.updateAndGet(cur -> {
            if (t.isBefore(cur)) {
                throw DrException.invalidArgument("t", "must not be before " + cur, t);
            }
            return t;
        });
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    @Override
    public Clock withZone(ZoneId z) {
        return new ManualClock(now, z);
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public String toString() {
        return "ManualClock[" + now.get() + "]";
    }
}
