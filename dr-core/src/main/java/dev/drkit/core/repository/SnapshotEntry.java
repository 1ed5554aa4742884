package dev.drkit.core.repository;

import dev.drkit.api.backup.EntryType;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One entry of a snapshot, as {@link Repository#entries} lists it.
 *
 * @param path its path in the snapshot: {@code source/dir/name}
 * @param type file, directory or symbolic link
 * @param size the content length of a file, 0 otherwise
 * @param modified its modification time
 * @param mode its POSIX permission bits, or -1 when unknown
 * @param target a symbolic link's target, {@code null} otherwise
 * @param contentId a file's content identity (a digest of its blob ids): two files have the same
 *     id exactly when they have the same content; {@code null} for other entries
 */
public record SnapshotEntry(String path, EntryType type, long size, Instant modified, int mode,
        @Nullable String target, @Nullable String contentId) {
}
