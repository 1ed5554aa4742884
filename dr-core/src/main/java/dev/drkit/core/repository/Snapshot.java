package dev.drkit.core.repository;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A committed snapshot, as listed by {@link Repository#snapshots()}.
 *
 * @param id its id (32 hex digits); any unique prefix names it too
 * @param time when the backup began
 * @param host the host that took it
 * @param tags its labels
 * @param sources the names of its sources, each a top-level directory of the snapshot
 * @param parent the snapshot it was built on, or {@code null}
 * @param files how many files it holds
 * @param bytes the total size of their content
 */
public record Snapshot(String id, Instant time, String host, Set<String> tags, List<String> sources,
        @Nullable String parent, long files, long bytes) {
    /** Copies the collections. */
    public Snapshot {
        tags = Set.copyOf(tags);
        sources = List.copyOf(sources);
    }

    /** Returns the first 8 hex digits of the id. @return the short id */
    public String shortId() {
        return id.substring(0, Math.min(8, id.length()));
    }
}
