package dev.drkit.core.store.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.RedactedUri;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.api.store.SnapshotStoreProvider;
import dev.drkit.core.store.UriOptions;
import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * Opens {@code file:} URIs: {@code file:/var/backups/repo}, {@code file:///var/backups/repo} or
 * {@code file:relative/dir}. The one option, {@code ?create=true}, creates the directory when it
 * is missing as the store opens; without it, the directory is created with a repository or a
 * coordinator ({@link SnapshotStore#createLocationIfMissing}), and a write never creates it.
 */
public final class FileStoreProvider implements SnapshotStoreProvider {

    /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
    public FileStoreProvider() {
    }

    /**
     * Opens the file store of a directory, for {@code SnapshotStores.file}; the store type
     * itself stays package-private.
     *
     * @param directory the root directory; writes do not create it
     * @return the store
     */
    public static SnapshotStore openDirectory(Path directory) {
        return new FileSnapshotStore(directory);
    }


    /**
     * Returns the directory of a file store, for {@code SnapshotStores.directory}.
     *
     * @param store any store
     * @return its root directory when it is a file store, else empty
     */
    public static Optional<Path> directoryOf(SnapshotStore store) {
        return store instanceof FileSnapshotStore file ? Optional.of(file.root()) : Optional.empty();
    }

    @Override
    public Set<String> schemes() {
        return Set.of("file");
    }

    @Override
    public SnapshotStore open(URI uri) {
        String path;
        if (uri.isOpaque()) {
            path = uri.getSchemeSpecificPart();
        } else {
            String host = uri.getHost();
            if (host != null && !host.isEmpty() && !host.equals("localhost")) {
                throw new DrException(ErrorCode.INVALID_CONFIG,
                        "A file: URI must name a local path, not host '" + host + "': " + RedactedUri.of(uri),
                        RedactedUri.of(uri));
            }
            path = uri.getPath();
        }
        if (path == null || path.isEmpty()) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "A file: URI needs a path: " + RedactedUri.of(uri),
                    RedactedUri.of(uri));
        }
        UriOptions options = UriOptions.of(uri);
        Boolean create = options.bool("create");
        options.requireAllRead(Set.of("create"));
        FileSnapshotStore store;
        try {
            store = new FileSnapshotStore(Path.of(path));
        } catch (InvalidPathException e) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "Invalid path in " + RedactedUri.of(uri) + ": "
                    + e.getReason(), RedactedUri.of(uri), e);
        }
        if (Boolean.TRUE.equals(create)) {
            store.createRoot();
        }
        return store;
    }
}
