package dev.drkit.api.journal;

import dev.drkit.api.DrException;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One change of a source, at a position of its feed. Paths are relative and
 * {@code /}-separated, without empty, {@code .} or {@code ..} segments; a keyed record's key is
 * its path.
 *
 * <p>The content array is owned by the change once made: callers do not modify it afterwards.
 * Equality compares the array by identity, as records do.
 *
 * @param kind what the change does
 * @param path the file or record it changes
 * @param target the new path of a {@link ChangeKind#RENAME}, {@code null} otherwise
 * @param content the whole new content of a {@link ChangeKind#PUT}, empty otherwise
 * @param modified the file's modification time of a {@code PUT} (restores set it), the
 *     epoch otherwise
 * @param position the change's position in its feed: greater than every earlier change's
 */
public record Change(ChangeKind kind, String path, @Nullable String target, byte[] content, Instant modified,
        long position) {
    private static final byte[] NONE = new byte[0];

    /**
     * Validates the fields.
     *
     * @throws DrException {@code UNSAFE_PATH} naming a path that is absolute, empty or has an
     *     empty, {@code .} or {@code ..} segment; {@code INVALID_ARGUMENT} for a negative
     *     position, a rename without target or content on a change other than a put
     */
    public Change {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(modified, "modified");
        checkPath(path);
        if (position < 0) {
            throw DrException.invalidArgument("position", "must be >= 0", position);
        }
        if (kind == ChangeKind.RENAME) {
            if (target == null) {
                throw DrException.invalidArgument("target", "must be set for a rename of '" + path + "'", null);
            }
            checkPath(target);
        } else if (target != null) {
            throw DrException.invalidArgument("target", "must be null for a " + kind + " of '" + path + "'", target);
        }
        if (kind != ChangeKind.PUT && content.length > 0) {
            throw DrException.invalidArgument("content", "must be empty for a " + kind + " of '" + path + "'",
                    content.length);
        }
    }

    /**
     * Returns a put of a file or record's whole content.
     *
     * @param position the feed position
     * @param path the path or key
     * @param content the content, owned by the change from now on
     * @param modified the modification time a restore gives the file
     * @return the change
     */
    public static Change put(long position, String path, byte[] content, Instant modified) {
        return new Change(ChangeKind.PUT, path, null, content, modified, position);
    }

    /**
     * Returns a deletion.
     *
     * @param position the feed position
     * @param path the path or key
     * @return the change
     */
    public static Change delete(long position, String path) {
        return new Change(ChangeKind.DELETE, path, null, NONE, Instant.EPOCH, position);
    }

    /**
     * Returns a rename.
     *
     * @param position the feed position
     * @param path the current path
     * @param target the new path
     * @return the change
     */
    public static Change rename(long position, String path, String target) {
        return new Change(ChangeKind.RENAME, path, target, NONE, Instant.EPOCH, position);
    }

    /**
     * Checks a relative path of a change.
     *
     * @param path the path
     * @throws DrException {@code UNSAFE_PATH} naming it when it is null, empty, absolute, or has an
     *     empty, {@code .}, {@code ..} or NUL-bearing segment
     */
    public static void checkPath(@Nullable String path) {
        if (path == null || path.isEmpty() || path.startsWith("/") || path.indexOf('\\') >= 0) {
            throw new DrException(dev.drkit.api.ErrorCode.UNSAFE_PATH, "Change path '" + path
                    + "' must be relative, '/'-separated and not empty", String.valueOf(path));
        }
        int nul = path.indexOf('\0');
        if (nul >= 0) {
            String shown = path.replace("\0", "\\u0000");
            throw new DrException(dev.drkit.api.ErrorCode.UNSAFE_PATH, "Change path '" + shown
                    + "' contains a NUL character (at index " + nul + ")", shown);
        }
        for (String s : path.split("/", -1)) {
            if (s.isEmpty() || s.equals(".") || s.equals("..")) {
                throw new DrException(dev.drkit.api.ErrorCode.UNSAFE_PATH, "Change path '" + path
                        + "' has an empty, '.' or '..' segment", path);
            }
        }
    }
}
