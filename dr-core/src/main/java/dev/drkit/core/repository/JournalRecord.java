package dev.drkit.core.repository;

import java.time.Instant;
import java.util.Objects;

/**
 * One record (file) of a journaled source as a {@link JournalView} shows it.
 *
 * @param path the record's key, a relative {@code /}-separated path
 * @param size its size in bytes
 * @param modified its modification time: when the feed took the change
 */
public record JournalRecord(String path, long size, Instant modified) {
    /** Checks the fields. */
    public JournalRecord {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(modified, "modified");
    }
}
