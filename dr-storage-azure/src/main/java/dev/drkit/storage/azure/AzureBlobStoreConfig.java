package dev.drkit.storage.azure;

import static dev.drkit.core.store.remote.RemoteStoreUri.set;

import com.azure.core.credential.TokenCredential;
import dev.drkit.api.DrException;
import dev.drkit.api.store.RedactedUri;
import dev.drkit.api.store.StoreKeys;
import dev.drkit.core.store.remote.RemoteStoreBuilder;
import dev.drkit.core.store.remote.RemoteStoreSettings;
import dev.drkit.core.store.remote.RemoteStoreUri;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The immutable settings of an Azure Blob store: the container and prefix, the credentials,
 * how blobs are uploaded and, in {@link RemoteStoreSettings}, how hard the store tries before
 * it gives up.
 *
 * <p>Credentials are one of: a connection string (such as the value of
 * {@code AZURE_STORAGE_CONNECTION_STRING}); an endpoint with a shared account key; an
 * endpoint with a {@link TokenCredential} (for example {@code DefaultAzureCredential} from
 * azure-identity, added by the application); or an endpoint with a SAS token. They are never
 * part of the store URI and never appear in messages.
 *
 * @param container the container's name: 3 to 63 lowercase letters, digits and single hyphens
 * @param prefix the prefix under which the store keeps its blobs, without leading or trailing
 *     {@code /}, or empty
 * @param connectionString the connection string, which holds a secret, or null when an endpoint
 *     and credential are used
 * @param endpoint the blob service endpoint, or null when the connection string names it
 * @param accountName the account name of a shared key, or null
 * @param accountKey the shared account key, a secret, or null
 * @param tokenCredential the Microsoft Entra ID credential, or null
 * @param sasToken the shared access signature, a secret, or null
 * @param accessTier the access tier written blobs get (Hot, Cool, Cold, Archive), or null for
 *     the account's default
 * @param singleUploadThreshold the size in bytes above which blobs are uploaded as parallel
 *     blocks, at least 1 MiB
 * @param blockSize the size in bytes of each block, 64 KiB up to {@code singleUploadThreshold}
 * @param settings timeouts, attempts, backoff, circuit breaker, upload concurrency and meters
 */
public record AzureBlobStoreConfig(String container, String prefix, @Nullable String connectionString,
        @Nullable URI endpoint, @Nullable String accountName, @Nullable String accountKey,
        @Nullable TokenCredential tokenCredential, @Nullable String sasToken, @Nullable String accessTier,
        long singleUploadThreshold, int blockSize, RemoteStoreSettings settings) {
    /** Blobs larger than this are uploaded as blocks in parallel: 16 MiB. */
    public static final long DEFAULT_SINGLE_UPLOAD_THRESHOLD = 16L << 20;
    /** The size of each block of a block upload: 8 MiB. */
    public static final int DEFAULT_BLOCK_SIZE = 8 << 20;
    /** The environment variable with a connection string. */
    public static final String CONNECTION_STRING_VARIABLE = "AZURE_STORAGE_CONNECTION_STRING";

    private static final Pattern CONTAINER = Pattern.compile("(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]");
    private static final Set<String> OPTIONS = Set.of("accessTier", "singleUploadThreshold", "blockSize");

    /**
     * Validates every setting and that exactly one kind of credentials is given.
     *
     * @throws DrException {@code INVALID_ARGUMENT} naming the setting that is out of range or
     *     contradicts another, or {@code credentials}; {@code INVALID_KEY} for an invalid prefix
     */
    public AzureBlobStoreConfig {
        requireContainer(container);
        if (!prefix.isEmpty()) {
            StoreKeys.requireValidKey(prefix);
        }
        accessTier = accessTier == null ? null : tier(accessTier);
        threshold(singleUploadThreshold);
        block(blockSize);
        Objects.requireNonNull(settings, "settings");
        AzureConnections.requireOneKind(connectionString, endpoint, accountName, accountKey, tokenCredential, sasToken);
        if (blockSize > singleUploadThreshold) {
            throw DrException.invalidArgument("blockSize",
                    "must be <= singleUploadThreshold (" + singleUploadThreshold + ")", blockSize);
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
     * GiB), and those of {@link RemoteStoreSettings}: {@code uploadConcurrency},
     * {@code connectTimeout}, {@code attemptTimeout}, {@code maxAttempts},
     * {@code initialBackoff}, {@code maxBackoff}.
     *
     * @param uri the URI
     * @param environment the environment variables to read credentials from
     * @return the configuration
     * @throws DrException {@code INVALID_CONFIG} naming what is wrong, with secrets removed
     */
    public static AzureBlobStoreConfig fromUri(URI uri, Map<String, String> environment) {
        return RemoteStoreUri.read(uri, "azblob", "container",
                "use " + CONNECTION_STRING_VARIABLE + " or AZURE_STORAGE_KEY", OPTIONS, read -> {
                    Builder b = builder(read.container()).prefix(read.prefix());
                    AzureConnections.credentials(b, read, environment);
                    set(read.options().string("accessTier"), b::accessTier);
                    set(read.options().size("singleUploadThreshold"), b::singleUploadThreshold);
                    set(read.intSize("blockSize"), b::blockSize);
                    return read.settings(b).build();
                });
    }

    /**
     * Returns the store's location as a URI without credentials, for messages.
     *
     * @return such as {@code azblob://backups/service-a?endpoint=http://127.0.0.1:10000/devstoreaccount1}
     */
    public String describe() {
        return RemoteStoreUri.describe("azblob", container, prefix,
                endpoint != null ? RedactedUri.of(endpoint) : AzureConnections.blobEndpointOf(connectionString));
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
        return new Builder(this);
    }

    private static String requireContainer(String container) {
        if (!CONTAINER.matcher(Objects.requireNonNull(container, "container")).matches()) {
            throw DrException.invalidArgument("container", "must be 3 to 63 lowercase letters, digits and single hyphens",
                    container);
        }
        return container;
    }

    private static String tier(String tier) {
        String normal = tier.isEmpty() ? tier
                : tier.substring(0, 1).toUpperCase(Locale.ROOT) + tier.substring(1).toLowerCase(Locale.ROOT);
        if (!Set.of("Hot", "Cool", "Cold", "Archive").contains(normal)) {
            throw DrException.invalidArgument("accessTier", "must be Hot, Cool, Cold or Archive", tier);
        }
        return normal;
    }

    private static long threshold(long bytes) {
        if (bytes < (1 << 20)) {
            throw DrException.invalidArgument("singleUploadThreshold", "must be >= " + (1 << 20), bytes);
        }
        return bytes;
    }

    private static int block(int bytes) {
        if (bytes < (64 << 10) || bytes > 4000L * (1 << 20)) {
            throw DrException.invalidArgument("blockSize", "must be between 64 KiB and 4000 MiB", bytes);
        }
        return bytes;
    }

    /**
     * Builds an {@link AzureBlobStoreConfig}; each setting may be given once. The prefix and the
     * shared {@link RemoteStoreSettings} are set through the methods of {@link RemoteStoreBuilder}.
     */
    public static final class Builder extends RemoteStoreBuilder<Builder> {
        private final String container;
        private @Nullable String connectionString;
        private @Nullable URI endpoint;
        private @Nullable String accountName;
        private @Nullable String accountKey;
        private @Nullable TokenCredential tokenCredential;
        private @Nullable String sasToken;
        private @Nullable String accessTier;
        private long singleUploadThreshold = DEFAULT_SINGLE_UPLOAD_THRESHOLD;
        private int blockSize = DEFAULT_BLOCK_SIZE;

        private Builder(String container) {
            this.container = requireContainer(container);
        }

        private Builder(AzureBlobStoreConfig base) {
            this(base.container);
            from(base.prefix, base.settings);
            connectionString = base.connectionString;
            endpoint = base.endpoint;
            accountName = base.accountName;
            accountKey = base.accountKey;
            tokenCredential = base.tokenCredential;
            sasToken = base.sasToken;
            accessTier = base.accessTier;
            singleUploadThreshold = base.singleUploadThreshold;
            blockSize = base.blockSize;
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
            this.connectionString = AzureConnections.notEmpty("connectionString", connectionString);
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
         * @throws DrException {@code INVALID_ARGUMENT} for an empty account or key, or a key not in base64
         */
        public Builder sharedKey(String account, String key) {
            once("sharedKey");
            if (account.isBlank() || key.isBlank()) {
                throw DrException.invalidArgument("sharedKey", "needs an account and a key", "an empty value");
            }
            if (!AzureConnections.isBase64(key)) {
                throw DrException.invalidArgument("sharedKey", "needs the account key in base64", "a key that is not");
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
            this.sasToken = AzureConnections.notEmpty("sasToken", sasToken);
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
            this.accessTier = tier(tier);
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
            this.singleUploadThreshold = threshold(bytes);
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
            this.blockSize = block(bytes);
            return this;
        }

        /**
         * Builds the configuration.
         *
         * @return the configuration
         * @throws DrException {@code INVALID_ARGUMENT} for missing or contradictory credentials or settings
         */
        public AzureBlobStoreConfig build() {
            return new AzureBlobStoreConfig(container, prefix(), connectionString, endpoint, accountName, accountKey,
                    tokenCredential, sasToken, accessTier, singleUploadThreshold, blockSize, settings());
        }
    }
}
