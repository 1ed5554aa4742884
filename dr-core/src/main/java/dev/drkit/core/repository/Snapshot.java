package dev.drkit.core.repository;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A committed snapshot, as listed by {@link Repository#snapshots()}.
 *
 * <p>A backup that could not read some entries of its sources (a file or directory it had no
 * permission to read) leaves them out and still commits its snapshot; the snapshot then records
 * how many it lacks in {@code unreadable} and is not {@linkplain #complete() complete}, so that
 * whoever restores it later learns that files are missing. Snapshots taken before this was
 * recorded read as complete.
 *
 * @param id its id (32 hex digits); any unique prefix names it too
 * @param time when the backup began
 * @param host the host that took it
 * @param tags its labels
 * @param sources the names of its sources, each a top-level directory of the snapshot
 * @param parent the snapshot it was built on, or {@code null}
 * @param files how many files it holds
 * @param bytes the total size of their content
 * @param unreadable how many entries its backup left out because it could not read them (a
 *     directory counts once, whatever it held); 0 for a complete snapshot
 * @param unreadablePaths those entries by snapshot path ({@code source/path}), sorted; at most
 *     {@link #UNREADABLE_RECORDED} of them, however many there were
 */
public record Snapshot(String id, Instant time, String host, Set<String> tags, List<String> sources,
        @Nullable String parent, long files, long bytes, long unreadable, List<String> unreadablePaths) {
    /** How many of the entries left out a snapshot names, at most; {@code unreadable} counts them all. */
    public static final int UNREADABLE_RECORDED = 100;

    /**
     * Copies the collections and checks the count of entries left out.
     *
     * @throws NullPointerException when a collection is null
     * @throws IllegalArgumentException when {@code unreadable} is negative, or
     *     {@code unreadablePaths} names more entries than it counts or than
     *     {@link #UNREADABLE_RECORDED}
     */
    public Snapshot {
        tags = Set.copyOf(tags);
        sources = List.copyOf(sources);
        unreadablePaths = List.copyOf(Objects.requireNonNull(unreadablePaths, "unreadablePaths"));
        if (unreadable < 0) {
            throw new IllegalArgumentException("unreadable must be >= 0, but was " + unreadable);
        }
        if (unreadablePaths.size() > Math.min(unreadable, UNREADABLE_RECORDED)) {
            throw new IllegalArgumentException("unreadablePaths must list at most min(unreadable, "
                    + UNREADABLE_RECORDED + ") entries, but listed " + unreadablePaths.size() + " of " + unreadable);
        }
    }

    /**
     * Creates a complete snapshot, one whose backup left nothing out.
     *
     * @param id its id (32 hex digits)
     * @param time when the backup began
     * @param host the host that took it
     * @param tags its labels
     * @param sources the names of its sources
     * @param parent the snapshot it was built on, or {@code null}
     * @param files how many files it holds
     * @param bytes the total size of their content
     * @throws NullPointerException when a collection is null
     */
    public Snapshot(String id, Instant time, String host, Set<String> tags, List<String> sources,
            @Nullable String parent, long files, long bytes) {
        this(id, time, host, tags, sources, parent, files, bytes, 0, List.of());
    }

    /** Returns the first 8 hex digits of the id. @return the short id */
    public String shortId() {
        return id.substring(0, Math.min(8, id.length()));
    }

    /**
     * Returns whether the snapshot holds every entry its backup found: false when the backup
     * left some out because it could not read them.
     *
     * @return true when {@code unreadable} is 0
     */
    public boolean complete() {
        return unreadable == 0;
    }
}
