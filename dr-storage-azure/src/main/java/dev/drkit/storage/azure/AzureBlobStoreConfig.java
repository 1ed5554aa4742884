package dev.drkit.storage.azure;

import dev.drkit.core.store.UriOptions;
import com.azure.core.credential.TokenCredential;
import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.RedactedUri;
import dev.drkit.api.store.StoreKeys;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The immutable settings of an Azure Blob store: the container and prefix, the credentials,
 * how blobs are uploaded and how hard the store tries before it gives up.
 *
 * <p>Credentials are one of: a connection string (such as the value of
 * {@code AZURE_STORAGE_CONNECTION_STRING}); an endpoint with a shared account key; an
 * endpoint with a {@link TokenCredential} (for example {@code DefaultAzureCredential} from
 * azure-identity, added by the application); or an endpoint with a SAS token. They are never
 * part of the store URI and never appear in messages.
 */
public final class AzureBlobStoreConfig {
    /** Blobs larger than this are uploaded as blocks in parallel: 16 MiB. */
    public static final long DEFAULT_SINGLE_UPLOAD_THRESHOLD = 16L << 20;
    /** The size of each block of a block upload: 8 MiB. */
    public static final int DEFAULT_BLOCK_SIZE = 8 << 20;
    /** How many blocks of one blob are uploaded at once: 4. */
    public static final int DEFAULT_UPLOAD_CONCURRENCY = 4;
    /** How long to wait for a connection: 5 seconds. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** How long one HTTP attempt may wait for its response: 60 seconds. */
    public static final Duration DEFAULT_ATTEMPT_TIMEOUT = Duration.ofSeconds(60);
    /** How many times a request is tried in all, the first included: 5. */
    public static final int DEFAULT_MAX_ATTEMPTS = 5;
    /** The wait before the first retry, doubled (with jitter) for each further one: 200 ms. */
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(200);
    /** The longest wait between two attempts: 5 seconds. */
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(5);
    /** The circuit breaker: opens when half of the last 20 requests (at least 10) failed transiently. */
    public static final CircuitBreakerConfig DEFAULT_CIRCUIT_BREAKER = CircuitBreakerConfig.custom()
            .failureRateThreshold(50)
            .slidingWindowSize(20)
            .minimumNumberOfCalls(10)
            .waitDurationInOpenState(Duration.ofSeconds(30))
            .permittedNumberOfCallsInHalfOpenState(3)
            .build();
    /** The environment variable with a connection string. */
    public static final String CONNECTION_STRING_VARIABLE = "AZURE_STORAGE_CONNECTION_STRING";

    private static final Pattern CONTAINER = Pattern.compile("(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]");
    private static final Set<String> OPTIONS = Set.of("endpoint", "accessTier", "singleUploadThreshold",
            "blockSize", "uploadConcurrency", "connectTimeout", "attemptTimeout", "maxAttempts", "initialBackoff",
            "maxBackoff");

    private final String container;
    private final String prefix;
    private final @Nullable String connectionString;
    private final @Nullable URI endpoint;
    private final @Nullable String accountName;
    private final @Nullable String accountKey;
    private final @Nullable TokenCredential tokenCredential;
    private final @Nullable String sasToken;
    private final @Nullable String accessTier;
    private final long singleUploadThreshold;
    private final int blockSize;
    private final int uploadConcurrency;
    private final Duration connectTimeout;
    private final Duration attemptTimeout;
    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final CircuitBreakerConfig circuitBreaker;
    private final @Nullable MeterRegistry meterRegistry;

    private AzureBlobStoreConfig(Builder b) {
        container = b.container;
        prefix = b.prefix;
        connectionString = b.connectionString;
        endpoint = b.endpoint;
        accountName = b.accountName;
        accountKey = b.accountKey;
        tokenCredential = b.tokenCredential;
        sasToken = b.sasToken;
        accessTier = b.accessTier;
        singleUploadThreshold = b.singleUploadThreshold;
        blockSize = b.blockSize;
        uploadConcurrency = b.uploadConcurrency;
        connectTimeout = b.connectTimeout;
        attemptTimeout = b.attemptTimeout;
        maxAttempts = b.maxAttempts;
        initialBackoff = b.initialBackoff;
        maxBackoff = b.maxBackoff;
        circuitBreaker = b.circuitBreaker;
        meterRegistry = b.meterRegistry;
        int credentials = (accountKey != null ? 1 : 0) + (tokenCredential != null ? 1 : 0) + (sasToken != null ? 1 : 0);
        if (connectionString == null && endpoint == null) {
            throw DrException.invalidArgument("credentials", "need a connection string or an endpoint", "neither");
        }
        if (connectionString == null && credentials != 1) {
            throw DrException.invalidArgument("credentials",
                    "need exactly one of an account key, a token credential or a SAS token with an endpoint",
                    credentials + " given");
        }
        if (connectionString != null && credentials != 0) {
            throw DrException.invalidArgument("credentials",
                    "come either from the connection string or from a key, token or SAS", "both");
        }
        if (blockSize > singleUploadThreshold) {
            throw DrException.invalidArgument("blockSize",
                    "must be <= singleUploadThreshold (" + singleUploadThreshold + ")", blockSize);
        }
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw DrException.invalidArgument("maxBackoff", "must be >= initialBackoff (" + initialBackoff + ")",
                    maxBackoff);
        }
    }

    /**
     * Starts a configuration for a container.
     *
     * @param container the container's name: 3 to 63 lowercase letters, digits and single hyphens
     * @return a builder; give it credentials before {@link Builder#build()}
     * @throws DrException {@code INVALID_ARGUMENT} for an invalid container name
     */
    public static Builder builder(String container) {
        return new Builder(container);
    }

    /**
     * Reads a configuration from an {@code azblob://container/prefix?option=value} URI, with
     * credentials from the process environment.
     *
     * @param uri the URI
     * @return the configuration
     * @throws DrException {@code INVALID_CONFIG} naming what is wrong, with secrets removed
     * @see #fromUri(URI, Map)
     */
    public static AzureBlobStoreConfig fromUri(URI uri) {
        return fromUri(uri, System.getenv());
    }

    /**
     * Reads a configuration from an {@code azblob://container/prefix?option=value} URI, with
     * credentials from the given environment.
     *
     * <p>Without {@code endpoint}, the connection string in
     * {@code AZURE_STORAGE_CONNECTION_STRING} is used. With {@code endpoint} (such as
     * {@code https://account.blob.core.windows.net} or
     * {@code http://127.0.0.1:10000/devstoreaccount1}), the account key in
     * {@code AZURE_STORAGE_KEY} (account name from {@code AZURE_STORAGE_ACCOUNT} or the
     * endpoint), else the SAS token in {@code AZURE_STORAGE_SAS_TOKEN}, else the connection
     * string, pointed at that endpoint. Other options: {@code accessTier} (Hot, Cool, Cold,
     * Archive), {@code singleUploadThreshold} and {@code blockSize} (bytes, or with KiB, MiB,
     * GiB), {@code uploadConcurrency}, {@code connectTimeout}, {@code attemptTimeout},
     * {@code maxAttempts}, {@code initialBackoff}, {@code maxBackoff}.
     *
     * @param uri the URI
     * @param environment the environment variables to read credentials from
     * @return the configuration
     * @throws DrException {@code INVALID_CONFIG} naming what is wrong, with secrets removed
     */
    public static AzureBlobStoreConfig fromUri(URI uri, Map<String, String> environment) {
        Objects.requireNonNull(uri, "uri");
        String where = RedactedUri.of(uri);
        if (!"azblob".equalsIgnoreCase(uri.getScheme())) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "Not an azblob:// URI: " + where, where);
        }
        if (uri.getRawUserInfo() != null) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "An azblob:// URI must not carry credentials; use "
                    + CONNECTION_STRING_VARIABLE + " or AZURE_STORAGE_KEY: " + where, where);
        }
        String container = uri.getHost() != null ? uri.getHost() : uri.getAuthority();
        if (container == null || container.isEmpty()) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "An azblob:// URI needs a container, as in "
                    + "azblob://container/prefix: " + where, where);
        }
        UriOptions options = UriOptions.of(uri);
        try {
            String path = uri.getPath() == null ? "" : uri.getPath().replaceAll("^/+|/+$", "");
            Builder b = builder(container).prefix(path);
            String endpoint = options.string("endpoint");
            String connectionString = environment.get(CONNECTION_STRING_VARIABLE);
            if (endpoint == null) {
                if (connectionString == null || connectionString.isBlank()) {
                    throw new DrException(ErrorCode.INVALID_CONFIG, "No credentials for " + where + ": set "
                            + CONNECTION_STRING_VARIABLE + ", or give ?endpoint= with AZURE_STORAGE_KEY", where);
                }
                b.connectionString(connectionString);
            } else {
                URI parsed = parseEndpoint(options, endpoint);
                b.endpoint(parsed);
                String key = environment.get("AZURE_STORAGE_KEY");
                String sas = environment.get("AZURE_STORAGE_SAS_TOKEN");
                if (key != null && !key.isBlank()) {
                    String account = environment.getOrDefault("AZURE_STORAGE_ACCOUNT", accountOf(parsed));
                    if (account == null) {
                        throw options.invalid("endpoint", "names no account; set AZURE_STORAGE_ACCOUNT");
                    }
                    b.sharedKey(account, key);
                } else if (sas != null && !sas.isBlank()) {
                    b.sasToken(sas);
                } else if (connectionString != null && !connectionString.isBlank()) {
                    b.connectionString(connectionString);
                } else {
                    throw new DrException(ErrorCode.INVALID_CONFIG, "No credentials for " + where + ": set "
                            + "AZURE_STORAGE_KEY, AZURE_STORAGE_SAS_TOKEN or " + CONNECTION_STRING_VARIABLE, where);
                }
            }
            String tier = options.string("accessTier");
            if (tier != null) {
                b.accessTier(tier);
            }
            Long threshold = options.size("singleUploadThreshold");
            if (threshold != null) {
                b.singleUploadThreshold(threshold);
            }
            Long blockSize = options.size("blockSize");
            if (blockSize != null) {
                if (blockSize > Integer.MAX_VALUE) {
                    throw options.invalid("blockSize", "must be below 2 GiB, but was " + blockSize);
                }
                b.blockSize(blockSize.intValue());
            }
            Integer concurrency = options.integer("uploadConcurrency");
            if (concurrency != null) {
                b.uploadConcurrency(concurrency);
            }
            Duration connectTimeout = options.duration("connectTimeout");
            if (connectTimeout != null) {
                b.connectTimeout(connectTimeout);
            }
            Duration attemptTimeout = options.duration("attemptTimeout");
            if (attemptTimeout != null) {
                b.attemptTimeout(attemptTimeout);
            }
            Integer maxAttempts = options.integer("maxAttempts");
            if (maxAttempts != null) {
                b.maxAttempts(maxAttempts);
            }
            Duration initialBackoff = options.duration("initialBackoff");
            if (initialBackoff != null) {
                b.initialBackoff(initialBackoff);
            }
            Duration maxBackoff = options.duration("maxBackoff");
            if (maxBackoff != null) {
                b.maxBackoff(maxBackoff);
            }
            options.requireAllRead(OPTIONS);
            return b.build();
        } catch (DrException e) {
            if (e.code() == ErrorCode.INVALID_CONFIG) {
                throw e;
            }
            throw new DrException(ErrorCode.INVALID_CONFIG, e.getMessage() + " in " + where, where, e);
        }
    }

    private static URI parseEndpoint(UriOptions options, String endpoint) {
        try {
            URI parsed = new URI(endpoint);
            if (parsed.getHost() == null || !("http".equals(parsed.getScheme()) || "https".equals(parsed.getScheme()))) {
                throw options.invalid("endpoint", "must be an http:// or https:// URL, but was "
                        + RedactedUri.of(endpoint));
            }
            if (parsed.getRawQuery() != null) {
                throw options.invalid("endpoint", "must not carry a query (put a SAS token in AZURE_STORAGE_SAS_TOKEN)");
            }
            return parsed;
        } catch (java.net.URISyntaxException e) {
            throw options.invalid("endpoint", "is not a URL: " + RedactedUri.of(endpoint));
        }
    }

    /** The account of an endpoint: the first path segment for emulators, else the first host label. */
    static @Nullable String accountOf(URI endpoint) {
        String path = endpoint.getPath() == null ? "" : endpoint.getPath().replaceAll("^/+|/+$", "");
        if (!path.isEmpty()) {
            return path.split("/")[0];
        }
        String host = endpoint.getHost();
        int dot = host.indexOf('.');
        return dot > 0 && !Character.isDigit(host.charAt(0)) ? host.substring(0, dot) : null;
    }

    /**
     * Returns the container.
     *
     * @return the container's name
     */
    public String container() {
        return container;
    }

    /**
     * Returns the prefix under which the store keeps its blobs.
     *
     * @return the prefix without leading or trailing {@code /}, or empty
     */
    public String prefix() {
        return prefix;
    }

    /**
     * Returns the connection string, which holds a secret.
     *
     * @return the connection string, or null when an endpoint and credential are used
     */
    public @Nullable String connectionString() {
        return connectionString;
    }

    /**
     * Returns the blob service endpoint given in code or the URI.
     *
     * @return the endpoint, or null when the connection string names it
     */
    public @Nullable URI endpoint() {
        return endpoint;
    }

    /**
     * Returns the account name of a shared key.
     *
     * @return the account, or null
     */
    public @Nullable String accountName() {
        return accountName;
    }

    /**
     * Returns the shared account key, a secret.
     *
     * @return the key, or null
     */
    public @Nullable String accountKey() {
        return accountKey;
    }

    /**
     * Returns the token credential.
     *
     * @return the credential, or null
     */
    public @Nullable TokenCredential tokenCredential() {
        return tokenCredential;
    }

    /**
     * Returns the SAS token, a secret.
     *
     * @return the token, or null
     */
    public @Nullable String sasToken() {
        return sasToken;
    }

    /**
     * Returns the access tier written blobs get.
     *
     * @return such as {@code Cool}, or null for the account's default
     */
    public @Nullable String accessTier() {
        return accessTier;
    }

    /**
     * Returns the size above which blobs are uploaded as parallel blocks.
     *
     * @return the threshold in bytes
     */
    public long singleUploadThreshold() {
        return singleUploadThreshold;
    }

    /**
     * Returns the size of each block.
     *
     * @return the block size in bytes
     */
    public int blockSize() {
        return blockSize;
    }

    /**
     * Returns how many blocks of one blob are uploaded at once.
     *
     * @return the number of parallel block uploads
     */
    public int uploadConcurrency() {
        return uploadConcurrency;
    }

    /**
     * Returns how long to wait for a connection.
     *
     * @return the connect timeout
     */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /**
     * Returns how long one HTTP attempt may wait for its response.
     *
     * @return the attempt timeout
     */
    public Duration attemptTimeout() {
        return attemptTimeout;
    }

    /**
     * Returns how many times a request is tried in all.
     *
     * @return the attempts, the first included
     */
    public int maxAttempts() {
        return maxAttempts;
    }

    /**
     * Returns the wait before the first retry.
     *
     * @return the initial backoff
     */
    public Duration initialBackoff() {
        return initialBackoff;
    }

    /**
     * Returns the longest wait between attempts.
     *
     * @return the maximum backoff
     */
    public Duration maxBackoff() {
        return maxBackoff;
    }

    /**
     * Returns the configuration of the store's circuit breaker.
     *
     * @return the breaker's configuration
     */
    public CircuitBreakerConfig circuitBreaker() {
        return circuitBreaker;
    }

    /**
     * Returns the registry that receives the store's metrics.
     *
     * @return the registry, or null for none
     */
    public @Nullable MeterRegistry meterRegistry() {
        return meterRegistry;
    }

    /**
     * Returns the store's location as a URI without credentials, for messages.
     *
     * @return such as {@code azblob://backups/service-a?endpoint=http://127.0.0.1:10000/devstoreaccount1}
     */
    public String describe() {
        StringBuilder out = new StringBuilder("azblob://").append(container);
        if (!prefix.isEmpty()) {
            out.append('/').append(prefix);
        }
        String shown = endpoint != null ? RedactedUri.of(endpoint) : blobEndpointOf(connectionString);
        if (shown != null) {
            out.append("?endpoint=").append(shown);
        }
        return out.toString();
    }

    private static @Nullable String blobEndpointOf(@Nullable String connectionString) {
        if (connectionString == null) {
            return null;
        }
        String account = null;
        for (String part : connectionString.split(";")) {
            int eq = part.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String name = part.substring(0, eq).trim();
            String value = part.substring(eq + 1).trim();
            if (name.equalsIgnoreCase("BlobEndpoint")) {
                return RedactedUri.of(value);
            }
            if (name.equalsIgnoreCase("AccountName")) {
                account = value;
            }
        }
        return account == null ? null : "https://" + account + ".blob.core.windows.net";
    }

    @Override
    public String toString() {
        return "AzureBlobStoreConfig[" + describe() + "]";
    }

    /**
     * Returns a builder that starts from this configuration.
     *
     * @return a builder whose settings may each be changed once
     */
    public Builder toBuilder() {
        Builder b = new Builder(container);
        b.prefix = prefix;
        b.connectionString = connectionString;
        b.endpoint = endpoint;
        b.accountName = accountName;
        b.accountKey = accountKey;
        b.tokenCredential = tokenCredential;
        b.sasToken = sasToken;
        b.accessTier = accessTier;
        b.singleUploadThreshold = singleUploadThreshold;
        b.blockSize = blockSize;
        b.uploadConcurrency = uploadConcurrency;
        b.connectTimeout = connectTimeout;
        b.attemptTimeout = attemptTimeout;
        b.maxAttempts = maxAttempts;
        b.initialBackoff = initialBackoff;
        b.maxBackoff = maxBackoff;
        b.circuitBreaker = circuitBreaker;
        b.meterRegistry = meterRegistry;
        return b;
    }

    /** Builds an {@link AzureBlobStoreConfig}; each setting may be given once. */
    public static final class Builder {
        private final Set<String> set = new HashSet<>();
        private final String container;
        private String prefix = "";
        private @Nullable String connectionString;
        private @Nullable URI endpoint;
        private @Nullable String accountName;
        private @Nullable String accountKey;
        private @Nullable TokenCredential tokenCredential;
        private @Nullable String sasToken;
        private @Nullable String accessTier;
        private long singleUploadThreshold = DEFAULT_SINGLE_UPLOAD_THRESHOLD;
        private int blockSize = DEFAULT_BLOCK_SIZE;
        private int uploadConcurrency = DEFAULT_UPLOAD_CONCURRENCY;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration attemptTimeout = DEFAULT_ATTEMPT_TIMEOUT;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
        private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
        private CircuitBreakerConfig circuitBreaker = DEFAULT_CIRCUIT_BREAKER;
        private @Nullable MeterRegistry meterRegistry;

        private Builder(String container) {
            Objects.requireNonNull(container, "container");
            if (!CONTAINER.matcher(container).matches()) {
                throw DrException.invalidArgument("container",
                        "must be 3 to 63 lowercase letters, digits and single hyphens", container);
            }
            this.container = container;
        }

        private void once(String name) {
            if (!set.add(name)) {
                throw DrException.invalidArgument(name, "must be set only once", "set twice");
            }
        }

        /**
         * Sets the prefix under which the store keeps its blobs.
         *
         * @param prefix a valid store key, or empty for the container's root
         * @return this builder
         * @throws DrException {@code INVALID_KEY} for an invalid prefix
         */
        public Builder prefix(String prefix) {
            once("prefix");
            if (!prefix.isEmpty()) {
                StoreKeys.requireValidKey(prefix);
            }
            this.prefix = prefix;
            return this;
        }

        /**
         * Uses a connection string for endpoint and credentials.
         *
         * @param connectionString such as the value of {@code AZURE_STORAGE_CONNECTION_STRING}
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} for an empty string
         */
        public Builder connectionString(String connectionString) {
            once("connectionString");
            if (connectionString.isBlank()) {
                throw DrException.invalidArgument("connectionString", "must not be empty", "\"\"");
            }
            this.connectionString = connectionString;
            return this;
        }

        /**
         * Sets the blob service endpoint.
         *
         * @param endpoint such as {@code https://account.blob.core.windows.net}
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} when set twice
         */
        public Builder endpoint(URI endpoint) {
            once("endpoint");
            this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
            return this;
        }

        /**
         * Authenticates with the account's shared key.
         *
         * @param account the storage account's name
         * @param key the account key (base64)
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} for an empty account or key
         */
        public Builder sharedKey(String account, String key) {
            once("sharedKey");
            if (account.isBlank() || key.isBlank()) {
                throw DrException.invalidArgument("sharedKey", "needs an account and a key", "an empty value");
            }
            this.accountName = account;
            this.accountKey = key;
            return this;
        }

        /**
         * Authenticates with Microsoft Entra ID tokens.
         *
         * @param credential such as {@code new DefaultAzureCredentialBuilder().build()}
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} when set twice
         */
        public Builder tokenCredential(TokenCredential credential) {
            once("tokenCredential");
            this.tokenCredential = Objects.requireNonNull(credential, "tokenCredential");
            return this;
        }

        /**
         * Authenticates with a shared access signature.
         *
         * @param sasToken the token, with or without its leading {@code ?}
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} for an empty token
         */
        public Builder sasToken(String sasToken) {
            once("sasToken");
            if (sasToken.isBlank()) {
                throw DrException.invalidArgument("sasToken", "must not be empty", "\"\"");
            }
            this.sasToken = sasToken;
            return this;
        }

        /**
         * Sets the access tier of written blobs.
         *
         * @param tier Hot, Cool, Cold or Archive
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} for another value
         */
        public Builder accessTier(String tier) {
            once("accessTier");
            String normal = tier.isEmpty() ? tier : tier.substring(0, 1).toUpperCase(Locale.ROOT)
                    + tier.substring(1).toLowerCase(Locale.ROOT);
            if (!Set.of("Hot", "Cool", "Cold", "Archive").contains(normal)) {
                throw DrException.invalidArgument("accessTier", "must be Hot, Cool, Cold or Archive", tier);
            }
            this.accessTier = normal;
            return this;
        }

        /**
         * Sets the size above which blobs are uploaded as parallel blocks.
         *
         * @param bytes at least 1 MiB
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} for a smaller value
         */
        public Builder singleUploadThreshold(long bytes) {
            once("singleUploadThreshold");
            if (bytes < (1 << 20)) {
                throw DrException.invalidArgument("singleUploadThreshold", "must be >= " + (1 << 20), bytes);
            }
            this.singleUploadThreshold = bytes;
            return this;
        }

        /**
         * Sets the size of each block.
         *
         * @param bytes 64 KiB to 4000 MiB
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} outside that range
         */
        public Builder blockSize(int bytes) {
            once("blockSize");
            if (bytes < (64 << 10) || bytes > 4000L * (1 << 20)) {
                throw DrException.invalidArgument("blockSize", "must be between 64 KiB and 4000 MiB", bytes);
            }
            this.blockSize = bytes;
            return this;
        }

        /**
         * Sets how many blocks of one blob are uploaded at once.
         *
         * @param blocks 1 to 64
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} outside that range
         */
        public Builder uploadConcurrency(int blocks) {
            once("uploadConcurrency");
            if (blocks < 1 || blocks > 64) {
                throw DrException.invalidArgument("uploadConcurrency", "must be between 1 and 64", blocks);
            }
            this.uploadConcurrency = blocks;
            return this;
        }

        /**
         * Sets how long to wait for a connection.
         *
         * @param timeout a positive duration
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} for zero or a negative duration
         */
        public Builder connectTimeout(Duration timeout) {
            once("connectTimeout");
            this.connectTimeout = positive("connectTimeout", timeout);
            return this;
        }

        /**
         * Sets how long one HTTP attempt may wait for its response before it is retried.
         *
         * @param timeout a positive duration
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} for zero or a negative duration
         */
        public Builder attemptTimeout(Duration timeout) {
            once("attemptTimeout");
            this.attemptTimeout = positive("attemptTimeout", timeout);
            return this;
        }

        /**
         * Sets how many times a request is tried in all, the first included.
         *
         * @param attempts 1 (no retries) to 20
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} outside that range
         */
        public Builder maxAttempts(int attempts) {
            once("maxAttempts");
            if (attempts < 1 || attempts > 20) {
                throw DrException.invalidArgument("maxAttempts", "must be between 1 and 20", attempts);
            }
            this.maxAttempts = attempts;
            return this;
        }

        /**
         * Sets the wait before the first retry.
         *
         * @param backoff a positive duration
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} for zero or a negative duration
         */
        public Builder initialBackoff(Duration backoff) {
            once("initialBackoff");
            this.initialBackoff = positive("initialBackoff", backoff);
            return this;
        }

        /**
         * Sets the longest wait between attempts.
         *
         * @param backoff a positive duration
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} for zero or a negative duration
         */
        public Builder maxBackoff(Duration backoff) {
            once("maxBackoff");
            this.maxBackoff = positive("maxBackoff", backoff);
            return this;
        }

        /**
         * Sets the circuit breaker's configuration; only transient failures count against it.
         *
         * @param config the configuration
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} when set twice
         */
        public Builder circuitBreaker(CircuitBreakerConfig config) {
            once("circuitBreaker");
            this.circuitBreaker = Objects.requireNonNull(config, "circuitBreaker");
            return this;
        }

        /**
         * Sends the store's metrics ({@code dr.store.*}) to a registry.
         *
         * @param registry the registry
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} when set twice
         */
        public Builder meterRegistry(MeterRegistry registry) {
            once("meterRegistry");
            this.meterRegistry = Objects.requireNonNull(registry, "meterRegistry");
            return this;
        }

        /**
         * Builds the configuration.
         *
         * @return the configuration
         * @throws DrException {@code INVALID_ARGUMENT} for missing or contradictory credentials or settings
         */
        public AzureBlobStoreConfig build() {
            return new AzureBlobStoreConfig(this);
        }

        private static Duration positive(String field, Duration value) {
            Objects.requireNonNull(value, field);
            if (value.isZero() || value.isNegative()) {
                throw DrException.invalidArgument(field, "must be > 0", value);
            }
            return value;
        }
    }
}
