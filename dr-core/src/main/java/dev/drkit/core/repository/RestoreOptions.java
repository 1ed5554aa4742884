package dev.drkit.core.repository;

import java.util.List;
import java.util.Objects;

/**
 * What to restore and how.
 *
 * @param include snapshot paths ({@code source/dir/file}) to restore with everything below
 *     them; empty restores the whole snapshot
 * @param overwrite whether existing files in the target are replaced (otherwise they are kept
 *     and reported as skipped)
 */
public record RestoreOptions(List<String> include, boolean overwrite) {
    /** Copies the list. */
    public RestoreOptions {
        include = List.copyOf(Objects.requireNonNull(include, "include"));
    }

    /** Restores everything, replacing existing files. @return the options */
    public static RestoreOptions all() {
        return new RestoreOptions(List.of(), true);
    }

    /**
     * Restores the given paths, replacing existing files.
     *
     * @param paths snapshot paths such as {@code src/etc/app.conf}
     * @return the options
     */
    public static RestoreOptions paths(String... paths) {
        return new RestoreOptions(List.of(paths), true);
    }
}
