package dev.drkit.core.repository;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What to restore and how.
 *
 * @param include snapshot paths ({@code source/dir/file}) to restore with everything below
 *     them; empty restores the whole snapshot
 * @param overwrite whether existing entries in the target are replaced by what the snapshot
 *     holds: files, symbolic links (the link itself, never what it points to) and empty
 *     directories, while a directory with entries is kept and the file or link of its name
 *     fails. Otherwise existing entries are kept and reported as skipped, and a file or link
 *     in the way of a directory fails the restore
 * @param intoTarget whether the content of the one restored source goes straight into the
 *     target, instead of into a directory named after the source
 * @param allowUnverifiedHistory whether to restore even when the snapshot history does not
 *     verify: its head is missing or stale, a snapshot it records is missing (so that
 *     {@code latest} may not be the newest), or the snapshot differs from the one it records.
 *     For an operator who ran verify, read what it named, and restores anyway
 * @param owners whether restored files, directories and symbolic links get the owner and group
 *     the snapshot recorded for them (by numeric id, as {@code restic} and {@code borg} do). This
 *     takes effect only when the restoring process runs as root and the snapshot recorded owners
 *     (a {@code DirectorySource} does); otherwise, or when off, entries belong to the restoring
 *     user, silently. On by default
 */
public record RestoreOptions(List<String> include, boolean overwrite, boolean intoTarget,
        boolean allowUnverifiedHistory, boolean owners) {
    /** Copies the list. */
    public RestoreOptions {
        include = List.copyOf(Objects.requireNonNull(include, "include"));
    }

    /**
     * Restores the given paths, giving entries their recorded owners when run as root.
     *
     * @param include snapshot paths to restore, or empty for everything
     * @param overwrite whether existing files in the target are replaced
     * @param intoTarget whether the one restored source goes straight into the target
     * @param allowUnverifiedHistory whether to restore even when the snapshot history does not verify
     */
    public RestoreOptions(List<String> include, boolean overwrite, boolean intoTarget,
            boolean allowUnverifiedHistory) {
        this(include, overwrite, intoTarget, allowUnverifiedHistory, true);
    }

    /**
     * Restores the given paths, each source into a directory of the target named after it.
     *
     * @param include snapshot paths to restore, or empty for everything
     * @param overwrite whether existing files in the target are replaced
     */
    public RestoreOptions(List<String> include, boolean overwrite) {
        this(include, overwrite, false);
    }

    /**
     * Restores the given paths, refusing a snapshot whose history does not verify.
     *
     * @param include snapshot paths to restore, or empty for everything
     * @param overwrite whether existing files in the target are replaced
     * @param intoTarget whether the one restored source goes straight into the target
     */
    public RestoreOptions(List<String> include, boolean overwrite, boolean intoTarget) {
        this(include, overwrite, intoTarget, false);
    }

    /**
     * Returns these options, restoring even when the snapshot history does not verify.
     *
     * @param allow whether to allow it
     * @return the options
     */
    public RestoreOptions withAllowUnverifiedHistory(boolean allow) {
        return new RestoreOptions(include, overwrite, intoTarget, allow, owners);
    }

    /**
     * Returns these options, giving restored entries their recorded owner and group (when run as
     * root) or leaving them the restoring user's.
     *
     * @param restore whether to restore owners and groups
     * @return the options
     */
    public RestoreOptions withOwners(boolean restore) {
        return new RestoreOptions(include, overwrite, intoTarget, allowUnverifiedHistory, restore);
    }

    /** Restores everything, each source into a directory of its name, replacing existing files. @return the options */
    public static RestoreOptions all() {
        return new RestoreOptions(List.of(), true, false);
    }

    /**
     * Restores the content of a snapshot's only source (or of {@code source}) straight into
     * the target, as {@code restic restore} does for one backed-up directory.
     *
     * @param source the source's name, or {@code null} when the snapshot has exactly one
     * @return the options
     */
    public static RestoreOptions sourceIntoTarget(@Nullable String source) {
        return new RestoreOptions(source == null ? List.of() : List.of(source), true, true);
    }

    /**
     * Returns these options with the given overwrite behaviour.
     *
     * @param replace whether existing files are replaced
     * @return the new options
     */
    public RestoreOptions withOverwrite(boolean replace) {
        return new RestoreOptions(include, replace, intoTarget, allowUnverifiedHistory, owners);
    }

    /**
     * Restores the given paths, replacing existing files.
     *
     * @param paths snapshot paths such as {@code src/etc/app.conf}
     * @return the options
     */
    public static RestoreOptions paths(String... paths) {
        return new RestoreOptions(List.of(paths), true, false);
    }
}
