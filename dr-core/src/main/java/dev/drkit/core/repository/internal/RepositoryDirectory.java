package dev.drkit.core.repository.internal;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.store.SnapshotStores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a {@code file:} repository keeps its objects, compared with the paths a backup reads
 * and a restore writes: by real path (links resolved) as far as the path exists, so that a link
 * or a relative path does not hide that two paths are one.
 */
public final class RepositoryDirectory {
    private RepositoryDirectory() {
    }

    /**
     * Returns the real path of a file store's directory.
     *
     * @param store any store
     * @return its directory, resolved as {@link #real} does; empty for a store that is not a directory
     */
    public static Optional<Path> of(SnapshotStore store) {
        return SnapshotStores.directory(store).map(RepositoryDirectory::real);
    }

    /**
     * Returns a path with links resolved: the real path of its longest existing ancestor
     * (itself, when it exists) followed by the rest of it, normalized.
     *
     * @param path any path
     * @return the absolute path it names
     */
    public static Path real(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        Path existing = absolute;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return absolute;
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(absolute)).normalize();
        } catch (IOException e) {
            return absolute; // unreadable along the way: compare as given
        }
    }
}
