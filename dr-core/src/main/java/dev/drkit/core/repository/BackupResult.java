package dev.drkit.core.repository;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a backup did.
 *
 * <p>A file counts once: as new, changed or unchanged when it is in the snapshot, or as
 * vanished when it was listed but deleted before it could be read. An entry the source could
 * not read (a file or directory it had no permission to read) is left out of the snapshot and
 * counted in {@code unreadableCount}, not in the file counts; the backup is then
 * {@linkplain #complete() incomplete}, though its snapshot is committed.
 *
 * @param snapshot the committed snapshot
 * @param filesNew files in the snapshot that were not in the parent snapshot
 * @param filesChanged files in the snapshot read again because they changed
 * @param filesUnchanged files taken from the parent without reading them
 * @param filesVanished files listed but deleted before they could be read, so not in the
 *     snapshot; an entry deleted before it was listed is not seen at all and not counted
 * @param directories directories captured
 * @param bytesRead content bytes read from the sources
 * @param bytesAdded content bytes of new blobs (before compression)
 * @param bytesStored bytes written to the store (packs, index, manifest)
 * @param blobsAdded new blobs stored
 * @param unreadableCount entries left out because they could not be read (a directory counts
 *     once, whatever it holds)
 * @param unreadable those entries, by snapshot path ({@code source/path}), sorted; at most
 *     {@link #UNREADABLE_LISTED} of them, however many there were
 * @param specialCount FIFOs, sockets and devices skipped, since a snapshot does not keep them
 *     (they do not make the backup incomplete)
 * @param special those entries, by snapshot path ({@code source/path}), sorted; at most
 *     {@link #SPECIAL_LISTED} of them, however many there were
 * @param repositoryLeftOut the snapshot paths ({@code source/path}) of a {@code file:}
 *     repository's own directory, left out of each directory source that holds it so that the
 *     backup does not read the packs it writes; empty when no source holds it
 * @param packsMissing packs the index listed that the store no longer held when the backup
 *     began (deleted by hand, by a lifecycle rule or a failing disk), by key, sorted: the backup
 *     took them out of the index and stored their blobs again where its sources still held
 *     them, so that its snapshot is whole; older snapshots that need the rest cannot be restored
 *     in full, which {@link Repository#verify} names. Empty in a sound repository.
 * @param duration wall time of the backup
 * @param changedWhileReadCount files that changed while they were read (another size,
 *     modification time, status change time or inode after the read than before it) each time
 *     of {@code 3} reads, or were deleted after a read that changed: the snapshot holds the last
 *     read, which may be a mix of old and new content that never existed ({@code dr backup} names
 *     them and exits 4; {@link #complete()} is about entries left out and does not count them). A file that changed and then read the same once
 *     more is stored as that read, and not counted.
 * @param changedWhileRead those files, by snapshot path ({@code source/path}), sorted; at most
 *     {@link #CHANGED_LISTED} of them
 */
public record BackupResult(Snapshot snapshot, long filesNew, long filesChanged, long filesUnchanged,
        long filesVanished, long directories, long bytesRead, long bytesAdded, long bytesStored, long blobsAdded,
        long unreadableCount, List<UnreadableEntry> unreadable, long specialCount, List<String> special,
        List<String> repositoryLeftOut, List<String> packsMissing, Duration duration, long changedWhileReadCount,
        List<String> changedWhileRead) {
    /** How many of the entries left out a result names, at most; {@code unreadableCount} counts them all. */
    public static final int UNREADABLE_LISTED = 1000;
    /** How many of the FIFOs, sockets and devices skipped a result names, at most; {@code specialCount} counts them all. */
    public static final int SPECIAL_LISTED = 100;
    /** How many of the files that changed while read a result names, at most. */
    public static final int CHANGED_LISTED = 100;

    /**
     * Checks the result.
     *
     * @throws NullPointerException when the snapshot, a list or the duration is null
     * @throws IllegalArgumentException when a list names more entries than its count says
     *     or than {@link #UNREADABLE_LISTED} (or {@link #SPECIAL_LISTED})
     */
    public BackupResult {
        Objects.requireNonNull(snapshot, "snapshot");
        Objects.requireNonNull(duration, "duration");
        unreadable = List.copyOf(Objects.requireNonNull(unreadable, "unreadable"));
        packsMissing = List.copyOf(Objects.requireNonNull(packsMissing, "packsMissing"));
        if (unreadable.size() > Math.min(unreadableCount, UNREADABLE_LISTED)) {
            throw new IllegalArgumentException("unreadable must list at most min(unreadableCount, "
                    + UNREADABLE_LISTED + ") entries, but listed " + unreadable.size() + " of " + unreadableCount);
        }
        special = List.copyOf(Objects.requireNonNull(special, "special"));
        changedWhileRead = List.copyOf(Objects.requireNonNull(changedWhileRead, "changedWhileRead"));
        repositoryLeftOut = List.copyOf(Objects.requireNonNull(repositoryLeftOut, "repositoryLeftOut"));
        if (special.size() > Math.min(specialCount, SPECIAL_LISTED)) {
            throw new IllegalArgumentException("special must list at most min(specialCount, "
                    + SPECIAL_LISTED + ") entries, but listed " + special.size() + " of " + specialCount);
        }
    }

    /**
     * A result in which no file changed while it was read.
     *
     * @param snapshot the committed snapshot
     * @param filesNew files new in the snapshot
     * @param filesChanged files read again
     * @param filesUnchanged files taken from the parent
     * @param filesVanished files deleted before they could be read
     * @param directories directories captured
     * @param bytesRead content bytes read
     * @param bytesAdded content bytes of new blobs
     * @param bytesStored bytes written to the store
     * @param blobsAdded new blobs stored
     * @param unreadableCount entries left out as unreadable
     * @param unreadable the first of them
     * @param specialCount special files skipped
     * @param special the first of them
     * @param repositoryLeftOut the repository's own directory, left out
     * @param packsMissing packs found missing
     * @param duration wall time
     */
    public BackupResult(Snapshot snapshot, long filesNew, long filesChanged, long filesUnchanged,
            long filesVanished, long directories, long bytesRead, long bytesAdded, long bytesStored, long blobsAdded,
            long unreadableCount, List<UnreadableEntry> unreadable, long specialCount, List<String> special,
            List<String> repositoryLeftOut, List<String> packsMissing, Duration duration) {
        this(snapshot, filesNew, filesChanged, filesUnchanged, filesVanished, directories, bytesRead, bytesAdded,
                bytesStored, blobsAdded, unreadableCount, unreadable, specialCount, special, repositoryLeftOut,
                packsMissing, duration, 0, List.of());
    }

    /**
     * An entry a backup left out because it could not be read.
     *
     * @param path its snapshot path, {@code source/path}
     * @param reason why, such as {@code permission denied}
     */
    public record UnreadableEntry(String path, String reason) {
        /**
         * Checks the entry.
         *
         * @throws NullPointerException when the path or the reason is null
         */
        public UnreadableEntry {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Returns the id of the committed snapshot. @return the id */
    public String snapshotId() {
        return snapshot.id();
    }

    /**
     * Returns whether every entry the sources listed and did not lose meanwhile is in the
     * snapshot: false when some were left out because they could not be read.
     *
     * @return true when {@code unreadableCount} is 0
     */
    public boolean complete() {
        return unreadableCount == 0;
    }
}
