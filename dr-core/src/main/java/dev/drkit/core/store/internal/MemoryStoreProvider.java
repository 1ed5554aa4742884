package dev.drkit.core.store.internal;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.api.store.SnapshotStoreProvider;
import java.net.URI;
import java.time.Clock;
import java.util.Set;

/** Opens {@code mem:} URIs: each open returns a new, empty store named by the URI. */
public final class MemoryStoreProvider implements SnapshotStoreProvider {

    /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
    public MemoryStoreProvider() {
    }

    /**
     * Creates an empty memory store, for {@code SnapshotStores.memory}; the store type itself
     * stays package-private.
     *
     * @param name the name {@code describe()} returns, such as {@code mem:primary}
     * @param clock the clock of modification times
     * @return the store
     */
    public static SnapshotStore create(String name, Clock clock) {
        return new MemorySnapshotStore(name, clock);
    }

    @Override
    public Set<String> schemes() {
        return Set.of("mem");
    }

    @Override
    public SnapshotStore open(URI uri) {
        return create("mem:" + (uri.isOpaque() ? uri.getSchemeSpecificPart() : ""), Clock.systemUTC());
    }
}
