package dev.drkit.core.store;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.RedactedUri;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.api.store.SnapshotStoreProvider;
import dev.drkit.core.store.internal.FileStoreProvider;
import dev.drkit.core.store.internal.MemoryStoreProvider;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Opens {@link SnapshotStore}s: by URI through the {@link SnapshotStoreProvider}s installed
 * on the class path, or the built-in memory and file stores directly.
 *
 * <pre>{@code
 * SnapshotStore local = SnapshotStores.open("file:/var/backups/orders");  // ?create=true makes the directory
 * SnapshotStore cloud = SnapshotStores.open("s3://backups/orders?region=eu-west-1");
 * SnapshotStore test  = SnapshotStores.memory();
 * }</pre>
 */
public final class SnapshotStores {
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]+:.*", Pattern.DOTALL);

    private SnapshotStores() {
    }

    /**
     * Opens the store a URI names, through the provider installed for its scheme.
     *
     * @param uri the location, such as {@code file:/srv/repo} or {@code s3://bucket/prefix}
     * @return the open store; the caller closes it
     * @throws DrException {@code UNKNOWN_SCHEME} naming the installed schemes when no
     *     provider owns the URI's scheme; whatever the provider throws for a bad URI
     */
    public static SnapshotStore open(URI uri) {
        String scheme = uri.getScheme();
        if (scheme == null) {
            throw new DrException(ErrorCode.UNKNOWN_SCHEME, "Store URI '" + RedactedUri.of(uri)
                    + "' has no scheme; installed schemes: " + installedSchemes(), RedactedUri.of(uri));
        }
        String wanted = scheme.toLowerCase(Locale.ROOT);
        for (SnapshotStoreProvider provider : providers()) {
            if (provider.schemes().contains(wanted)) {
                return provider.open(uri);
            }
        }
        throw new DrException(ErrorCode.UNKNOWN_SCHEME, "No store is installed for scheme '" + scheme + "' in '"
                + RedactedUri.of(uri) + "'; installed schemes: " + installedSchemes()
                + " (add the module that provides it, such as dr-storage-s3 or dr-storage-azure)",
                RedactedUri.of(uri));
    }

    /**
     * Opens a store from text: a URI with a scheme, or a plain file system path, which means
     * a {@code file:} store.
     *
     * @param location a URI or a path
     * @return the open store
     * @throws DrException {@code INVALID_CONFIG} for a malformed URI or path, or a scheme alone
     *     ({@code mem:}); as {@link #open(URI)} otherwise
     */
    public static SnapshotStore open(String location) {
        if (location == null || location.isBlank()) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "Store location must not be empty", "location");
        }
        if (!SCHEME.matcher(location).matches()) {
            Path path;
            try {
                path = Path.of(location);
            } catch (InvalidPathException e) {
                throw new DrException(ErrorCode.INVALID_CONFIG, "Store location '" + RedactedUri.of(location)
                        + "' is neither a URI nor a valid path: " + e.getReason(), RedactedUri.of(location), e);
            }
            return file(path);
        }
        if (location.indexOf(':') == location.length() - 1) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "Store URI '" + location + "' names no store after its "
                    + "scheme: give one, such as mem:drill, file:/var/lib/dr or s3://bucket/prefix", location);
        }
        try {
            return open(new URI(location));
        } catch (URISyntaxException e) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "Malformed store URI '" + RedactedUri.of(location)
                    + "': " + e.getReason(), RedactedUri.of(location), e);
        }
    }

    /**
     * Opens a store in a local directory. Writes need the directory to exist and never create
     * it: one that is gone (removed, moved, a volume not mounted) is an error naming it, rather
     * than an empty store started in its place. {@code Repository.init} and {@code openOrInit}
     * and a store coordinator's open create it when it is missing; so does the URI option
     * {@code file:/path?create=true} of {@link #open(String)}.
     *
     * @param directory the root directory
     * @return the store
     */
    public static SnapshotStore file(Path directory) {
        return FileStoreProvider.openDirectory(directory);
    }

    /**
     * Returns the directory a file store (of {@link #file} or a {@code file:} URI) keeps its
     * objects in, so that a caller can look at what else the directory holds: its listing shows
     * only the names the store itself writes.
     *
     * @param store any store
     * @return its absolute root directory when it is a file store, else empty
     */
    public static Optional<Path> directory(SnapshotStore store) {
        return FileStoreProvider.directoryOf(store);
    }

    /**
     * Creates an empty store in memory.
     *
     * @return the store
     */
    public static SnapshotStore memory() {
        return MemoryStoreProvider.create("mem:", Clock.systemUTC());
    }

    /**
     * Creates an empty store in memory whose modification times come from a clock.
     *
     * @param name a name for messages, such as {@code "primary"}
     * @param clock the clock
     * @return the store
     */
    public static SnapshotStore memory(String name, Clock clock) {
        return MemoryStoreProvider.create("mem:" + name, clock);
    }

    /**
     * Returns the URI schemes of the providers installed on the class path.
     *
     * @return the schemes, sorted
     */
    public static Set<String> installedSchemes() {
        Set<String> schemes = new TreeSet<>();
        for (SnapshotStoreProvider provider : providers()) {
            schemes.addAll(provider.schemes());
        }
        return schemes;
    }

    private static Iterable<SnapshotStoreProvider> providers() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        return ServiceLoader.load(SnapshotStoreProvider.class,
                loader != null ? loader : SnapshotStores.class.getClassLoader());
    }
}
