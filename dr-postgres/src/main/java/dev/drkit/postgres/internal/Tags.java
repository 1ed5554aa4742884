package dev.drkit.postgres.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.core.repository.Snapshot;
import java.util.Optional;

/**
 * The tags that describe PostgreSQL snapshots: {@code name:value} labels on the snapshots of
 * base backups and WAL chunks, so that listing the repository finds them without reading them.
 */
public final class Tags {
    /** Tags the snapshot that commits a base backup. */
    public static final String BASE = "pg-base";
    /** Tags the data-directory snapshot of a base backup. */
    public static final String BASE_DATA = "pg-base-data";
    /** Tags a WAL chunk. */
    public static final String WAL = "pg-wal";
    /** The cluster's system identifier. */
    public static final String SYSTEM = "pg-system";
    /** The timeline. */
    public static final String TIMELINE = "pg-timeline";
    /** A start position. */
    public static final String START = "pg-start";
    /** A stop or end position. */
    public static final String END = "pg-end";
    /** A start time. */
    public static final String START_TIME = "pg-start-time";
    /** A stop time, or when a WAL chunk was received in full. */
    public static final String END_TIME = "pg-end-time";
    /** The data-directory snapshot of a base backup. */
    public static final String DATA = "pg-data";
    /** The WAL segment size. */
    public static final String SEGMENT_SIZE = "pg-segment-size";

    private Tags() {
    }

    /**
     * Returns {@code name:value}.
     *
     * @param name the tag's name
     * @param value its value
     * @return the tag
     */
    public static String of(String name, Object value) {
        return name + ":" + value;
    }

    /**
     * Returns the value of a tag, if the snapshot has it.
     *
     * @param snapshot the snapshot
     * @param name the tag's name
     * @return its value
     */
    public static Optional<String> find(Snapshot snapshot, String name) {
        String prefix = name + ":";
        for (String tag : snapshot.tags()) {
            if (tag.startsWith(prefix)) {
                return Optional.of(tag.substring(prefix.length()));
            }
        }
        return Optional.empty();
    }

    /**
     * Returns the value of a tag the snapshot must have.
     *
     * @param snapshot the snapshot
     * @param name the tag's name
     * @return its value
     * @throws DrException {@code INTEGRITY} naming the snapshot when the tag is missing
     */
    public static String get(Snapshot snapshot, String name) {
        return find(snapshot, name).orElseThrow(() -> new DrException(ErrorCode.INTEGRITY, "Snapshot "
                + snapshot.shortId() + " lacks its " + name + " tag", snapshot.id()));
    }
}
