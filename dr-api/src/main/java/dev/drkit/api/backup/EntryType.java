package dev.drkit.api.backup;

/** The kinds of entry a {@link SnapshotSource} can write. */
public enum EntryType {
    /** A regular file with content. */
    FILE,
    /** A directory. */
    DIRECTORY,
    /** A symbolic link, kept as a link (its target is not followed). */
    SYMLINK
}
