package dev.drkit.core.store.remote;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.RedactedUri;
import dev.drkit.core.store.UriOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A remote store's URI, {@code scheme://container/prefix?option=value&...}, read once: the
 * container (or bucket), the prefix, the {@code endpoint} and the options of
 * {@link RemoteStoreSettings}, with the store's own options read by the store. Every error is
 * {@code INVALID_CONFIG}, names the option and its value, and shows the URI with its secrets
 * removed; an option nobody read is refused with the list of the known ones.
 */
public final class RemoteStoreUri {
    /** The options every remote store understands: the endpoint and the shared settings. */
    public static final Set<String> SHARED_OPTIONS = Set.of("endpoint", "uploadConcurrency", "connectTimeout",
            "attemptTimeout", "maxAttempts", "initialBackoff", "maxBackoff");

    private final String where;
    private final String container;
    private final String prefix;
    private final UriOptions options;

    private RemoteStoreUri(String where, String container, String prefix, UriOptions options) {
        this.where = where;
        this.container = container;
        this.prefix = prefix;
        this.options = options;
    }

    /**
     * Reads a store URI into a configuration.
     *
     * @param uri the URI
     * @param scheme the store's scheme, such as {@code s3}
     * @param container what the host names, such as {@code bucket}, for messages
     * @param credentialsAdvice where credentials come from instead of the URI, for messages
     * @param storeOptions the store's own options, besides {@link #SHARED_OPTIONS}
     * @param reader builds the configuration from the read URI
     * @param <C> the configuration
     * @return the configuration
     * @throws DrException {@code INVALID_CONFIG} naming what is wrong, with secrets removed
     */
    public static <C> C read(URI uri, String scheme, String container, String credentialsAdvice,
            Set<String> storeOptions, Function<RemoteStoreUri, C> reader) {
        Objects.requireNonNull(uri, "uri");
        String where = RedactedUri.of(uri);
        if (!scheme.equalsIgnoreCase(uri.getScheme())) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "Not an " + scheme + ":// URI: " + where, where);
        }
        if (uri.getRawUserInfo() != null) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "An " + scheme + ":// URI must not carry credentials; "
                    + credentialsAdvice + ": " + where, where);
        }
        String name = uri.getHost() != null ? uri.getHost() : uri.getAuthority();
        if (name == null || name.isEmpty()) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "An " + scheme + ":// URI needs a " + container
                    + ", as in " + scheme + "://" + container + "/prefix: " + where, where);
        }
        RemoteStoreUri read = new RemoteStoreUri(where, name, trimSlashes(uri.getPath()), UriOptions.of(uri));
        try {
            C config = reader.apply(read);
            Set<String> known = new HashSet<>(SHARED_OPTIONS);
            known.addAll(storeOptions);
            read.options.requireAllRead(known);
            return config;
        } catch (DrException e) {
            if (e.code() == ErrorCode.INVALID_CONFIG) {
                throw e;
            }
            throw new DrException(ErrorCode.INVALID_CONFIG, e.getMessage() + " in " + where, where, e);
        }
    }

    /**
     * Returns a store's location as a URI with no credentials, for messages.
     *
     * @param scheme the scheme
     * @param container the container or bucket
     * @param prefix the prefix, possibly empty
     * @param endpoint the endpoint with its secrets removed, or null for none
     * @return such as {@code s3://bucket/prefix?endpoint=http://127.0.0.1:9000}
     */
    public static String describe(String scheme, String container, String prefix, @Nullable String endpoint) {
        StringBuilder out = new StringBuilder(scheme).append("://").append(container);
        if (!prefix.isEmpty()) {
            out.append('/').append(prefix);
        }
        if (endpoint != null) {
            out.append("?endpoint=").append(endpoint);
        }
        return out.toString();
    }

    /**
     * Returns the URI with its secrets removed, for messages.
     *
     * @return the redacted URI
     */
    public String where() {
        return where;
    }

    /**
     * Returns the container (or bucket): the URI's host.
     *
     * @return the name, not yet validated
     */
    public String container() {
        return container;
    }

    /**
     * Returns the prefix: the URI's path without leading or trailing slashes.
     *
     * @return the prefix, possibly empty
     */
    public String prefix() {
        return prefix;
    }

    /**
     * Returns the options, for the store's own.
     *
     * @return the options
     */
    public UriOptions options() {
        return options;
    }

    /**
     * Reads the {@code endpoint} option: an http:// or https:// URL.
     *
     * @return the endpoint, or null when absent
     * @throws DrException {@code INVALID_CONFIG} for anything else
     */
    public @Nullable URI endpoint() {
        String endpoint = options.string("endpoint");
        if (endpoint == null) {
            return null;
        }
        try {
            URI parsed = new URI(endpoint);
            String scheme = parsed.getScheme();
            if (parsed.getHost() == null || !("http".equals(scheme) || "https".equals(scheme))) {
                throw options.invalid("endpoint", "must be an http:// or https:// URL, but was "
                        + RedactedUri.of(endpoint));
            }
            return parsed;
        } catch (URISyntaxException e) {
            throw options.invalid("endpoint", "is not a URL: " + RedactedUri.of(endpoint));
        }
    }

    /**
     * Reads a size option below 2 GiB, such as a part or block size.
     *
     * @param name the option
     * @return the size in bytes, or null when absent
     * @throws DrException {@code INVALID_CONFIG} for a value that is not a size or is too large
     */
    public @Nullable Integer intSize(String name) {
        Long size = options.size(name);
        if (size != null && size > Integer.MAX_VALUE) {
            throw options.invalid(name, "must be below 2 GiB, but was " + size);
        }
        return size == null ? null : size.intValue();
    }

    /**
     * Reads the options of {@link RemoteStoreSettings} into a store's builder.
     *
     * @param builder the builder
     * @param <B> the store's builder
     * @return {@code builder}
     * @throws DrException {@code INVALID_CONFIG} for a value that cannot be read;
     *     {@code INVALID_ARGUMENT} for one the builder refuses
     */
    public <B extends RemoteStoreBuilder<B>> B settings(B builder) {
        set(options.integer("uploadConcurrency"), builder::uploadConcurrency);
        set(options.duration("connectTimeout"), builder::connectTimeout);
        set(options.duration("attemptTimeout"), builder::attemptTimeout);
        set(options.integer("maxAttempts"), builder::maxAttempts);
        set(options.duration("initialBackoff"), builder::initialBackoff);
        set(options.duration("maxBackoff"), builder::maxBackoff);
        return builder;
    }

    /**
     * Gives a value to a setter when it is present.
     *
     * @param value the option's value, or null when absent
     * @param setter the builder's setter
     * @param <T> the value
     */
    public static <T> void set(@Nullable T value, Consumer<T> setter) {
        if (value != null) {
            setter.accept(value);
        }
    }

    private static String trimSlashes(@Nullable String path) {
        if (path == null) {
            return "";
        }
        int start = 0;
        int end = path.length();
        while (start < end && path.charAt(start) == '/') {
            start++;
        }
        while (end > start && path.charAt(end - 1) == '/') {
            end--;
        }
        return path.substring(start, end);
    }
}
