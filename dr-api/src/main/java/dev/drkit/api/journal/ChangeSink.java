package dev.drkit.api.journal;

import dev.drkit.api.DrException;

/** Receives a feed's changes; the journal is one. Thread-safe. */
@FunctionalInterface
public interface ChangeSink {

    /**
     * Takes one change; it is durable once the journal reports its position as committed.
     * A change at a position not greater than the last one taken is ignored, so that a feed
     * replaying after a restart applies nothing twice.
     *
     * @param change the change
     * @throws DrException {@code ILLEGAL_STATE} when the journal is closed
     */
    void accept(Change change);
}
