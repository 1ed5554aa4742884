package dev.drkit.core.coordination;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.coordination.Coordinator;
import dev.drkit.api.store.RedactedUri;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;

/**
 * Opens {@link Coordinator}s by URI through the {@link CoordinatorProvider}s installed on the
 * class path, such as the {@code zookeeper} scheme of {@code dr-coordination-zookeeper}:
 *
 * <pre>{@code
 * Coordinator fleet = Coordinators.open("zookeeper://zk1:2181,zk2:2181/orders",
 *         CoordinatorConfig.ofDefaults("orders-1"));
 * }</pre>
 *
 * <p>The store-backed default needs no URI of its own: open it with
 * {@link StoreCoordinator#open} on the store the fleet backs up into.
 */
public final class Coordinators {

    private Coordinators() {
    }

    /**
     * Opens a coordinator through the provider installed for the URI's scheme.
     *
     * @param uri the coordination service, such as {@code zookeeper://zk1:2181/orders}
     * @param config the settings
     * @return the open coordinator; the caller closes it
     * @throws DrException {@code INVALID_CONFIG} for blank or malformed text;
     *     {@code UNKNOWN_SCHEME} naming the installed schemes when no provider owns the scheme;
     *     whatever the provider throws (such as {@code UNAVAILABLE} for an unreachable service)
     */
    public static Coordinator open(String uri, CoordinatorConfig config) {
        if (uri == null || uri.isBlank()) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "Coordinator URI must not be empty", "uri");
        }
        URI parsed;
        try {
            parsed = new URI(uri.strip());
        } catch (URISyntaxException e) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "Malformed coordinator URI '" + RedactedUri.of(uri)
                    + "': " + e.getReason(), RedactedUri.of(uri), e);
        }
        String scheme = parsed.getScheme();
        if (scheme == null) {
            throw new DrException(ErrorCode.UNKNOWN_SCHEME, "Coordinator URI '" + RedactedUri.of(uri)
                    + "' has no scheme; installed schemes: " + installedSchemes(), RedactedUri.of(uri));
        }
        String wanted = scheme.toLowerCase(Locale.ROOT);
        for (CoordinatorProvider provider : providers()) {
            if (provider.schemes().contains(wanted)) {
                return provider.open(parsed, config);
            }
        }
        throw new DrException(ErrorCode.UNKNOWN_SCHEME, "No coordinator is installed for scheme '" + scheme
                + "' in '" + RedactedUri.of(uri) + "'; installed schemes: " + installedSchemes()
                + " (add the module that provides it, such as dr-coordination-zookeeper)", RedactedUri.of(uri));
    }

    /**
     * Returns the URI schemes of the coordinator providers installed on the class path.
     *
     * @return the schemes, sorted; empty when none is installed
     */
    public static Set<String> installedSchemes() {
        Set<String> schemes = new TreeSet<>();
        for (CoordinatorProvider provider : providers()) {
            schemes.addAll(provider.schemes());
        }
        return schemes;
    }

    private static Iterable<CoordinatorProvider> providers() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        return ServiceLoader.load(CoordinatorProvider.class,
                loader != null ? loader : Coordinators.class.getClassLoader());
    }
}
