package dev.drkit.core.store.remote;

import dev.drkit.api.DrException;
import dev.drkit.api.store.StoreKeys;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The part of a remote store's configuration builder that every remote store shares: the
 * prefix and the {@link RemoteStoreSettings}. Each setting may be given once; a second call
 * is refused rather than silently winning.
 *
 * @param <B> the store's own builder, which each setter returns
 */
public abstract class RemoteStoreBuilder<B extends RemoteStoreBuilder<B>> {
    private final Set<String> set = new HashSet<>();
    private String prefix = "";
    private Duration connectTimeout = RemoteStoreSettings.DEFAULT_CONNECT_TIMEOUT;
    private Duration attemptTimeout = RemoteStoreSettings.DEFAULT_ATTEMPT_TIMEOUT;
    private int maxAttempts = RemoteStoreSettings.DEFAULT_MAX_ATTEMPTS;
    private Duration initialBackoff = RemoteStoreSettings.DEFAULT_INITIAL_BACKOFF;
    private Duration maxBackoff = RemoteStoreSettings.DEFAULT_MAX_BACKOFF;
    private CircuitBreakerConfig circuitBreaker = RemoteStoreSettings.DEFAULT_CIRCUIT_BREAKER;
    private int uploadConcurrency = RemoteStoreSettings.DEFAULT_UPLOAD_CONCURRENCY;
    private @Nullable MeterRegistry meterRegistry;

    /** Starts with the prefix empty and every setting at its default. */
    protected RemoteStoreBuilder() {
    }

    /**
     * Marks a setting as given.
     *
     * @param name the setting, for the message
     * @throws DrException {@code INVALID_ARGUMENT} when it was given before
     */
    protected final void once(String name) {
        if (!set.add(name)) {
            throw DrException.invalidArgument(name, "must be set only once", "set twice");
        }
    }

    /**
     * Takes the prefix and settings of an existing configuration, none of them marked as given.
     *
     * @param prefix the prefix
     * @param settings the settings
     * @return this builder
     */
    protected final B from(String prefix, RemoteStoreSettings settings) {
        this.prefix = prefix;
        connectTimeout = settings.connectTimeout();
        attemptTimeout = settings.attemptTimeout();
        maxAttempts = settings.maxAttempts();
        initialBackoff = settings.initialBackoff();
        maxBackoff = settings.maxBackoff();
        circuitBreaker = settings.circuitBreaker();
        uploadConcurrency = settings.uploadConcurrency();
        meterRegistry = settings.meterRegistry();
        return self();
    }

    /**
     * Returns the prefix given so far.
     *
     * @return the prefix, or empty
     */
    protected final String prefix() {
        return prefix;
    }

    /**
     * Returns the settings given so far.
     *
     * @return the settings
     * @throws DrException {@code INVALID_ARGUMENT} for settings that contradict each other
     */
    protected final RemoteStoreSettings settings() {
        return new RemoteStoreSettings(connectTimeout, attemptTimeout, maxAttempts, initialBackoff, maxBackoff,
                circuitBreaker, uploadConcurrency, meterRegistry);
    }

    /**
     * Sets the prefix under which the store keeps its objects.
     *
     * @param prefix a valid store key, or empty for the root of the bucket or container
     * @return this builder
     * @throws DrException {@code INVALID_KEY} for an invalid prefix; {@code INVALID_ARGUMENT} when set twice
     */
    public B prefix(String prefix) {
        once("prefix");
        if (!prefix.isEmpty()) {
            StoreKeys.requireValidKey(prefix);
        }
        this.prefix = prefix;
        return self();
    }

    /**
     * Takes every shared setting at once, as if each had been given.
     *
     * @param settings the settings
     * @return this builder
     * @throws DrException {@code INVALID_ARGUMENT} when one of them was given before
     */
    public B settings(RemoteStoreSettings settings) {
        for (String name : new String[] {"connectTimeout", "attemptTimeout", "maxAttempts", "initialBackoff",
            "maxBackoff", "circuitBreaker", "uploadConcurrency", "meterRegistry"}) {
            once(name);
        }
        return from(prefix, settings);
    }

    /**
     * Sets how long to wait for a connection.
     *
     * @param timeout a positive duration
     * @return this builder
     * @throws DrException {@code INVALID_ARGUMENT} for zero or a negative duration, or when set twice
     */
    public B connectTimeout(Duration timeout) {
        once("connectTimeout");
        this.connectTimeout = RemoteStoreSettings.positive("connectTimeout", timeout);
        return self();
    }

    /**
     * Sets how long one HTTP attempt may take before it is abandoned (and retried).
     *
     * @param timeout a positive duration
     * @return this builder
     * @throws DrException {@code INVALID_ARGUMENT} for zero or a negative duration, or when set twice
     */
    public B attemptTimeout(Duration timeout) {
        once("attemptTimeout");
        this.attemptTimeout = RemoteStoreSettings.positive("attemptTimeout", timeout);
        return self();
    }

    /**
     * Sets how many times a request is tried in all, the first included.
     *
     * @param attempts 1 (no retries) to 20
     * @return this builder
     * @throws DrException {@code INVALID_ARGUMENT} outside that range, or when set twice
     */
    public B maxAttempts(int attempts) {
        once("maxAttempts");
        this.maxAttempts = RemoteStoreSettings.between("maxAttempts", attempts, 1, 20);
        return self();
    }

    /**
     * Sets the wait before the first retry.
     *
     * @param backoff a positive duration
     * @return this builder
     * @throws DrException {@code INVALID_ARGUMENT} for zero or a negative duration, or when set twice
     */
    public B initialBackoff(Duration backoff) {
        once("initialBackoff");
        this.initialBackoff = RemoteStoreSettings.positive("initialBackoff", backoff);
        return self();
    }

    /**
     * Sets the longest wait between attempts.
     *
     * @param backoff a positive duration
     * @return this builder
     * @throws DrException {@code INVALID_ARGUMENT} for zero or a negative duration, or when set twice
     */
    public B maxBackoff(Duration backoff) {
        once("maxBackoff");
        this.maxBackoff = RemoteStoreSettings.positive("maxBackoff", backoff);
        return self();
    }

    /**
     * Sets the circuit breaker's configuration; only transient failures count against it.
     *
     * @param config the configuration
     * @return this builder
     * @throws DrException {@code INVALID_ARGUMENT} when set twice
     */
    public B circuitBreaker(CircuitBreakerConfig config) {
        once("circuitBreaker");
        this.circuitBreaker = Objects.requireNonNull(config, "circuitBreaker");
        return self();
    }

    /**
     * Sets how many chunks (parts, blocks) of one object are uploaded at once.
     *
     * @param chunks 1 to 64
     * @return this builder
     * @throws DrException {@code INVALID_ARGUMENT} outside that range, or when set twice
     */
    public B uploadConcurrency(int chunks) {
        once("uploadConcurrency");
        this.uploadConcurrency = RemoteStoreSettings.between("uploadConcurrency", chunks, 1, 64);
        return self();
    }

    /**
     * Sends the store's metrics ({@code dr.store.*}) to a registry.
     *
     * @param registry the registry
     * @return this builder
     * @throws DrException {@code INVALID_ARGUMENT} when set twice
     */
    public B meterRegistry(MeterRegistry registry) {
        once("meterRegistry");
        this.meterRegistry = Objects.requireNonNull(registry, "meterRegistry");
        return self();
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }
}
