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

    @Override
    public Set<String> schemes() {
        return Set.of("mem");
    }

    @Override
    public SnapshotStore open(URI uri) {
        return new MemorySnapshotStore("mem:" + (uri.isOpaque() ? uri.getSchemeSpecificPart() : ""), Clock.systemUTC());
    }
}
